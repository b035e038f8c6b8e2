import { ConfigError, createMemoryJournal, TolemError, ValidationError } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { harness } from '../test/harness.js';
import { createRouter } from './router.js';
import type { Router } from './types.js';

/**
 * Hostile values at the router's public entry points: a typed error naming the field, before any
 * provider is called — never a TypeError from deep inside, never a silent default.
 */

async function rejection(run: () => unknown): Promise<TolemError> {
  try {
    await run();
  } catch (error) {
    if (TolemError.isTolemError(error)) return error;
    throw new Error(`expected a tolem error, got ${String(error)}`);
  }
  throw new Error('expected an error, got none');
}

const fieldOf = (error: TolemError) => (error as ValidationError | ConfigError).field;

describe('createRouter refuses hostile options', () => {
  const base = () => ({
    providers: [new FakeProvider('vf-a')],
    routes: { steam: [{ provider: 'vf-a', serviceId: '7' }] },
    journal: createMemoryJournal(),
  });

  it.each<[string, unknown, string]>([
    ['undefined', undefined, 'options'],
    ['null', null, 'options'],
    ['a number', 5, 'options'],
    ['no providers', { ...base(), providers: [] }, 'providers'],
    ['providers: null', { ...base(), providers: null }, 'providers'],
    ['an empty route', { ...base(), routes: { steam: [] } }, 'routes.steam'],
    ['routes: null', { ...base(), routes: null }, 'routes'],
    [
      'a route to an unknown provider',
      { ...base(), routes: { steam: [{ provider: 'x', serviceId: '7' }] } },
      'routes.steam.0.provider',
    ],
    [
      'a numeric service id',
      { ...base(), routes: { steam: [{ provider: 'vf-a', serviceId: 7 }] } },
      'routes.steam.0.serviceId',
    ],
    [
      'an unknown route currency',
      { ...base(), routes: { steam: [{ provider: 'vf-a', serviceId: '7', currency: 'XTS' }] } },
      'routes.steam.0.currency',
    ],
    ['a journal that is not one', { ...base(), journal: {} }, 'journal'],
    ['a negative lease', { ...base(), finalizer: { leaseMs: -5 } }, 'finalizer.leaseMs'],
    ['a NaN first delay', { ...base(), finalizer: { firstDelayMs: Number.NaN } }, 'finalizer.firstDelayMs'],
    ['a string reset timeout', { ...base(), breaker: { resetTimeout: '1e3' } }, 'breaker.resetTimeout'],
    ['a clock that is a number', { ...base(), clock: 5 }, 'clock'],
    ['closeResources as a string', { ...base(), closeResources: 'no' }, 'closeResources'],
    ['a misspelt option', { ...base(), finaliser: {} }, 'finaliser'],
  ])('%s → ConfigError naming the option', async (_label, options, field) => {
    const error = await rejection(() => createRouter(options as never));
    expect(ConfigError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
  });
});

describe('router operations refuse hostile input before any provider is called', () => {
  let router: Router | null = null;
  afterEach(async () => {
    await router?.stop();
    router = null;
  });

  const good = {
    paymentId: 'order-1',
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
  };
  const values: [string, unknown][] = [
    ['service', undefined],
    ['service', 5],
    ['service', ''],
    ['service', 'nope'],
    ['service', '__proto__'],
    ['account', null],
    ['account', 123],
    ['account', ''],
    ['amount', undefined],
    ['amount', 100],
    ['amount', '1e3'],
    ['amount', '10.001'],
    ['amount', '-5'],
    ['amount', ''],
    ['amount', 'NaN'],
    ['currency', undefined],
    ['currency', 'XTS'],
    ['currency', 398],
  ];
  const payOnly: [string, unknown][] = [
    ['paymentId', undefined],
    ['paymentId', 42],
    ['paymentId', ''],
    ['paymentId', 'has space'],
    ['paymentId', 'x'.repeat(129)],
    ['account', 'a'.repeat(201)],
    ['sendType', 'email'],
    ['invoiceId', 5],
    ['services', 5],
  ];

  it.each([...values, ...payOnly])('pay with %s = %j → ValidationError naming it', async (field, value) => {
    const h = harness();
    router = h.router;
    const error = await rejection(() => h.router.pay({ ...good, [field]: value } as never));
    expect(ValidationError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
    expect(h.a.calls).toEqual([]);
    expect(await h.journal.list({})).toEqual([]);
  });

  it.each(
    values.flatMap(([field, value]) => [
      ['checkAccount', field, value] as const,
      ['quote', field, value] as const,
    ]),
  )('%s with %s = %j → ValidationError naming it', async (operation, field, value) => {
    const h = harness();
    router = h.router;
    const { paymentId: _unused, ...request } = good;
    const error = await rejection(() => h.router[operation]({ ...request, [field]: value } as never));
    expect(ValidationError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
    expect(h.a.calls).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['null options', null, 'options'],
    ['a signal that is a number', { signal: 5 }, 'signal'],
    ['a negative timeout', { timeoutMs: -5 }, 'timeoutMs'],
    ['a string timeout', { timeoutMs: '1e3' }, 'timeoutMs'],
  ])('pay, checkAccount and quote refuse %s', async (_label, options, field) => {
    const h = harness();
    router = h.router;
    const { paymentId: _unused, ...request } = good;
    for (const run of [
      () => h.router.pay(good, options as never),
      () => h.router.checkAccount(request, options as never),
      () => h.router.quote(request, options as never),
    ]) {
      const error = await rejection(run);
      expect(ValidationError.is(error)).toBe(true);
      expect(fieldOf(error)).toBe(field);
    }
    expect(h.a.calls).toEqual([]);
    expect(await h.journal.list({})).toEqual([]);
  });

  it.each<[string, unknown, unknown, string]>([
    ['an undefined payment id', undefined, {}, 'paymentId'],
    ['a numeric payment id', 42, {}, 'paymentId'],
    ['an empty payment id', '', {}, 'paymentId'],
    ['null options', 'order-1', null, 'options'],
    ['a negative timeout', 'order-1', { timeoutMs: -5 }, 'timeoutMs'],
    ['a string timeout', 'order-1', { timeoutMs: '1e3' }, 'timeoutMs'],
    ['NaN', 'order-1', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['a timeout setTimeout would fire at once', 'order-1', { timeoutMs: 3e9 }, 'timeoutMs'],
    ['a signal that is a number', 'order-1', { signal: 5 }, 'signal'],
  ])('waitForFinal refuses %s', async (_label, paymentId, options, field) => {
    const h = harness();
    router = h.router;
    await h.router.pay(good);
    const error = await rejection(() => h.router.waitForFinal(paymentId as never, options as never));
    expect(ValidationError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
  });

  it('getPayment and reconcile refuse values that are not ids or ranges', async () => {
    const h = harness();
    router = h.router;
    expect(fieldOf(await rejection(() => h.router.getPayment(undefined as never)))).toBe('paymentId');
    expect(fieldOf(await rejection(() => h.router.reconcile('vf-a', null as never)))).toBe('range');
    expect(
      fieldOf(
        await rejection(() =>
          h.router.reconcile('vf-a', { from: new Date(2), to: new Date(1) }, null as never),
        ),
      ),
    ).toBe('options');
  });

  it.each<[string, unknown, unknown]>([
    ['an unknown provider', 'nope', '{}'],
    ['a provider id that is not a string', 5, '{}'],
    ['an undefined body', 'vf-a', undefined],
    ['a body that is a number', 'vf-a', 5],
    ['an empty body', 'vf-a', ''],
  ])('handleCallback answers %s with "invalid" and changes nothing', async (_label, providerId, body) => {
    const h = harness();
    router = h.router;
    const handled = await h.router.handleCallback(providerId as never, body as never);
    expect(handled).toEqual({ result: 'invalid', paymentId: null, state: null });
    expect(h.a.calls).toEqual([]);
  });
});
