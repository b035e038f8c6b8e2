import { createMemoryJournal, systemClock } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';
import { ManualClock } from '../../test/manual-clock.js';

describe('finalizer: drives open payments to a final state', () => {
  it('timeout after the provider credited → Status says succeeded → succeeded, credited once', async () => {
    const a = new FakeProvider('vf-a', {
      pay: (request) => {
        a.accept(request.transactionId, { state: 'succeeded', providerStatus: '10' });
        return { state: 'unknown', reason: 'timeout' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('f-1'));
    expect(view).toMatchObject({ state: 'unknown', reason: 'timeout' });
    expect(await h.router.finalizeDue()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.router.finalizeDue()).toBe(1);
    const done = await h.router.getPayment('f-1');
    expect(done).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-a' });
    expect(done?.attempts[0]?.sends).toBe(1);
    expect(h.a.credits.get(view.transactionId ?? '')).toBe(1);
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect(h.b.calls).toEqual([]);
  });

  it('dropped before processing → Status "not found" → the same Payment is resent → succeeded once', async () => {
    let dropped = false;
    const a = new FakeProvider('vf-a', {
      pay: () => {
        if (!dropped) {
          dropped = true;
          return { state: 'unknown', reason: 'connection_lost' };
        }
        return { state: 'succeeded', providerStatus: '10' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('f-2'));
    expect(h.a.ledger.size).toBe(0);
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const done = await h.router.getPayment('f-2');
    expect(done).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
    expect(done?.attempts).toHaveLength(1);
    expect(done?.attempts[0]?.sends).toBe(2);
    const sends = h.a.calledWith('pay').map((call) => call.request);
    expect(sends).toHaveLength(2);
    expect(sends[1]).toEqual(sends[0]);
    expect(h.a.calledWith('getStatus').map((call) => call.transactionId)).toEqual([view.transactionId]);
    expect(h.a.credits.get(view.transactionId ?? '')).toBe(1);
  });

  it('does not resend when the provider cannot take a resend safely', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'unknown', reason: 'timeout' }),
      idempotentResend: false,
    });
    const h = harness({ a });
    await h.router.pay(order('f-3'));
    for (let i = 0; i < 3; i++) {
      h.clock.advance(120_000);
      await h.router.finalizeDue();
    }
    expect(h.a.calledWith('pay')).toHaveLength(1);
    expect(h.a.calledWith('getStatus')).toHaveLength(3);
    expect(await h.journal.get('f-3')).toMatchObject({
      state: 'unknown',
      final: false,
      checks: 3,
      lease: null,
    });
  });

  it('never fails over when the Status check itself is refused: the payment may be at the first provider', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'unknown', reason: 'timeout' }),
      getStatus: () => ({ state: 'unknown', reason: 'connection_refused' }),
    });
    const h = harness({ a });
    await h.router.pay(order('f-4'));
    for (let i = 0; i < 4; i++) {
      h.clock.advance(120_000);
      await h.router.finalizeDue();
    }
    expect(h.b.calls).toEqual([]);
    const record = await h.journal.get('f-4');
    expect(record?.attempts).toHaveLength(1);
    expect(record?.attempts[0]).toMatchObject({ state: 'unknown', reason: 'timeout', sends: 1 });
  });

  it('re-checks on a growing schedule, reports payment.stuck once past the escalation age, never ends it by age', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, finalizer: { escalateAfterMs: 5_000 } });
    await h.router.pay(order('f-5'));
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = await h.journal.get('f-5');
      const due = Date.parse(before?.nextCheckAt ?? '');
      delays.push(due - h.clock.now().getTime());
      h.clock.advance(due - h.clock.now().getTime());
      expect(await h.router.finalizeDue()).toBe(1);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    const record = await h.journal.get('f-5');
    expect(record).toMatchObject({ state: 'pending', final: false, checks: 6 });
    expect(record?.stuckAt).not.toBeNull();
    expect(h.of('payment.stuck')).toEqual([
      { paymentId: 'f-5', service: 'steam', provider: 'vf-a', state: 'pending', ageMs: 7_000 },
    ]);
    expect(h.of('payment.final')).toEqual([]);
    expect((await h.router.getPayment('f-5'))?.stuck).toBe(true);
  });

  it('a final failure found by Status with a listed reason fails over to the next provider', async () => {
    const a = new FakeProvider('vf-a', {
      pay: (request) => {
        a.accept(request.transactionId, { state: 'pending' });
        return { state: 'unknown', reason: 'timeout' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('f-6'));
    h.a.settleLedger(view.transactionId ?? '', {
      state: 'failed',
      reason: 'provider_technical',
      providerStatus: '-115',
    });
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    const done = await h.router.getPayment('f-6');
    expect(done).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(done?.attempts.map((attempt) => [attempt.provider, attempt.state])).toEqual([
      ['vf-a', 'failed'],
      ['vf-b', 'succeeded'],
    ]);
    expect(h.of('failover')).toEqual([
      expect.objectContaining({ from: 'vf-a', to: 'vf-b', reason: 'provider_technical' }),
    ]);
  });
});

describe('finalizer: crash recovery from the journal', () => {
  it('sends a payment that was journaled but never sent (a crash between create and send)', async () => {
    const h = harness();
    await h.journal.create({
      paymentId: 'f-7',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    expect(await h.router.finalizeDue()).toBe(1);
    expect(await h.router.getPayment('f-7')).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
    expect(h.a.calledWith('pay')).toHaveLength(1);
  });

  it('re-decides a payment whose latest attempt failed finally while the payment stayed open (crash in failover)', async () => {
    const h = harness();
    const { record } = await h.journal.create({
      paymentId: 'f-8',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    const opened = await h.journal.openAttempt('f-8', record.version, { provider: 'vf-a', serviceId: '7' });
    await h.journal.transition('f-8', opened.version, {
      attempt: { no: 1, update: { state: 'failed', reason: 'operator_error', providerStatus: '-300' } },
    });
    await h.router.finalizeDue();
    expect(await h.router.getPayment('f-8')).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(h.a.calls).toEqual([]);
  });

  it('re-decides an unlisted final failure into a failed payment without touching the next provider', async () => {
    const h = harness();
    const { record } = await h.journal.create({
      paymentId: 'f-9',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    const opened = await h.journal.openAttempt('f-9', record.version, { provider: 'vf-a', serviceId: '7' });
    await h.journal.transition('f-9', opened.version, {
      attempt: { no: 1, update: { state: 'failed', reason: 'account_not_found', providerStatus: '-105' } },
    });
    await h.router.finalizeDue();
    expect(await h.router.getPayment('f-9')).toMatchObject({ state: 'failed', reason: 'account_not_found' });
    expect(h.b.calls).toEqual([]);
  });

  it('never fails a payment while an earlier attempt may have moved money (a journal the rules could not produce)', async () => {
    const h = harness();
    const { record } = await h.journal.create({
      paymentId: 'f-guard',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    let next = await h.journal.openAttempt('f-guard', record.version, { provider: 'vf-a', serviceId: '7' });
    next = await h.journal.transition('f-guard', next.version, {
      attempt: { no: 1, update: { state: 'unknown', reason: 'timeout' } },
    });
    // The journal itself refuses a second provider while attempt 1 may have moved money…
    await expect(
      h.journal.openAttempt('f-guard', next.version, { provider: 'vf-b', serviceId: '70' }),
    ).rejects.toMatchObject({ code: 'TOLEM_JOURNAL_CONFLICT' });
    // …so build the state a buggy writer could: a refused connection, failed over, then resent at vf-a.
    next = await h.journal.transition('f-guard', next.version, {
      attempt: { no: 1, update: { state: 'unknown', reason: 'connection_refused' } },
    });
    next = await h.journal.openAttempt('f-guard', next.version, { provider: 'vf-b', serviceId: '70' });
    next = await h.journal.transition('f-guard', next.version, { resend: { no: 1 } });
    await h.journal.transition('f-guard', next.version, {
      attempt: { no: 2, update: { state: 'failed', reason: 'account_not_found', providerStatus: '-105' } },
    });
    for (let i = 0; i < 3; i++) {
      await h.router.finalizeDue();
      h.clock.advance(120_000);
    }
    const stored = await h.journal.get('f-guard');
    expect(stored).toMatchObject({ state: 'unknown', final: false, reason: 'connection_refused' });
    expect(h.of('payment.final')).toEqual([]);
    expect(h.a.calledWith('pay')).toEqual([]);
    expect(h.b.calledWith('pay')).toEqual([]);
  });

  it('a second router on the same journal finishes what an abandoned one left open', async () => {
    const clock = new ManualClock();
    const journal = createMemoryJournal({ clock });
    const a = new FakeProvider('vf-a', {
      pay: (request) => {
        a.accept(request.transactionId, { state: 'succeeded', providerStatus: '10' });
        return { state: 'unknown', reason: 'timeout' };
      },
    });
    const first = harness({ a, journal, clock });
    for (let i = 0; i < 5; i++) await first.router.pay(order(`f-10-${i}`));
    // The first router is abandoned without stop(): a crash as far as the journal can tell.
    const second = harness({ a, journal, clock, instanceId: 'second-instance' });
    clock.advance(1_000);
    expect(await second.router.finalizeDue()).toBe(5);
    for (let i = 0; i < 5; i++) {
      expect((await second.router.getPayment(`f-10-${i}`))?.state).toBe('succeeded');
    }
    expect([...a.credits.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('two router instances never check one payment at the same time (leases)', async () => {
    const clock = new ManualClock();
    const journal = createMemoryJournal({ clock });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'pending' }),
      getStatus: async () => {
        await gate;
        return { state: 'succeeded', providerStatus: '10' };
      },
    });
    const one = harness({ a, journal, clock, instanceId: 'one' });
    const two = harness({ a, journal, clock, instanceId: 'two' });
    await one.router.pay(order('f-11'));
    clock.advance(1_000);
    const first = one.router.finalizeDue();
    const second = two.router.finalizeDue();
    expect(await second).toBe(0);
    release();
    expect(await first).toBe(1);
    expect(a.calledWith('getStatus')).toHaveLength(1);
    expect((await journal.get('f-11'))?.state).toBe('succeeded');
  });
});

describe('finalizer: heartbeat', () => {
  it('emits finalizer.pass after every pass that read the journal, with nothing to do or not', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'unknown', reason: 'timeout' }),
      getStatus: () => ({ state: 'pending' }),
    });
    const h = harness({ a });
    const passes: { claimed: number; durationMs: number }[] = [];
    h.router.events.on('finalizer.pass', (event) => passes.push(event));
    expect(await h.router.finalizeDue()).toBe(0);
    await h.router.pay(order('f-hb-1'));
    h.clock.advance(1_000);
    expect(await h.router.finalizeDue()).toBe(1);
    expect(passes.map((pass) => pass.claimed)).toEqual([0, 1]);
    for (const pass of passes) expect(pass.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('emits nothing when the journal could not be read: a dead journal stops the heartbeat', async () => {
    const journal = createMemoryJournal();
    const h = harness({ journal });
    const passes: unknown[] = [];
    h.router.events.on('finalizer.pass', (event) => passes.push(event));
    journal.claimDue = () => Promise.reject(new Error('journal unreachable'));
    await expect(h.router.finalizeDue()).rejects.toThrow('journal unreachable');
    expect(passes).toEqual([]);
  });
});

describe('finalizer: start and stop', () => {
  it('runs in the background once started, and stop() drains it then closes providers and the journal', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({
      a,
      clock: systemClock,
      finalizer: { firstDelayMs: 20, pollIntervalMs: 10, maxDelayMs: 100 },
    });
    const view = await h.router.pay(order('f-12'));
    await h.router.start();
    h.a.settleLedger(view.transactionId ?? '', { state: 'succeeded', providerStatus: '10' });
    const done = await h.router.waitForFinal('f-12', { timeoutMs: 20_000 });
    expect(done).toMatchObject({ state: 'succeeded', final: true });
    await h.router.stop();
    expect(h.a.closed).toBe(1);
    expect(h.b.closed).toBe(1);
    await expect(h.journal.get('f-12')).rejects.toThrow('closed');
    await expect(h.router.pay(order('f-13'))).rejects.toThrow('stopped');
    // stop() is idempotent.
    await h.router.stop();
    expect(h.a.closed).toBe(1);
  });

  it('stop() waits for a check in flight before closing anything', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order_: string[] = [];
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'pending' }),
      getStatus: async () => {
        order_.push('status started');
        await gate;
        order_.push('status finished');
        return { state: 'succeeded', providerStatus: '10' };
      },
    });
    const h = harness({ a, clock: systemClock, finalizer: { firstDelayMs: 1, pollIntervalMs: 5 } });
    await h.router.pay(order('f-14'));
    await h.router.start();
    await expect.poll(() => order_.length, { timeout: 10_000 }).toBe(1);
    const stopping = h.router.stop().then(() => order_.push(`stopped, closed ${h.a.closed}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.a.closed).toBe(0);
    release();
    await stopping;
    expect(order_).toEqual(['status started', 'status finished', 'stopped, closed 1']);
  });
});
