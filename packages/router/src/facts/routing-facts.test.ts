/**
 * The router's own checks behind routing (and behind the metrics' balance gauges: one poller): when
 * they run, that they go through the provider's breaker, stop with the router, and report failures.
 */
import { type BalanceResult, type CallOptions, createMemoryJournal, type ServiceInfo } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Router, RouterOptions } from '../index.js';
import { createRouter } from '../router.js';

const balance = (KZT: string): BalanceResult => ({
  state: 'succeeded',
  final: true,
  reason: null,
  providerStatus: null,
  message: null,
  balances: [{ currency: 'KZT', balance: KZT, overdraft: '0' }],
});

const routers: Router[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(routers.splice(0).map((router) => router.stop()));
});

function routerOf(providers: FakeProvider[], extra: Partial<RouterOptions> = {}): Router {
  const router = createRouter({
    providers,
    routes: { steam: providers.map((provider) => ({ provider: provider.id, serviceId: '7' })) },
    journal: createMemoryJournal(),
    vouchers: false,
    onError: () => {},
    ...extra,
  });
  routers.push(router);
  return router;
}

describe('balance checks', () => {
  it('run at start() and every refreshMs, one at a time per provider, with their timeout, and stop for good on stop()', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    const getBalance = vi.fn(async (options?: CallOptions) => {
      if (getBalance.mock.calls.length === 3) {
        // The third check hangs for a while: a fourth must not start beside it.
        await new Promise<void>((resolve) => {
          release = resolve;
          options?.signal?.addEventListener('abort', () => resolve());
        });
      }
      return balance('1000.00');
    });
    const router = routerOf([new FakeProvider('vf-a', { getBalance })], {
      routing: { balances: { refreshMs: 30_000, timeoutMs: 5_000, shareMs: 600_000 } },
    });
    await router.start();
    expect(getBalance).toHaveBeenCalledTimes(1);
    expect(getBalance.mock.calls[0]).toEqual([expect.objectContaining({ timeoutMs: 5_000 })]);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(getBalance).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(getBalance).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(getBalance).toHaveBeenCalledTimes(3);
    // The schedule waits for the hanging check; an on-demand check joins it instead of sending another.
    await vi.advanceTimersByTimeAsync(90_000);
    const joined = router.checkBalances();
    expect(getBalance).toHaveBeenCalledTimes(3);
    release();
    await joined;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(getBalance).toHaveBeenCalledTimes(4);
    await router.stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(getBalance).toHaveBeenCalledTimes(4);
  });

  it('stop() aborts a check in flight; a provider that throws is reported to onError (source routing), not as an outcome', async () => {
    let signal: AbortSignal | undefined;
    const hanging = vi.fn(
      (options?: CallOptions) =>
        new Promise<BalanceResult>((resolve) => {
          signal = options?.signal;
          options?.signal?.addEventListener('abort', () => resolve(balance('0')));
        }),
    );
    const throwing = vi.fn(async (): Promise<BalanceResult> => {
      throw new Error('validation failed before sending');
    });
    const onError = vi.fn();
    const router = routerOf(
      [new FakeProvider('vf-a', { getBalance: hanging }), new FakeProvider('vf-b', { getBalance: throwing })],
      { onError },
    );
    const checked: unknown[] = [];
    router.events.on('balance.checked', (event) => checked.push(event));
    const pending = router.checkBalances();
    await vi.waitFor(() => expect(throwing).toHaveBeenCalled());
    await vi.waitFor(() =>
      expect(onError).toHaveBeenCalledWith(
        expect.objectContaining({ message: 'validation failed before sending' }),
        {
          source: 'routing',
          paymentId: null,
        },
      ),
    );
    expect(signal?.aborted).toBe(false);
    await router.stop();
    expect(signal?.aborted).toBe(true);
    await pending;
    // The thrown check made no outcome; the aborted one was not the provider's answer either.
    expect(checked.filter((event) => (event as { provider: string }).provider === 'vf-b')).toEqual([]);
  });

  it('go through the provider’s breaker: refused while it is open, nothing sent', async () => {
    const getBalance = vi.fn(async () => balance('1000.00'));
    const pay = vi.fn(() => ({ state: 'unknown' as const, reason: 'timeout' as const }));
    const router = routerOf([new FakeProvider('vf-a', { getBalance, pay }), new FakeProvider('vf-b')], {
      breaker: { volumeThreshold: 1, resetTimeout: 600_000 },
    });
    await router.pay({
      paymentId: 'p1',
      service: 'steam',
      account: 'galek10',
      amount: '1.00',
      currency: 'KZT',
    });
    expect(router.breakerState('vf-a')).toBe('open');
    await router.checkBalances();
    expect(getBalance).not.toHaveBeenCalled();
  });

  it('without routing.balances, a provider marked out of funds is checked every 60 s while the router runs, until enough', async () => {
    vi.useFakeTimers();
    let funds = '0';
    const getBalance = vi.fn(async () => balance(funds));
    const a = new FakeProvider('vf-a', {
      getBalance,
      pay: (request) =>
        Number(request.amount) > Number(funds)
          ? { state: 'unknown', reason: 'insufficient_funds' }
          : { state: 'succeeded' },
    });
    const router = routerOf([a, new FakeProvider('vf-b')], {
      finalizer: { firstDelayMs: 600_000, maxDelayMs: 600_000 },
    });
    await router.start();
    expect(getBalance).not.toHaveBeenCalled();
    await router.pay({
      paymentId: 'p1',
      service: 'steam',
      account: 'galek10',
      amount: '500.00',
      currency: 'KZT',
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(getBalance).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(getBalance).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getBalance).toHaveBeenCalledTimes(2);
    funds = '1000';
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getBalance).toHaveBeenCalledTimes(3);
    expect(router.routingFacts('vf-a').outOfFunds).toEqual([]);
    // Enough again: no more checks.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(getBalance).toHaveBeenCalledTimes(3);
  });

  it('a provider that cannot report its balance is tried again 60 s after a -2', async () => {
    const clock = {
      at: Date.parse('2024-07-09T09:00:00Z'),
      now() {
        return new Date(this.at);
      },
    };
    let funds = false;
    const a = new FakeProvider('vf-a', {
      pay: () => (funds ? { state: 'succeeded' } : { state: 'unknown', reason: 'insufficient_funds' }),
    });
    const router = routerOf([a, new FakeProvider('vf-b')], { clock });
    const order = (paymentId: string) => ({
      paymentId,
      service: 'steam',
      account: 'galek10',
      amount: '5.00',
      currency: 'KZT',
    });
    await router.pay(order('p1'));
    clock.at += 59_999;
    expect((await router.pay(order('p2'))).provider).toBe('vf-b');
    clock.at += 1;
    funds = true;
    expect((await router.pay(order('p3'))).provider).toBe('vf-a');
  });
});

