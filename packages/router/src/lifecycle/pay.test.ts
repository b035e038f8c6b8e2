import {
  ConfigError,
  createMemoryJournal,
  type NewPayment,
  type PaymentJournal,
  PaymentUnconfirmedError,
  ProviderUnavailableError,
  Secret,
  ValidationError,
} from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';
import { ManualClock } from '../../test/manual-clock.js';
import { READ_BACK_DELAYS_MS } from './record-payment.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('pay: the happy path', () => {
  it('journals the attempt and its transaction id before the request leaves', async () => {
    const seenAtSend: unknown[] = [];
    let h!: ReturnType<typeof harness>;
    const a = new FakeProvider('vf-a', {
      payRaw: async (request) => {
        const record = await h.journal.findByTransaction('vf-a', request.transactionId);
        seenAtSend.push(record && { state: record.state, sends: record.attempts[0]?.sends });
        return {
          state: 'succeeded',
          final: true,
          reason: null,
          providerStatus: '10',
          message: 'ok',
          transactionId: request.transactionId,
          providerRequestId: '638405063993273260',
          amount: request.amount,
          currency: request.currency,
          account: request.account,
          amountOnClient: null,
          exchangeRate: null,
          serviceCurrency: null,
        };
      },
    });
    h = harness({ a });
    const view = await h.router.pay(order('order-1'));
    expect(seenAtSend).toEqual([{ state: 'unknown', sends: 1 }]);
    expect(view).toMatchObject({
      paymentId: 'order-1',
      state: 'succeeded',
      final: true,
      reason: null,
      amount: '100.00',
      provider: 'vf-a',
      attempts: [{ no: 1, provider: 'vf-a', serviceId: '7', state: 'succeeded', sends: 1 }],
    });
    expect(view.transactionId).toMatch(/^[1-9]\d{0,14}$/);
    expect(view.attempts[0]?.providerRequestId).toBe('638405063993273260');
    expect(await h.router.getPayment('order-1')).toMatchObject({
      state: 'succeeded',
      transactionId: view.transactionId,
    });
    expect(h.of('payment.final')).toEqual([
      expect.objectContaining({
        paymentId: 'order-1',
        service: 'steam',
        provider: 'vf-a',
        state: 'succeeded',
      }),
    ]);
    expect(h.of('provider.call')).toEqual([
      expect.objectContaining({ provider: 'vf-a', operation: 'pay', state: 'succeeded', rejected: false }),
    ]);
  });

  it('sends the payment with the journaled fields and normalised amount', async () => {
    const h = harness();
    await h.router.pay(order('order-2', { amount: '250.5' }));
    const request = h.a.calledWith('pay')[0]?.request as Record<string, unknown>;
    expect(request).toMatchObject({ serviceId: '7', account: 'galek10', amount: '250.50', currency: 'KZT' });
    expect(request.requestedAt).toBeInstanceOf(Date);
  });
});

