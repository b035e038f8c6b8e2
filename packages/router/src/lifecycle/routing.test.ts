/**
 * Routing in the payment lifecycle (architecture §4.7), with in-process providers: the decision is made
 * before anything is sent, announced as `route.decided`, kept on the attempt in the journal and shown by
 * getPayment; balances, -2 marks, limits and success ratios steer new payments.
 */
import {
  type BalanceResult,
  createMemoryJournal,
  ProviderUnavailableError,
  type ServiceInfo,
  ValidationError,
} from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';
import { ManualClock } from '../../test/manual-clock.js';
import { createRouter } from '../router.js';

const balance = (KZT: string, overdraft = '0'): BalanceResult => ({
  state: 'succeeded',
  final: true,
  reason: null,
  providerStatus: null,
  message: null,
  balances: [{ currency: 'KZT', balance: KZT, overdraft }],
});

const steam = (serviceId: string, min: string, max: string, rate = '0'): ServiceInfo => ({
  id: serviceId,
  name: 'Steam',
  testAccount: null,
  rate,
  topCommission: '0',
  limits: [{ currency: 'KZT', minAmount: min, maxAmount: max }],
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('routing decisions are visible', () => {
  it('announces route.decided once per attempt, keeps it on the attempt in the journal, and getPayment shows it', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('order-1'));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(h.of('route.decided')).toEqual([
      {
        paymentId: 'order-1',
        service: 'steam',
        strategy: 'ordered',
        chosen: 'vf-a',
        ranked: ['vf-a', 'vf-b'],
        skipped: [],
        explored: false,
        attempt: 1,
      },
      {
        paymentId: 'order-1',
        service: 'steam',
        strategy: 'ordered',
        chosen: 'vf-b',
        ranked: ['vf-b'],
        skipped: [{ provider: 'vf-a', reason: 'tried' }],
        explored: false,
        attempt: 2,
      },
    ]);
    const stored = await h.journal.get('order-1');
    expect(stored?.attempts.map((attempt) => attempt.route)).toEqual([
      { strategy: 'ordered', ranked: ['vf-a', 'vf-b'], skipped: [], explored: false },
      {
        strategy: 'ordered',
        ranked: ['vf-b'],
        skipped: [{ provider: 'vf-a', reason: 'tried' }],
        explored: false,
      },
    ]);
    const shown = await h.router.getPayment('order-1');
    expect(shown?.route).toEqual({
      strategy: 'ordered',
      ranked: ['vf-b'],
      skipped: [{ provider: 'vf-a', reason: 'tried' }],
      explored: false,
    });
    expect(shown?.attempts[0]?.route?.ranked).toEqual(['vf-a', 'vf-b']);
    // No amount, account or transaction id in the event.
    const text = JSON.stringify(h.of('route.decided'));
    for (const secretish of ['100.00', 'galek10', view.transactionId ?? 'none'])
      expect(text).not.toContain(secretish);
  });

  it('no provider can take it: route.decided with chosen null, nothing journaled; a request no target takes is a ValidationError naming the field', async () => {
    const h = harness({
      routes: {
        steam: [
          { provider: 'vf-a', serviceId: '7', when: { maxAmount: '1000.00' } },
          { provider: 'vf-b', serviceId: '70', when: { maxAmount: '2000.00' } },
        ],
      },
    });
    const error = await rejection(h.router.pay(order('big', { amount: '5000.00' })));
    expect(ValidationError.is(error) && error.field).toBe('amount');
    expect(await h.journal.get('big')).toBeNull();
    expect(h.a.calls).toEqual([]);
    expect(h.of('route.decided')).toEqual([
      expect.objectContaining({
        paymentId: 'big',
        chosen: null,
        attempt: null,
        skipped: [
          { provider: 'vf-a', reason: 'amount_rule' },
          { provider: 'vf-b', reason: 'amount_rule' },
        ],
      }),
    ]);
    // checkAccount and quote skip the same targets.
    const checked = await rejection(
      h.router.checkAccount({ service: 'steam', account: 'galek10', amount: '5000.00', currency: 'KZT' }),
    );
    expect(ValidationError.is(checked) && checked.field).toBe('amount');
    const routed = await h.router.checkAccount({
      service: 'steam',
      account: 'galek10',
      amount: '1500.00',
      currency: 'KZT',
    });
    expect(routed.provider).toBe('vf-b');
    expect(h.a.calledWith('checkAccount')).toEqual([]);
  });
});

