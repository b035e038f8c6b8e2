import { readFileSync } from 'node:fs';
import { ConfigError, createMemoryJournal } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAILOVER_REASONS, type RouterOptions, resolveOptions } from './options.js';

function base(): RouterOptions {
  return {
    providers: [new FakeProvider('vf-a'), new FakeProvider('vf-b')],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    journal: createMemoryJournal(),
  };
}

function configError(options: unknown): ConfigError {
  try {
    resolveOptions(options as RouterOptions);
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('router options', () => {
  it('fills every default', () => {
    const resolved = resolveOptions(base());
    expect(resolved.breaker).toEqual({
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
      resetTimeout: 30_000,
      rollingCountTimeout: 60_000,
      rollingCountBuckets: 6,
    });
    expect(resolved.failover.onReasons).toEqual([
      'provider_technical',
      'operator_error',
      'operator_forbidden',
    ]);
    expect(resolved.finalizer).toMatchObject({ firstDelayMs: 10_000, growth: 2, batchSize: 15 });
    expect(resolved.instanceId).toMatch(/:\d+:/);
    expect(resolved.closeResources).toBe(true);
    expect(resolved.callbacks).toEqual({ minCheckIntervalMs: 5_000 });
    // Reading balances and settings sends requests: off unless asked for.
    expect(resolved.routing).toEqual({
      successRate: { window: 100, maxAgeMs: 600_000, minSamples: 10, tolerance: 0.05, exploration: 0.05 },
    });
    expect(resolveOptions({ ...base(), routing: { balances: {}, services: {} } }).routing).toMatchObject({
      balances: { refreshMs: 60_000, timeoutMs: 10_000, shareMs: 5_000, reserve: {} },
      services: { refreshMs: 3_600_000, timeoutMs: 10_000 },
    });
  });

  it('takes a route in either form, with conditions, weights, fees and a RegExp or its source', () => {
    const resolved = resolveOptions({
      ...base(),
      routes: {
        steam: [
          {
            provider: 'vf-a',
            serviceId: '7',
            when: { minAmount: '1', maxAmount: '1000.00', account: /^[a-z]/i },
          },
        ],
        games: {
          strategy: 'cheapest',
          targets: [
            { provider: 'vf-a', serviceId: '7', fee: '-0.5', weight: 2 },
            { provider: 'vf-b', serviceId: '7', when: { account: '^\\d+$' }, maxInFlight: 3 },
          ],
        },
      },
    });
    expect(Object.keys(resolved.routes)).toEqual(['steam', 'games']);
    expect(resolved.routes.games).toMatchObject({ strategy: 'cheapest' });
  });

  it.each([
    [
      'a route naming an unknown provider',
      { routes: { steam: [{ provider: 'vf-x', serviceId: '7' }] } },
      'routes.steam.0.provider',
    ],
    ['an empty route', { routes: { steam: [] } }, 'routes.steam'],
    [
      'a route listing a provider twice',
      {
        routes: {
          steam: [
            { provider: 'vf-a', serviceId: '7' },
            { provider: 'vf-a', serviceId: '8' },
          ],
        },
      },
      'routes.steam.1.provider',
    ],
    [
      'a target without service id',
      { routes: { steam: [{ provider: 'vf-a' }] } },
      'routes.steam.0.serviceId',
    ],
    [
      'an unknown route currency',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', currency: 'ZZZ' }] } },
      'routes.steam.0.currency',
    ],
    ['no providers', { providers: [] }, 'providers'],
    ['something that is not a provider', { providers: [{ id: 'x' }] }, 'providers.0'],
    ['a missing journal', { journal: undefined }, 'journal'],
    ['a failover reason that is not final', { failover: { onReasons: ['timeout'] } }, 'failover.onReasons.0'],
    ['an unknown failover reason', { failover: { onReasons: ['route_gone'] } }, 'failover.onReasons.0'],
    ['a negative first delay', { finalizer: { firstDelayMs: -1 } }, 'finalizer.firstDelayMs'],
    [
      'a cap below the first delay',
      { finalizer: { firstDelayMs: 5_000, maxDelayMs: 1_000 } },
      'finalizer.maxDelayMs',
    ],
    ['jitter above 1', { finalizer: { jitter: 2 } }, 'finalizer.jitter'],
    ['an unknown finalizer option', { finalizer: { firstDelay: 5 } }, 'finalizer.firstDelay'],
    ['an unknown breaker option', { breaker: { timeout: 5 } }, 'breaker.timeout'],
    ['a misspelt top-level option', { finaliser: { firstDelayMs: 5 } }, 'finaliser'],
    [
      'a poll interval setTimeout cannot wait',
      { finalizer: { pollIntervalMs: 3e9 } },
      'finalizer.pollIntervalMs',
    ],
    ['a reset timeout as a string', { breaker: { resetTimeout: '1e3' } }, 'breaker.resetTimeout'],
    ['an onError that is not a function', { onError: 5 }, 'onError'],
    [
      'a negative callback interval',
      { callbacks: { minCheckIntervalMs: -1 } },
      'callbacks.minCheckIntervalMs',
    ],
    [
      'a callback interval as a string',
      { callbacks: { minCheckIntervalMs: '5000' } },
      'callbacks.minCheckIntervalMs',
    ],
    [
      'a fractional callback interval',
      { callbacks: { minCheckIntervalMs: 2.5 } },
      'callbacks.minCheckIntervalMs',
    ],
    ['an unknown callbacks option', { callbacks: { interval: 5 } }, 'callbacks.interval'],
    [
      'a weight on an ordered route (no strategy reads it there)',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', weight: 2 }] } },
      'routes.steam.0.weight',
    ],
    [
      'a fee on a route that is not cheapest',
      {
        routes: {
          steam: { strategy: 'weighted', targets: [{ provider: 'vf-a', serviceId: '7', fee: '1.5' }] },
        },
      },
      'routes.steam.targets.0.fee',
    ],
    [
      'an unknown strategy',
      { routes: { steam: { strategy: 'fastest', targets: [{ provider: 'vf-a', serviceId: '7' }] } } },
      'routes.steam.strategy',
    ],
    [
      'a strategy route without targets',
      { routes: { steam: { strategy: 'weighted', targets: [] } } },
      'routes.steam.targets',
    ],
    [
      'a strategy route naming an unknown provider',
      {
        routes: {
          steam: {
            strategy: 'weighted',
            targets: [
              { provider: 'vf-a', serviceId: '7' },
              { provider: 'vf-x', serviceId: '7' },
            ],
          },
        },
      },
      'routes.steam.targets.1.provider',
    ],
    [
      'a misspelt key of a strategy route',
      { routes: { steam: { strategy: 'weighted', target: [] } } },
      'routes.steam.target',
    ],
    ['a route that is neither a list nor a strategy', { routes: { steam: 'vf-a' } }, 'routes.steam'],
    [
      'a negative weight',
      {
        routes: {
          steam: { strategy: 'weighted', targets: [{ provider: 'vf-a', serviceId: '7', weight: -1 }] },
        },
      },
      'routes.steam.targets.0.weight',
    ],
    [
      'a fee that is a number',
      {
        routes: {
          steam: { strategy: 'cheapest', targets: [{ provider: 'vf-a', serviceId: '7', fee: 1.5 }] },
        },
      },
      'routes.steam.targets.0.fee',
    ],
    [
      'a condition whose minimum is above its maximum',
      {
        routes: {
          steam: [{ provider: 'vf-a', serviceId: '7', when: { minAmount: '500.00', maxAmount: '100.00' } }],
        },
      },
      'routes.steam.0.when.maxAmount',
    ],
    [
      'a condition amount with three decimals',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', when: { minAmount: '1.005' } }] } },
      'routes.steam.0.when.minAmount',
    ],
    [
      'an account pattern that is not a regular expression',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', when: { account: '(' } }] } },
      'routes.steam.0.when.account',
    ],
    [
      'a misspelt condition',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', when: { amountMax: '1.00' } }] } },
      'routes.steam.0.when.amountMax',
    ],
    [
      'a zero maxInFlight',
      { routes: { steam: [{ provider: 'vf-a', serviceId: '7', maxInFlight: 0 }] } },
      'routes.steam.0.maxInFlight',
    ],
    ['a misspelt routing option', { routing: { balance: {} } }, 'routing.balance'],
    [
      'a balance refresh setTimeout cannot wait',
      { routing: { balances: { refreshMs: 3e9 } } },
      'routing.balances.refreshMs',
    ],
    [
      'a reserve that is not a decimal',
      { routing: { balances: { reserve: { KZT: '1e3' } } } },
      'routing.balances.reserve.KZT',
    ],
    [
      'a reserve in an unknown currency',
      { routing: { balances: { reserve: { ZZZ: '1.00' } } } },
      'routing.balances.reserve.ZZZ',
    ],
    ['a misspelt services option', { routing: { services: { refresh: 1 } } }, 'routing.services.refresh'],
    [
      'exploration above 1',
      { routing: { successRate: { exploration: 1.5 } } },
      'routing.successRate.exploration',
    ],
    [
      'minSamples above the window',
      { routing: { successRate: { window: 10, minSamples: 20 } } },
      'routing.successRate.minSamples',
    ],
  ])('refuses %s, naming the option', (_name, override, option) => {
    const error = configError({ ...base(), ...override });
    expect(error.option).toBe(option);
  });

  it('refuses duplicate provider ids', () => {
    const error = configError({ ...base(), providers: [new FakeProvider('vf-a'), new FakeProvider('vf-a')] });
    expect(error.option).toBe('providers.1.id');
    expect(error.message).toContain('duplicate');
  });

  it('refuses a non-object', () => {
    expect(configError(null).option).toBe('options');
  });
});

/** The reasons a "Default: a, b, c" or "defaults to `a`, `b`, `c`" phrase names, in order. */
function defaultsNamed(text: string, lead: RegExp): string[] {
  const match = lead.exec(text.replace(/\s*\n\s*(\*\s*)?/g, ' '));
  if (match === null) throw new Error(`no ${String(lead)} in the text`);
  return [...(match[1] ?? '').matchAll(/[a-z]+(?:_[a-z]+)+/g)].map((found) => found[0]);
}

describe('the documented failover default is the default', () => {
  it('FailoverOptions.onReasons JSDoc names exactly DEFAULT_FAILOVER_REASONS', () => {
    const source = readFileSync(new URL('./options.ts', import.meta.url), 'utf8');
    const doc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*onReasons\?:/.exec(source)?.[1];
    expect(doc, 'the JSDoc of onReasons').toBeDefined();
    expect(defaultsNamed(doc ?? '', /Default: ([^.]*)\./)).toEqual([...DEFAULT_FAILOVER_REASONS]);
  });

  it('the README names exactly DEFAULT_FAILOVER_REASONS', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(defaultsNamed(readme, /`failover\.onReasons` defaults to ([^;.]*)[;.]/)).toEqual([
      ...DEFAULT_FAILOVER_REASONS,
    ]);
  });
});