describe('pay: idempotent on the payment id', () => {
  it('returns the existing payment for a repeat with the same fields, sending nothing again', async () => {
    const h = harness();
    const first = await h.router.pay(order('order-3'));
    const again = await h.router.pay(order('order-3', { amount: '100.00' }));
    expect(again.transactionId).toBe(first.transactionId);
    expect(again.state).toBe('succeeded');
    expect(h.a.calledWith('pay')).toHaveLength(1);
  });

  it('refuses the same id with other fields, naming paymentId and the differing field', async () => {
    const h = harness();
    await h.router.pay(order('order-4'));
    const error = await rejection(h.router.pay(order('order-4', { amount: '101' })));
    expect(ValidationError.is(error) && error.field).toBe('paymentId');
    expect((error as Error).message).toContain('amount');
    expect(h.a.calledWith('pay')).toHaveLength(1);
  });

  it('turns concurrent duplicate calls into one provider transaction', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = new FakeProvider('vf-a', {
      pay: async () => {
        await gate;
        return { state: 'succeeded' };
      },
    });
    const h = harness({ a });
    const calls = Array.from({ length: 10 }, () => h.router.pay(order('order-5')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const views = await Promise.all(calls);
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect(new Set(views.map((view) => view.transactionId)).size).toBe(1);
    expect(views.every((view) => view.state === 'succeeded')).toBe(true);
  });
});

describe('pay: bad input is refused before anything is journaled or sent', () => {
  it.each([
    ['amount', { amount: '1.234' }],
    ['amount', { amount: 100 }],
    ['amount', { amount: '-5' }],
    ['currency', { currency: 'ZZZ' }],
    ['service', { service: 'fortnite' }],
    ['paymentId', { paymentId: 'has space' }],
    ['paymentId', { paymentId: '' }],
    ['account', { account: 'x'.repeat(201) }],
    ['account', { account: undefined }],
    ['services', { services: [{ serviceId: '13', amount: '60.00' }] }],
    ['services.0.amount', { services: [{ serviceId: '13', amount: '1.001' }] }],
    ['sendType', { sendType: 'email' }],
  ])('%s', async (field, override) => {
    const h = harness();
    const error = await rejection(h.router.pay({ ...order('order-bad'), ...override } as never));
    expect(ValidationError.is(error), String(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(h.a.calls).toEqual([]);
    expect(await h.journal.list()).toEqual([]);
  });

  it('refuses a currency no provider of the route takes', async () => {
    const h = harness({
      routes: { steam: [{ provider: 'vf-a', serviceId: '7', currency: 'KZT' }] },
    });
    const error = await rejection(h.router.pay(order('order-usd', { currency: 'USD' })));
    expect((error as ValidationError).field).toBe('currency');
  });

  it('throws the abort reason and journals nothing when the signal is already aborted', async () => {
    const h = harness();
    const controller = new AbortController();
    controller.abort(new Error('customer left'));
    await expect(h.router.pay(order('order-abort'), { signal: controller.signal })).rejects.toThrow(
      'customer left',
    );
    expect(await h.router.getPayment('order-abort')).toBeNull();
  });
});

describe('pay: a per-call timeoutMs reaches every provider call it makes', () => {
  it('passes timeoutMs to the first provider and, after a listed decline, to the next one', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-t1'), { timeoutMs: 250 });
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(h.a.calledWith('pay').map((call) => call.timeoutMs)).toEqual([250]);
    expect(h.b.calledWith('pay').map((call) => call.timeoutMs)).toEqual([250]);
  });

  it('passes it beside the signal', async () => {
    const seen: unknown[] = [];
    const a = new FakeProvider('vf-a', {
      payRaw: async (request, options) => {
        seen.push(options);
        return {
          state: 'succeeded',
          final: true,
          reason: null,
          providerStatus: '10',
          message: null,
          transactionId: request.transactionId,
          providerRequestId: '1',
          amount: request.amount,
          currency: request.currency,
          account: request.account,
          amountOnClient: null,
          exchangeRate: null,
          serviceCurrency: null,
        };
      },
    });
    const h = harness({ a });
    const controller = new AbortController();
    await h.router.pay(order('order-t2'), { timeoutMs: 400, signal: controller.signal });
    // Beside them, the hook through which the provider restarts the breaker's clock (CallOptions.onDispatch).
    expect(seen).toEqual([{ timeoutMs: 400, signal: controller.signal, onDispatch: expect.any(Function) }]);
  });

  it('the finalizer’s own Status and resend keep the provider default', async () => {
    let dropped = false;
    const a = new FakeProvider('vf-a', {
      pay: () => {
        if (dropped) return { state: 'succeeded', providerStatus: '10' };
        dropped = true;
        return { state: 'unknown', reason: 'timeout' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('order-t3'), { timeoutMs: 250 });
    expect(view).toMatchObject({ state: 'unknown', reason: 'timeout', final: false });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    expect(await h.router.getPayment('order-t3')).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
    // The caller's 250 ms was for its own call; the finalizer's Status and resend carry no override.
    expect(h.a.calledWith('pay').map((call) => call.timeoutMs)).toEqual([250, undefined]);
    expect(h.a.calledWith('getStatus').map((call) => call.timeoutMs)).toEqual([undefined]);
    expect(h.a.credits.get(view.transactionId ?? '')).toBe(1);
  });

  it('refuses a timeoutMs above finalizer.inFlightMs, naming timeoutMs, before journaling or sending', async () => {
    // The harness sets inFlightMs 30 000: a send still waiting past that could be re-checked meanwhile.
    const h = harness();
    const error = await rejection(h.router.pay(order('order-t4'), { timeoutMs: 30_001 }));
    expect(ValidationError.is(error) && error.field).toBe('timeoutMs');
    expect((error as Error).message).toContain('inFlightMs');
    expect(h.a.calls).toEqual([]);
    expect(await h.journal.list()).toEqual([]);
    await h.router.pay(order('order-t5'), { timeoutMs: 30_000 });
    expect(h.a.calledWith('pay').map((call) => call.timeoutMs)).toEqual([30_000]);
  });
});

describe('pay: safe failover (architecture §4.3)', () => {
  it('after a final decline the policy lists, the next provider takes it', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-6'));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(view.attempts.map((attempt) => [attempt.provider, attempt.state, attempt.reason])).toEqual([
      ['vf-a', 'failed', 'provider_technical'],
      ['vf-b', 'succeeded', null],
    ]);
    expect(h.b.calledWith('pay')[0]?.request).toMatchObject({ serviceId: '70' });
    expect(h.of('failover')).toEqual([
      {
        service: 'steam',
        operation: 'pay',
        from: 'vf-a',
        to: 'vf-b',
        reason: 'provider_technical',
        paymentId: 'order-6',
      },
    ]);
  });

  it('after a decline the policy does not list, the payment fails and nothing goes to the next provider', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'account_not_found' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-7'));
    expect(view).toMatchObject({
      state: 'failed',
      final: true,
      reason: 'account_not_found',
      provider: 'vf-a',
    });
    expect(h.b.calls).toEqual([]);
    expect(h.of('failover')).toEqual([]);
  });

  it('with a custom policy, fails over on exactly the reasons given', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'account_not_found' }) });
    const h = harness({ a, failover: { onReasons: ['account_not_found'] } });
    expect((await h.router.pay(order('order-8'))).provider).toBe('vf-b');
  });

  it('the last provider’s listed decline fails the payment with that reason', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const b = new FakeProvider('vf-b', { pay: () => ({ state: 'failed', reason: 'operator_error' }) });
    const h = harness({ a, b });
    const view = await h.router.pay(order('order-9'));
    expect(view).toMatchObject({ state: 'failed', reason: 'operator_error', provider: 'vf-b' });
    expect(view.attempts).toHaveLength(2);
  });

  it.each([
    ['timeout', { state: 'unknown', reason: 'timeout' }],
    ['connection_lost', { state: 'unknown', reason: 'connection_lost' }],
    ['a request-level error', { state: 'unknown', reason: 'provider_storage_error' }],
    ['pending', { state: 'pending' }],
  ] as const)(
    'never fails over after %s: the payment stays open at the first provider',
    async (_name, answer) => {
      const a = new FakeProvider('vf-a', { pay: () => answer });
      const h = harness({ a });
      const view = await h.router.pay(order('order-10'));
      expect(view).toMatchObject({ state: answer.state, final: false, provider: 'vf-a' });
      expect(view.attempts).toHaveLength(1);
      expect(h.b.calls).toEqual([]);
      const record = await h.journal.get('order-10');
      expect(record?.nextCheckAt).toBe(new Date(h.clock.now().getTime() + 1_000).toISOString());
    },
  );

  it('after a refused connection (nothing sent) the next provider takes it', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'unknown', reason: 'connection_refused' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-11'));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(view.attempts[0]).toMatchObject({
      provider: 'vf-a',
      state: 'unknown',
      reason: 'connection_refused',
      sends: 1,
    });
    expect(h.of('failover')[0]).toMatchObject({ from: 'vf-a', to: 'vf-b', reason: 'connection_refused' });
  });

  it('a request that never left the provider’s queue (not_dispatched) goes to the next provider; the breaker stays closed', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'unknown', reason: 'not_dispatched' }) });
    const h = harness({ a, breaker: { volumeThreshold: 1 } });
    for (let i = 0; i < 5; i++) {
      const view = await h.router.pay(order(`order-q${i}`));
      expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
      expect(view.attempts[0]).toMatchObject({ provider: 'vf-a', reason: 'not_dispatched', sends: 1 });
    }
    expect(h.router.breakerState('vf-a')).toBe('closed');
    expect(h.of('breaker.state')).toEqual([]);
    expect(h.of('failover').map((event) => event.reason)).toEqual(Array(5).fill('not_dispatched'));
    const calls = h.of('provider.call').filter((call) => call.provider === 'vf-a');
    expect(calls.map((call) => [call.reason, call.durationMs])).toEqual(Array(5).fill(['not_dispatched', 0]));
  });

  it('a refused connection at the only provider fails the payment: nothing was sent anywhere', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'unknown', reason: 'connection_refused' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-12', { service: 'solo' }));
    expect(view).toMatchObject({ state: 'failed', final: true, reason: 'connection_refused' });
  });

  it('with A’s breaker open, a new payment goes to B and nothing is sent to A', async () => {
    const a = new FakeProvider('vf-a', { checkAccount: () => ({ state: 'unknown', reason: 'timeout' }) });
    const h = harness({ a, breaker: { volumeThreshold: 2, resetTimeout: 600_000 } });
    for (let i = 0; i < 3; i++)
      await h.router.checkAccount({ service: 'steam', account: 'x', amount: '1', currency: 'KZT' });
    expect(h.router.breakerState('vf-a')).toBe('open');
    const view = await h.router.pay(order('order-13'));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(view.attempts.map((attempt) => attempt.provider)).toEqual(['vf-b']);
    expect(h.a.calledWith('pay')).toEqual([]);
    expect(h.of('failover').filter((event) => event.operation === 'pay')).toEqual([
      {
        service: 'steam',
        operation: 'pay',
        from: 'vf-a',
        to: 'vf-b',
        reason: 'breaker_open',
        paymentId: 'order-13',
      },
    ]);
  });

  it('with every breaker of the route open, throws ProviderUnavailableError and journals nothing', async () => {
    const a = new FakeProvider('vf-a', { checkAccount: () => ({ state: 'unknown', reason: 'timeout' }) });
    const h = harness({ a, breaker: { volumeThreshold: 1, resetTimeout: 600_000 } });
    await h.router.checkAccount({ service: 'solo', account: 'x', amount: '1', currency: 'KZT' });
    expect(h.router.breakerState('vf-a')).toBe('open');
    const error = await rejection(h.router.pay(order('order-14', { service: 'solo' })));
    expect(ProviderUnavailableError.is(error)).toBe(true);
    expect(await h.router.getPayment('order-14')).toBeNull();
    expect(h.a.calledWith('pay')).toEqual([]);
  });

  it('a provider that throws before sending (nothing sent) passes the payment on to the next one', async () => {
    const a = new FakeProvider('vf-a', {
      payRaw: async () => {
        throw new ProviderUnavailableError('pool closed', { providerId: 'vf-a' });
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('order-15'));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(view.attempts[0]).toMatchObject({ state: 'failed', reason: 'connection_refused', final: true });
    expect(view.attempts[0]?.message).toContain('not sent');
  });

  it('a provider-side validation error at the only provider is thrown, and the payment is closed as failed', async () => {
    const a = new FakeProvider('vf-a', {
      payRaw: async () => {
        throw new ValidationError('account', 'does not match the service pattern');
      },
    });
    const h = harness({ a });
    const error = await rejection(h.router.pay(order('order-16', { service: 'solo' })));
    expect(ValidationError.is(error) && error.field).toBe('account');
    const stored = await h.router.getPayment('order-16');
    expect(stored).toMatchObject({ state: 'failed', final: true });
    expect(stored?.attempts[0]?.message).toBe('not sent: TOLEM_VALIDATION account');
    // The caller may retry the id: the same failed payment, nothing sent.
    expect(await h.router.pay(order('order-16', { service: 'solo' }))).toMatchObject({ state: 'failed' });
  });

  it('an unexpected exception from the provider leaves the outcome unknown: no failover, no failure', async () => {
    const a = new FakeProvider('vf-a', {
      payRaw: async () => {
        throw new TypeError('socket exploded after writing');
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('order-17'));
    expect(view).toMatchObject({
      state: 'unknown',
      final: false,
      reason: 'request_failed',
      provider: 'vf-a',
    });
    expect(h.b.calls).toEqual([]);
  });
});

describe('pay: voucher codes stay with the caller', () => {
  it('returns the code from pay() only: not in the journal, getPayment, events or JSON', async () => {
    const code = 'VOUCHER-SECRET-4242';
    const a = new FakeProvider('vf-a', {
      payRaw: async (request) => ({
        state: 'succeeded',
        final: true,
        reason: null,
        providerStatus: '10',
        message: null,
        transactionId: request.transactionId,
        providerRequestId: '1',
        amount: request.amount,
        currency: request.currency,
        account: request.account,
        amountOnClient: null,
        exchangeRate: null,
        serviceCurrency: null,
        voucherCode: new Secret(code),
      }),
    });
    const h = harness({ a });
    const view = await h.router.pay(order('order-18', { sendType: 'api' }));
    expect(view.voucherCode?.reveal()).toBe(code);
    expect(JSON.stringify(view)).not.toContain(code);
    expect(JSON.stringify(await h.journal.get('order-18'))).not.toContain(code);
    expect((await h.router.getPayment('order-18'))?.voucherCode).toBeUndefined();
    expect(JSON.stringify(h.events)).not.toContain(code);
  });
});

describe('pay: events', () => {
  it('carry no account, amount or transaction id', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-19', { account: 'acct-zz-9911', amount: '4321.99' }));
    const text = JSON.stringify(h.events);
    expect(h.events.length).toBeGreaterThan(3);
    expect(text).not.toContain('acct-zz-9911');
    expect(text).not.toContain('4321');
    for (const attempt of view.attempts) expect(text).not.toContain(attempt.transactionId);
  });

  it('emit payment.final once, and payment.updated for each state change', async () => {
    const h = harness();
    await h.router.pay(order('order-20'));
    await h.router.pay(order('order-20'));
    expect(h.of('payment.final')).toHaveLength(1);
    expect(h.of('payment.updated').map((event) => [event.previousState, event.state])).toEqual([
      ['unknown', 'succeeded'],
    ]);
  });
});

describe('waitForFinal', () => {
  it('on timeout returns the current non-final view and never marks the payment failed', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, finalizer: { pollIntervalMs: 10 } });
    await h.router.pay(order('order-21'));
    const view = await h.router.waitForFinal('order-21', { timeoutMs: 50 });
    expect(view).toMatchObject({ state: 'pending', final: false });
    expect((await h.journal.get('order-21'))?.state).toBe('pending');
  });

  it('wakes as soon as the payment turns final in this process', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, finalizer: { pollIntervalMs: 60_000 } });
    const view = await h.router.pay(order('order-22'));
    const waiting = h.router.waitForFinal('order-22', { timeoutMs: 20_000 });
    h.a.settleLedger(view.transactionId ?? '', { state: 'succeeded', providerStatus: '10' });
    h.clock.advance(5_000);
    expect(await h.router.finalizeDue()).toBe(1);
    expect(await waiting).toMatchObject({ state: 'succeeded', final: true });
  });

  it('throws ValidationError for an unknown payment id', async () => {
    const h = harness();
    const error = await rejection(h.router.waitForFinal('nope', { timeoutMs: 10 }));
    expect(ValidationError.is(error) && error.field).toBe('paymentId');
  });
});