describe('balance-aware routing', () => {
  it('the 150 vs 500 KZT scenario: the known balance sends the payment to vf-b, nothing to vf-a', async () => {
    const a = new FakeProvider('vf-a', { getBalance: async () => balance('150.00') });
    const b = new FakeProvider('vf-b', { getBalance: async () => balance('1000000.00') });
    const h = harness({ a, b, routing: { balances: { refreshMs: 600_000 } } });
    await h.router.start();
    const view = await h.router.pay(order('order-500', { amount: '500.00' }));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(a.calledWith('pay')).toEqual([]);
    expect(view.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'balance_short' }]);
    // What is left still pays smaller amounts; what this router sent counts against it until a check.
    expect((await h.router.pay(order('order-100', { amount: '100.00' }))).provider).toBe('vf-a');
    expect((await h.router.pay(order('order-60', { amount: '60.00' }))).provider).toBe('vf-b');
    expect(h.router.routingFacts('vf-a').balances).toEqual([
      expect.objectContaining({ currency: 'KZT', checked: '150', sentSince: '100', available: '50' }),
    ]);
    await h.router.stop();
  });

  it('payments ranked at the same time cannot spend the same money: the amount counts from the decision', async () => {
    const a = new FakeProvider('vf-a', { getBalance: async () => balance('600.00') });
    const inner = createMemoryJournal();
    // A journal that takes its time to open an attempt: both payments are ranked before either is sent.
    const slow = Object.assign(Object.create(null), inner, {
      create: inner.create.bind(inner),
      get: inner.get.bind(inner),
      findByTransaction: inner.findByTransaction.bind(inner),
      transition: inner.transition.bind(inner),
      claimDue: inner.claimDue.bind(inner),
      list: inner.list.bind(inner),
      openSummary: inner.openSummary.bind(inner),
      close: inner.close.bind(inner),
      openAttempt: async (...args: Parameters<typeof inner.openAttempt>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return inner.openAttempt(...args);
      },
    });
    const h = harness({ a, journal: slow });
    await h.router.checkBalances();
    const [first, second] = await Promise.all([
      h.router.pay(order('twin-1', { amount: '500.00' })),
      h.router.pay(order('twin-2', { amount: '500.00' })),
    ]);
    expect([first.provider, second.provider].sort()).toEqual(['vf-a', 'vf-b']);
    expect(a.calledWith('pay')).toHaveLength(1);
  });

  it('keeps the reserve untouched and counts the overdraft', async () => {
    const a = new FakeProvider('vf-a', { getBalance: async () => balance('900.00', '200.00') });
    const h = harness({ a, routing: { balances: { reserve: { KZT: '100.00' } } } });
    await h.router.start();
    expect((await h.router.pay(order('p1', { amount: '1000.00' }))).provider).toBe('vf-a');
    expect((await h.router.pay(order('p2', { amount: '0.01' }))).provider).toBe('vf-b');
    await h.router.stop();
  });

  it('a -2 marks the provider out of funds for new payments without opening its breaker; a balance check showing enough brings it back', async () => {
    let funds = '0.00';
    const a = new FakeProvider('vf-a', {
      pay: (request) =>
        Number(request.amount) > Number(funds)
          ? { state: 'unknown', reason: 'insufficient_funds' }
          : { state: 'succeeded' },
      getBalance: async () => balance(funds),
    });
    const h = harness({ a, breaker: { volumeThreshold: 1 } });
    const first = await h.router.pay(order('p1', { amount: '500.00' }));
    // The payment that got -2 stays unknown at vf-a (resent until it can be settled, protocol §4).
    expect(first).toMatchObject({ state: 'unknown', reason: 'insufficient_funds', provider: 'vf-a' });
    expect(first.attempts).toHaveLength(1);
    for (let i = 2; i <= 6; i++) {
      const next = await h.router.pay(order(`p${i}`, { amount: '10.00' }));
      expect(next.provider).toBe('vf-b');
      expect(next.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'out_of_funds' }]);
    }
    expect(h.router.breakerState('vf-a')).toBe('closed');
    expect(a.calledWith('pay')).toHaveLength(1);
    expect(h.router.routingFacts('vf-a').outOfFunds).toEqual([expect.objectContaining({ currency: 'KZT' })]);
    // A check that is still short keeps the mark; a top-up that covers the refused amount lifts it.
    funds = '100.00';
    await h.router.checkBalances();
    expect((await h.router.pay(order('p7', { amount: '10.00' }))).provider).toBe('vf-b');
    funds = '5000.00';
    await h.router.checkBalances();
    expect((await h.router.pay(order('p8', { amount: '10.00' }))).provider).toBe('vf-a');
    expect(h.router.routingFacts('vf-a').outOfFunds).toEqual([]);
  });

  it('amounts sent by another router on the same journal count against the balance it checked', async () => {
    const clock = new ManualClock();
    const journal = createMemoryJournal({ clock });
    let answer: BalanceResult = balance('1000.00');
    const getBalance = async () => answer;
    const make = (instanceId: string) => {
      const a = new FakeProvider('vf-a', { getBalance });
      const b = new FakeProvider('vf-b');
      return createRouter({
        providers: [a, b],
        routes: {
          steam: [
            { provider: 'vf-a', serviceId: '7' },
            { provider: 'vf-b', serviceId: '70' },
          ],
        },
        journal,
        clock,
        instanceId,
        closeResources: false,
        routing: { balances: { refreshMs: 600_000, shareMs: 600_000 } },
      });
    };
    const first = make('one');
    const second = make('two');
    await first.start();
    clock.advance(1_000);
    expect((await second.pay(order('from-two', { amount: '600.00' }))).provider).toBe('vf-a');
    clock.advance(1_000);
    // The provider has not answered a new balance (a failed check keeps the last one); the journal says what was sent.
    answer = { ...balance('0'), state: 'unknown', final: false, reason: 'timeout', balances: [] };
    await first.checkBalances();
    expect(first.routingFacts('vf-a').balances).toEqual([
      expect.objectContaining({ checked: '1000', sentSince: '600', available: '400' }),
    ]);
    const view = await first.pay(order('from-one', { amount: '500.00' }));
    expect(view).toMatchObject({ provider: 'vf-b' });
    expect(view.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'balance_short' }]);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('announces balance.checked with what the provider reported', async () => {
    const a = new FakeProvider('vf-a', { getBalance: async () => balance('150.00', '20.00') });
    const h = harness({ a });
    await h.router.checkBalances();
    expect(h.of('balance.checked')).toEqual([
      {
        provider: 'vf-a',
        state: 'succeeded',
        reason: null,
        balances: [{ currency: 'KZT', balance: '150.00', overdraft: '20.00' }],
      },
    ]);
    expect(h.of('provider.call')).toEqual([
      expect.objectContaining({ provider: 'vf-a', operation: 'getBalance' }),
    ]);
  });
});

