import { type BalanceResult, type CallOptions, createMemoryJournal } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { createRouter, type Router, type RouterOptions } from '@tolem/router';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { balanceResult } from '../test/fake-router.js';
import { find, parseScrape, value } from '../test/scrape-text.js';
import { instrumentRouter } from './instrument-router.js';

const scrape = async (registry: Registry) => parseScrape(await registry.metrics());

const KZT_AND_USD = balanceResult([
  { currency: 'KZT', balance: '1500000.50', overdraft: '200000.00' },
  { currency: 'USD', balance: '-12.25', overdraft: '100.00' },
]);

const routers: Router[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(routers.splice(0).map((router) => router.stop()));
});

/** A real router over fake providers (the balances are its own checks). */
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

describe('balance gauges (the router checks, the metrics export)', () => {
  it('are off by default: no balance is asked for and no balance series exist', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const router = routerOf([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry });
    await instrumentation.pollBalances();
    expect(getBalance).not.toHaveBeenCalled();
    expect(find(await scrape(registry), 'tolem_provider_balance')).toHaveLength(0);
    instrumentation.stop();
  });

  it('export balance and overdraft per provider and currency, and count the check as a getBalance call', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const noBalance = new FakeProvider('vf-nobalance');
    const router = routerOf([new FakeProvider('vf-a', { getBalance }), noBalance]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: {} });
    await instrumentation.pollBalances();
    const s = await scrape(registry);
    expect(getBalance).toHaveBeenCalledTimes(1);
    expect(value(s, 'tolem_provider_balance', { provider: 'vf-a', currency: 'KZT' })).toBe(1500000.5);
    expect(value(s, 'tolem_provider_balance', { provider: 'vf-a', currency: 'USD' })).toBe(-12.25);
    expect(value(s, 'tolem_provider_overdraft', { provider: 'vf-a', currency: 'KZT' })).toBe(200000);
    expect(find(s, 'tolem_provider_balance', { provider: 'vf-nobalance' })).toHaveLength(0);
    expect(
      value(s, 'tolem_provider_requests_total', {
        provider: 'vf-a',
        operation: 'getBalance',
        state: 'succeeded',
        reason: 'none',
      }),
    ).toBe(1);
    expect(
      value(s, 'tolem_provider_request_duration_seconds_count', {
        provider: 'vf-a',
        operation: 'getBalance',
      }),
    ).toBe(1);
    // getBalance outcomes are pre-created only for providers that can answer them.
    expect(
      value(s, 'tolem_provider_requests_total', {
        provider: 'vf-a',
        operation: 'getBalance',
        reason: 'auth_failed',
      }),
    ).toBe(0);
    expect(
      find(s, 'tolem_provider_requests_total', { provider: 'vf-nobalance', operation: 'getBalance' }),
    ).toHaveLength(0);
    instrumentation.stop();
  });

  it('follow the router’s own scheduled checks (routing.balances.refreshMs): one poller, not two', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const router = routerOf([new FakeProvider('vf-a', { getBalance })], {
      routing: { balances: { refreshMs: 600_000 } },
    });
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: {} });
    await router.start();
    expect(getBalance).toHaveBeenCalledTimes(1);
    const s = await scrape(registry);
    expect(value(s, 'tolem_provider_balance', { provider: 'vf-a', currency: 'KZT' })).toBe(1500000.5);
    instrumentation.stop();
  });

  it('times a check from when the provider says its request left its queue (onDispatch), not from the call', async () => {
    const getBalance = vi.fn(async (options?: CallOptions) => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // waiting for a free connection
      options?.onDispatch?.();
      return KZT_AND_USD;
    });
    const router = routerOf([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: {} });
    await instrumentation.pollBalances();
    const s = await scrape(registry);
    const labels = { provider: 'vf-a', operation: 'getBalance' };
    expect(value(s, 'tolem_provider_request_duration_seconds_count', labels)).toBe(1);
    expect(value(s, 'tolem_provider_request_duration_seconds_sum', labels)).toBeLessThan(0.3);
    instrumentation.stop();
  });

  it('keep only the currencies asked for', async () => {
    const router = routerOf([new FakeProvider('vf-a', { getBalance: async () => KZT_AND_USD })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: { currencies: ['KZT'] } });
    await instrumentation.pollBalances();
    const s = await scrape(registry);
    expect(find(s, 'tolem_provider_balance').map((sample) => sample.labels.currency)).toEqual(['KZT']);
    instrumentation.stop();
  });

  it('keep the last balance when a check fails, count the failure, and drop a currency no longer reported', async () => {
    const answers: BalanceResult[] = [
      KZT_AND_USD,
      {
        state: 'unknown',
        final: false,
        reason: 'auth_failed',
        providerStatus: '-1',
        message: 'Ошибка авторизации',
        balances: [],
      },
      balanceResult([
        { currency: 'KZT', balance: '900.00', overdraft: '0' },
        { currency: 'EUR', balance: 'not-a-number', overdraft: '0' },
        { currency: 'rub', balance: '5.00', overdraft: '0' },
      ]),
    ];
    const getBalance = vi.fn(async () => answers.shift() ?? KZT_AND_USD);
    const router = routerOf([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: {} });
    await instrumentation.pollBalances();
    await instrumentation.pollBalances();
    let s = await scrape(registry);
    expect(value(s, 'tolem_provider_balance', { provider: 'vf-a', currency: 'KZT' })).toBe(1500000.5);
    expect(
      value(s, 'tolem_provider_requests_total', {
        provider: 'vf-a',
        operation: 'getBalance',
        state: 'unknown',
        reason: 'auth_failed',
      }),
    ).toBe(1);
    await instrumentation.pollBalances();
    s = await scrape(registry);
    expect(value(s, 'tolem_provider_balance', { provider: 'vf-a', currency: 'KZT' })).toBe(900);
    // USD is gone from the answer, EUR is not a number, "rub" is not a currency label: none exported.
    expect(find(s, 'tolem_provider_balance').map((sample) => sample.labels.currency)).toEqual(['KZT']);
    expect(find(s, 'tolem_provider_overdraft').map((sample) => sample.labels.currency)).toEqual(['KZT']);
    instrumentation.stop();
  });

  it('a check refused because the router stopped goes to onError, never rejects; after stop() nothing is exported', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const router = routerOf([new FakeProvider('vf-a', { getBalance })]);
    const onError = vi.fn();
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, onError, balance: {} });
    await router.stop();
    await expect(instrumentation.pollBalances()).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'ProviderUnavailableError' }),
      'balance',
    );
    expect(getBalance).not.toHaveBeenCalled();
    instrumentation.stop();
    await instrumentation.pollBalances();
    expect(getBalance).not.toHaveBeenCalled();
  });
});