/** A memory journal whose chosen write fails once (a locked or full disk), as the n-th call of it. */
function failingOnce(
  inner: PaymentJournal,
  method: 'openAttempt' | 'transition',
  call: number,
): PaymentJournal {
  let calls = 0;
  const fail = () => {
    calls += 1;
    if (calls === call) throw new Error('SQLITE_FULL: database or disk is full');
  };
  return {
    create: (payment) => inner.create(payment),
    get: (id) => inner.get(id),
    findByTransaction: (provider, id) => inner.findByTransaction(provider, id),
    openAttempt: async (id, version, attempt) => {
      if (method === 'openAttempt') fail();
      return inner.openAttempt(id, version, attempt);
    },
    transition: async (id, version, change) => {
      if (method === 'transition') fail();
      return inner.transition(id, version, change);
    },
    claimDue: (options) => inner.claimDue(options),
    list: (query) => inner.list(query),
    openSummary: () => inner.openSummary(),
    history: (id) => inner.history(id),
    appendHistory: (id, note) => inner.appendHistory(id, note),
    startSubmission: (input) => inner.startSubmission(input),
    updateSubmission: (key, version, update) => inner.updateSubmission(key, version, update),
    submissions: (query) => inner.submissions(query),
    close: () => inner.close(),
  };
}