describe('service settings', () => {
  const settings = (max: string): ServiceInfo[] => [
    {
      id: '7',
      name: 'Steam',
      testAccount: null,
      rate: '0',
      topCommission: '0',
      limits: [{ currency: 'KZT', minAmount: '1', maxAmount: max }],
    },
  ];

  it('are read at start() and every refreshMs; a failed read keeps the last good one', async () => {
    vi.useFakeTimers();
    const answers: (ServiceInfo[] | Error)[] = [settings('1000'), new Error('boom'), settings('2000')];
    const listServices = vi.fn(() => {
      const next = answers.shift() ?? settings('3000');
      if (next instanceof Error) throw next;
      return next;
    });
    const router = routerOf([new FakeProvider('vf-a', { listServices })], {
      routing: { services: { refreshMs: 3_600_000 } },
    });
    await router.start();
    expect(listServices).toHaveBeenCalledTimes(1);
    expect(router.routingFacts('vf-a').services?.[0]?.limits).toEqual([
      { currency: 'KZT', min: '1', max: '1000' },
    ]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(listServices).toHaveBeenCalledTimes(2);
    expect(router.routingFacts('vf-a').services?.[0]?.limits[0]?.max).toBe('1000');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(router.routingFacts('vf-a').services?.[0]?.limits[0]?.max).toBe('2000');
  });
});
