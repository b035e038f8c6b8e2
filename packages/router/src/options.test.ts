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