describe('pay: a journal failure is never thrown as "nothing sent" (architecture §2, §4.9)', () => {
  it('a write failing after the request left returns the payment as unknown; the finalizer settles it, paid once', async () => {
    const clock = new ManualClock();
    const journal = failingOnce(createMemoryJournal({ clock }), 'transition', 1);
    const reported: unknown[] = [];
    const h = harness({ clock, journal, onError: (error) => reported.push(error) });
    const view = await h.router.pay(order('order-jf1', { service: 'solo' }));
    // The Payment left: an error here would tell the caller nothing was sent, and invite a second payment.
    expect(view).toMatchObject({ paymentId: 'order-jf1', state: 'unknown', final: false, provider: 'vf-a' });
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect(String(reported[0])).toContain('SQLITE_FULL');
    clock.advance(60_000);
    await h.router.finalizeDue();
    expect(await h.router.getPayment('order-jf1')).toMatchObject({ state: 'succeeded', final: true });
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect([...h.a.credits.values()]).toEqual([1]);
  });

  it('a write failing before the send returns the payment as not final, since the finalizer will still send it', async () => {
    const clock = new ManualClock();
    const journal = failingOnce(createMemoryJournal({ clock }), 'openAttempt', 1);
    const reported: unknown[] = [];
    const h = harness({ clock, journal, onError: (error) => reported.push(error) });
    const view = await h.router.pay(order('order-jf2', { service: 'solo' }));
    expect(view).toMatchObject({ paymentId: 'order-jf2', state: 'unknown', final: false, attempts: [] });
    expect(h.a.calledWith('pay')).toEqual([]);
    expect(reported).toHaveLength(1);
    clock.advance(60_000);
    await h.router.finalizeDue();
    expect(await h.router.getPayment('order-jf2')).toMatchObject({ state: 'succeeded', final: true });
    expect(h.a.calledWith('pay')).toHaveLength(1);
  });
});