describe('limits from the provider’s service settings', () => {
  it('an amount above one provider’s limit goes to the other, nothing sent to the first', async () => {
    const a = new FakeProvider('vf-a', { listServices: () => [steam('7', '100.00', '1000.00')] });
    const b = new FakeProvider('vf-b', { listServices: () => [steam('70', '100.00', '90000.00')] });
    const h = harness({ a, b, routing: { services: {} } });
    await h.router.start();
    const view = await h.router.pay(order('big', { amount: '5000.00' }));
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    expect(view.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'above_limit' }]);
    expect(a.calledWith('pay')).toEqual([]);
    const small = await rejection(h.router.pay(order('tiny', { amount: '10.00' })));
    expect(ValidationError.is(small) && small.field).toBe('amount');
    expect(h.router.routingFacts('vf-a').services).toEqual([
      { serviceId: '7', limits: [{ currency: 'KZT', min: '100.00', max: '1000.00' }], rate: '0' },
    ]);
    await h.router.stop();
  });

  it('cheapest reads the rate from the settings', async () => {
    const a = new FakeProvider('vf-a', { listServices: () => [steam('7', '1', '100000', '0.5')] });
    const b = new FakeProvider('vf-b', { listServices: () => [steam('70', '1', '100000', '1.5')] });
    const h = harness({
      a,
      b,
      routing: { services: {} },
      routes: {
        steam: {
          strategy: 'cheapest',
          targets: [
            { provider: 'vf-a', serviceId: '7' },
            { provider: 'vf-b', serviceId: '70' },
          ],
        },
      },
    });
    await h.router.refreshServices();
    for (let i = 0; i < 5; i++) expect((await h.router.pay(order(`c${i}`))).provider).toBe('vf-b');
  });
});

