import type { BalanceResult, CallOptions } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { balanceResult, fakeRouter } from '../test/fake-router.js';
import { find, parseScrape, value } from '../test/scrape-text.js';
import { instrumentRouter } from './instrument-router.js';

const scrape = async (registry: Registry) => parseScrape(await registry.metrics());

const KZT_AND_USD = balanceResult([
  { currency: 'KZT', balance: '1500000.50', overdraft: '200000.00' },
  { currency: 'USD', balance: '-12.25', overdraft: '100.00' },
]);

afterEach(() => {
  vi.useRealTimers();
});

describe('balance poller', () => {
  it('is off by default: no balance is asked for and no balance series exist', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry });
    await instrumentation.pollBalances();
    expect(getBalance).not.toHaveBeenCalled();
    expect(find(await scrape(registry), 'tolem_provider_balance')).toHaveLength(0);
    instrumentation.stop();
  });

  it('exports balance and overdraft per provider and currency, and counts the poll as a getBalance call', async () => {
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const noBalance = new FakeProvider('vf-nobalance');
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance }), noBalance]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: { intervalMs: 60_000 } });
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

  it('times a poll from when the provider says its request left its queue (onDispatch), not from the call', async () => {
    const getBalance = vi.fn(async (options?: CallOptions) => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // waiting for a free connection
      options?.onDispatch?.();
      return KZT_AND_USD;
    });
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: { intervalMs: 60_000 } });
    await instrumentation.pollBalances();
    const s = await scrape(registry);
    const labels = { provider: 'vf-a', operation: 'getBalance' };
    expect(value(s, 'tolem_provider_request_duration_seconds_count', labels)).toBe(1);
    expect(value(s, 'tolem_provider_request_duration_seconds_sum', labels)).toBeLessThan(0.3);
    instrumentation.stop();
  });

  it('keeps only the currencies asked for', async () => {
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance: async () => KZT_AND_USD })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, {
      registry,
      balance: { intervalMs: 60_000, currencies: ['KZT'] },
    });
    await instrumentation.pollBalances();
    const s = await scrape(registry);
    expect(find(s, 'tolem_provider_balance').map((sample) => sample.labels.currency)).toEqual(['KZT']);
    instrumentation.stop();
  });

  it('keeps the last balance when a poll fails, counts the failure, and drops a currency no longer reported', async () => {
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
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, balance: { intervalMs: 60_000 } });
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

  it('polls again every intervalMs, one poll at a time, and stops for good on stop()', async () => {
    vi.useFakeTimers();
    const getBalance = vi.fn(async () => KZT_AND_USD);
    const router = fakeRouter([new FakeProvider('vf-a', { getBalance })]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, {
      registry,
      balance: { intervalMs: 30_000, timeoutMs: 5_000 },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(getBalance).toHaveBeenCalledTimes(1);
    expect(getBalance.mock.calls[0]).toEqual([expect.objectContaining({ timeoutMs: 5_000 })]);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(getBalance).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(getBalance).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(90_000);
    expect(getBalance).toHaveBeenCalledTimes(5);
    instrumentation.stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(getBalance).toHaveBeenCalledTimes(5);
  });

  it('aborts a poll in flight on stop() and reports a throwing provider through onError, not as an outcome', async () => {
    let signal: AbortSignal | undefined;
    let release: () => void = () => {};
    const hanging = vi.fn(
      (options?: { signal?: AbortSignal }) =>
        new Promise<BalanceResult>((resolve) => {
          signal = options?.signal;
          release = () => resolve(KZT_AND_USD);
        }),
    );
    const throwing = vi.fn(async (): Promise<BalanceResult> => {
      throw new Error('validation failed before sending');
    });
    const onError = vi.fn();
    const router = fakeRouter([
      new FakeProvider('vf-a', { getBalance: hanging }),
      new FakeProvider('vf-b', { getBalance: throwing }),
    ]);
    const registry = new Registry();
    const instrumentation = instrumentRouter(router, { registry, onError, balance: { intervalMs: 60_000 } });
    await vi.waitFor(() => expect(throwing).toHaveBeenCalled());
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'validation failed before sending' }),
      'balance',
    );
    expect(signal?.aborted).toBe(false);
    const s = await scrape(registry);
    expect(
      find(s, 'tolem_provider_requests_total', { provider: 'vf-b', operation: 'getBalance' }).every(
        (x) => x.value === 0,
      ),
    ).toBe(true);
    instrumentation.stop();
    expect(signal?.aborted).toBe(true);
    release();
  });
});