/**
 * `inner` with some methods replaced. A delegate, not a prototype chain: a journal's methods read its
 * #private state, which an object inheriting from it does not have.
 */
function overriding(inner: PaymentJournal, overrides: Partial<PaymentJournal>): PaymentJournal {
  return new Proxy(inner, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof PaymentJournal];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A memory journal whose create misbehaves as a database behind a lost connection does. In
 * `commit-then-lose` the first create writes the row and then throws (the answer to the commit was
 * lost). In `down` the journal goes away at the first create, before writing: the next `failures`
 * creates and every read in between throw, or all of them until `up()`. `before` runs inside each
 * failing create, before the row is (or is not) written.
 */
function flakyCreate(inner: PaymentJournal, mode: 'commit-then-lose' | 'down', failures = Infinity) {
  const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
  let down = false;
  let left = failures;
  const state = {
    creates: 0,
    before: async (_payment: NewPayment) => {},
    up: () => {
      down = false;
      left = 0;
    },
  };
  const journal: PaymentJournal = {
    create: async (payment) => {
      state.creates += 1;
      if (left > 0) {
        left -= 1;
        down = mode === 'down';
        await state.before(payment);
        if (mode === 'commit-then-lose') await inner.create(payment);
        throw lost();
      }
      down = false;
      return inner.create(payment);
    },
    get: async (id) => {
      if (down) throw lost();
      return inner.get(id);
    },
    findByTransaction: (provider, id) => inner.findByTransaction(provider, id),
    openAttempt: (id, version, attempt) => inner.openAttempt(id, version, attempt),
    transition: (id, version, change) => inner.transition(id, version, change),
    claimDue: (options) => inner.claimDue(options),
    list: (query) => inner.list(query),
    openSummary: () => inner.openSummary(),
    history: (id) => inner.history(id),
    appendHistory: (id, note) => inner.appendHistory(id, note),
    startSubmission: (input) => inner.startSubmission(input),
    updateSubmission: (key, version, update) => inner.updateSubmission(key, version, update),
    submissions: (query) => inner.submissions(query),
    close: () => inner.close(),
  };
  return { journal, state };
}

describe('pay: a create whose result is unknown is resolved before pay() answers (architecture §4.9)', () => {
  it('the create committed but its answer was lost: pay() answers with the payment, sent once and credited once', async () => {
    const clock = new ManualClock();
    const inner = createMemoryJournal({ clock });
    const { journal } = flakyCreate(inner, 'commit-then-lose', 1);
    const reported: unknown[] = [];
    const h = harness({ clock, journal, onError: (error) => reported.push(error) });
    // Thrown, the lost connection would read as "nothing sent" while the row exists and gets sent.
    const view = await h.router.pay(order('order-cl1', { service: 'solo' }));
    expect(view).toMatchObject({ paymentId: 'order-cl1', state: 'succeeded', final: true, provider: 'vf-a' });
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect(String(reported[0])).toContain('Connection terminated unexpectedly');
    // The finalizer finds nothing left to send, now or after the in-flight window.
    clock.advance(120_000);
    await h.router.finalizeDue();
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect([...h.a.credits.values()]).toEqual([1]);
    expect((await inner.list()).map((record) => record.paymentId)).toEqual(['order-cl1']);
  });

  it('the row found by the read-back already has an attempt (another instance sent it): not sent again', async () => {
    const clock = new ManualClock();
    const inner = createMemoryJournal({ clock });
    const { journal, state } = flakyCreate(inner, 'commit-then-lose', 1);
    const h = harness({ clock, journal, onError: () => {} });
    // Another instance opens the first attempt (and sends) between the lost commit and the read-back.
    state.before = async (payment) => {
      const { record } = await inner.create(payment);
      await inner.openAttempt(record.paymentId, record.version, { provider: 'vf-a', serviceId: '8' });
    };
    const view = await h.router.pay(order('order-cl2', { service: 'solo' }));
    expect(view).toMatchObject({ paymentId: 'order-cl2', final: false, provider: 'vf-a' });
    expect(view.attempts).toHaveLength(1);
    expect(h.a.calledWith('pay')).toEqual([]);
  });

  it('the create did not commit and the journal is back at once: the payment is created and sent normally', async () => {
    const clock = new ManualClock();
    const inner = createMemoryJournal({ clock });
    // Back as soon as the first create failed without writing.
    const { journal, state } = flakyCreate(inner, 'down', 1);
    const h = harness({ clock, journal, onError: () => {} });
    const view = await h.router.pay(order('order-cl3', { service: 'solo' }));
    expect(view).toMatchObject({ state: 'succeeded', final: true, attempts: [{ sends: 1 }] });
    expect(state.creates).toBe(2);
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect([...h.a.credits.values()]).toEqual([1]);
  });

  it('the journal stays unreachable: PaymentUnconfirmedError (never "nothing sent"); pay() again sends it once', async () => {
    const clock = new ManualClock();
    const inner = createMemoryJournal({ clock });
    const { journal, state } = flakyCreate(inner, 'down');
    const h = harness({ clock, journal, onError: () => {} });
    const error = await rejection(h.router.pay(order('order-cl4', { service: 'solo' })));
    expect(PaymentUnconfirmedError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TOLEM_PAYMENT_UNCONFIRMED', paymentId: 'order-cl4' });
    expect(String((error as Error).cause)).toContain('Connection terminated unexpectedly');
    expect((error as Error).message).toMatch(/may have been recorded and may still be sent/);
    expect(ProviderUnavailableError.is(error) || ValidationError.is(error)).toBe(false);
    // Every read-back was tried, and nothing was sent.
    expect(state.creates).toBe(1 + READ_BACK_DELAYS_MS.length);
    expect(h.a.calls).toEqual([]);
    // The safe move the error names: the same paymentId again, once the journal is back.
    state.up();
    const view = await h.router.pay(order('order-cl4', { service: 'solo' }));
    expect(view).toMatchObject({ state: 'succeeded', final: true });
    expect(h.a.calledWith('pay')).toHaveLength(1);
  });

  it("the caller's timeoutMs and signal bound the read-back: PaymentUnconfirmedError, not the abort reason", async () => {
    const down = () => {
      const clock = new ManualClock();
      const { journal, state } = flakyCreate(createMemoryJournal({ clock }), 'down');
      return { h: harness({ clock, journal, onError: () => {} }), state };
    };
    const slow = down();
    const timedOut = await rejection(
      slow.h.router.pay(order('order-cl5', { service: 'solo' }), { timeoutMs: 20 }),
    );
    expect(PaymentUnconfirmedError.is(timedOut)).toBe(true);
    // The read-back schedule is far longer than 20 ms: the deadline ended it early.
    expect(slow.state.creates).toBeLessThan(1 + READ_BACK_DELAYS_MS.length);
    expect(slow.h.a.calls).toEqual([]);

    const gone = down();
    const controller = new AbortController();
    gone.state.before = async () => {
      if (gone.state.creates === 2) controller.abort(new Error('caller gave up'));
    };
    const aborted = await rejection(
      gone.h.router.pay(order('order-cl6', { service: 'solo' }), { signal: controller.signal }),
    );
    expect(PaymentUnconfirmedError.is(aborted)).toBe(true);
    expect(gone.state.creates).toBe(2);
    expect(gone.h.a.calls).toEqual([]);
  });

  it('without a timeoutMs, a read-back that hangs ends with the in-flight window: PaymentUnconfirmedError', async () => {
    const clock = new ManualClock();
    const { journal, state } = flakyCreate(createMemoryJournal({ clock }), 'down', 1);
    // The first create loses its connection; the next one never answers (an unanswered connect).
    const hanging = overriding(journal, {
      create: (payment) => (state.creates === 0 ? journal.create(payment) : new Promise(() => {})),
    });
    const h = harness({ clock, journal: hanging, onError: () => {}, finalizer: { inFlightMs: 50 } });
    const error = await rejection(h.router.pay(order('order-cl9', { service: 'solo' })));
    expect(PaymentUnconfirmedError.is(error)).toBe(true);
    expect(h.a.calls).toEqual([]);
  });

  it('a ValidationError or ConfigError from create means nothing was written: thrown as it is, not retried', async () => {
    for (const refusal of [new ConfigError('journal', 'read-only'), new ValidationError('amount', 'bad')]) {
      const inner = createMemoryJournal();
      let creates = 0;
      const journal = overriding(inner, {
        create: async () => {
          creates += 1;
          throw refusal;
        },
      });
      const h = harness({ journal });
      expect(await rejection(h.router.pay(order('order-cl7', { service: 'solo' })))).toBe(refusal);
      expect(creates).toBe(1);
      expect(h.a.calls).toEqual([]);
    }
  });

  it('the read-back finds the id held by a payment with other fields: ValidationError naming paymentId, nothing sent', async () => {
    const clock = new ManualClock();
    const inner = createMemoryJournal({ clock });
    const { journal, state } = flakyCreate(inner, 'down', 1);
    // Another pay() with other fields takes the id while this one's create fails without writing.
    state.before = async (payment) => {
      await inner.create({ ...payment, amount: '999.00' });
    };
    const h = harness({ clock, journal, onError: () => {} });
    const error = await rejection(h.router.pay(order('order-cl8', { service: 'solo' })));
    expect(ValidationError.is(error) && error.field).toBe('paymentId');
    expect(h.a.calls).toEqual([]);
  });
});