describe('success-rate routing', () => {
  it('a provider whose payments start failing loses traffic, and regains its share after it recovers', async () => {
    let broken = false;
    const a = new FakeProvider('vf-a', {
      pay: () => (broken ? { state: 'failed', reason: 'provider_technical' } : { state: 'succeeded' }),
    });
    const h = harness({
      a,
      breaker: { volumeThreshold: 1_000 },
      routing: { successRate: { window: 20, minSamples: 5, tolerance: 0.1, exploration: 0.2 } },
      routes: {
        steam: {
          strategy: 'success-rate',
          targets: [
            { provider: 'vf-a', serviceId: '7' },
            { provider: 'vf-b', serviceId: '70' },
          ],
        },
      },
    });
    const firstChoice = async (from: number, count: number) => {
      const counts = { 'vf-a': 0, 'vf-b': 0 };
      for (let i = from; i < from + count; i++) {
        const view = await h.router.pay(order(`s${i}`));
        expect(view.state).toBe('succeeded');
        const first = view.attempts[0]?.provider as 'vf-a' | 'vf-b';
        counts[first]++;
      }
      return counts;
    };
    const healthy = await firstChoice(0, 100);
    expect(healthy['vf-a']).toBeGreaterThan(30);
    broken = true;
    await firstChoice(100, 40);
    const failing = await firstChoice(140, 100);
    // Only exploration (about 20 %) still tries vf-a first; each of those fails over to vf-b.
    expect(failing['vf-a']).toBeLessThan(35);
    expect(h.router.routingFacts('vf-a').successRate.ratio).toBeLessThan(0.5);
    broken = false;
    await firstChoice(240, 150);
    const recovered = await firstChoice(390, 100);
    expect(recovered['vf-a']).toBeGreaterThan(30);
    expect(h.router.routingFacts('vf-a').successRate.ratio).toBeGreaterThan(0.9);
  });
});

describe('routing never makes a payment unavailable by itself', () => {
  it('every provider ruled out by funds or breakers: ProviderUnavailableError, nothing journaled', async () => {
    const a = new FakeProvider('vf-a', { getBalance: async () => balance('1.00') });
    const h = harness({ a });
    await h.router.checkBalances();
    const error = await rejection(h.router.pay(order('solo-1', { service: 'solo', amount: '50.00' })));
    expect(ProviderUnavailableError.is(error)).toBe(true);
    expect(String((error as Error).message)).toContain('vf-a balance_short');
    expect(await h.journal.get('solo-1')).toBeNull();
  });
});
