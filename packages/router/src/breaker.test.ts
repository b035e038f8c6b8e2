import {
  ProviderUnavailableError,
  REASON_CODES,
  type Reason,
  reasonKind,
  ValidationError,
} from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { countsAsBreakerFailure, LocalFailure, ProviderBreakers } from './breaker.js';
import { RouterEventBus, type RouterEvents } from './events.js';

const options = {
  volumeThreshold: 4,
  errorThresholdPercentage: 50,
  resetTimeout: 60_000,
  rollingCountTimeout: 60_000,
  rollingCountBuckets: 6,
};

function setup() {
  const events = new RouterEventBus();
  const seen: { calls: RouterEvents['provider.call'][]; states: RouterEvents['breaker.state'][] } = {
    calls: [],
    states: [],
  };
  events.on('provider.call', (event) => seen.calls.push(event));
  events.on('breaker.state', (event) => seen.states.push(event));
  const breakers = new ProviderBreakers(['vf-a', 'vf-b'], options, events);
  return { breakers, seen };
}

const outcome = (state: 'unknown' | 'failed' | 'succeeded' | 'pending', reason: Reason | null) => ({
  state,
  reason,
});

describe('countsAsBreakerFailure', () => {
  it('counts transport, request-level and integrity faults, never a decline, a success, pending, "not found", insufficient funds or a request that never left', () => {
    for (const reason of REASON_CODES) {
      const kind = reasonKind(reason);
      // insufficient_funds (-2): the agent's money, not the provider's health (issue 11).
      const expected =
        kind !== 'decline' &&
        kind !== 'local' &&
        reason !== 'not_found' &&
        reason !== 'aborted' &&
        reason !== 'insufficient_funds';
      expect(countsAsBreakerFailure(outcome('unknown', reason)), reason).toBe(expected);
      expect(countsAsBreakerFailure(outcome('failed', reason)), reason).toBe(false);
    }
    expect(countsAsBreakerFailure(outcome('succeeded', null))).toBe(false);
    expect(countsAsBreakerFailure(outcome('pending', null))).toBe(false);
  });
});

describe('ProviderBreakers', () => {
  it('stays closed through any number of -2 answers (insufficient funds is not an outage)', async () => {
    const { breakers, seen } = setup();
    const broke = async () => outcome('unknown', 'insufficient_funds');
    for (let i = 0; i < 20; i++) {
      expect(await breakers.run('vf-a', 'pay', broke, (value) => value)).toEqual(
        outcome('unknown', 'insufficient_funds'),
      );
    }
    expect(breakers.state('vf-a')).toBe('closed');
    expect(breakers.admits('vf-a')).toBe(true);
    expect(seen.states).toEqual([]);
    expect(seen.calls).toHaveLength(20);
  });

  it('opens after transport faults past the volume threshold, then refuses without calling', async () => {
    const { breakers, seen } = setup();
    let sent = 0;
    const timeout = async () => {
      sent += 1;
      return outcome('unknown', 'timeout');
    };
    for (let i = 0; i < 4; i++) {
      expect(await breakers.run('vf-a', 'checkAccount', timeout, (value) => value)).toEqual(
        outcome('unknown', 'timeout'),
      );
    }
    expect(breakers.state('vf-a')).toBe('open');
    expect(breakers.admits('vf-a')).toBe(false);
    expect(breakers.admits('vf-b')).toBe(true);
    await expect(breakers.run('vf-a', 'pay', timeout, (value) => value)).rejects.toSatisfy((error) =>
      ProviderUnavailableError.is(error),
    );
    expect(sent).toBe(4);
    expect(seen.states).toEqual([{ provider: 'vf-a', state: 'open', previous: 'closed' }]);
    expect(seen.calls.at(-1)).toMatchObject({ provider: 'vf-a', operation: 'pay', rejected: true });
    expect(seen.calls.filter((call) => !call.rejected)).toHaveLength(4);
    breakers.shutdown();
  });

  it('stays closed through any number of declines and missing accounts', async () => {
    const { breakers, seen } = setup();
    for (let i = 0; i < 20; i++) {
      await breakers.run(
        'vf-a',
        'pay',
        async () => outcome('failed', 'account_not_found'),
        (value) => value,
      );
      await breakers.run(
        'vf-a',
        'getStatus',
        async () => outcome('unknown', 'not_found'),
        (value) => value,
      );
    }
    expect(breakers.state('vf-a')).toBe('closed');
    expect(seen.states).toEqual([]);
    breakers.shutdown();
  });

  it('ignores errors thrown before sending and journal failures, and rethrows them unwrapped', async () => {
    const { breakers, seen } = setup();
    const local = new Error('disk full');
    for (let i = 0; i < 10; i++) {
      await expect(
        breakers.run(
          'vf-a',
          'pay',
          async () => {
            throw new ValidationError('account', 'bad');
          },
          () => null,
        ),
      ).rejects.toSatisfy((error) => ValidationError.is(error));
      await expect(
        breakers.run(
          'vf-a',
          'pay',
          async () => {
            throw new LocalFailure(local);
          },
          () => null,
        ),
      ).rejects.toBe(local);
    }
    expect(breakers.state('vf-a')).toBe('closed');
    expect(seen.calls).toEqual([]);
    breakers.shutdown();
  });

  it('counts an unexpected exception from the provider as a failure', async () => {
    const { breakers, seen } = setup();
    for (let i = 0; i < 4; i++) {
      await expect(
        breakers.run(
          'vf-b',
          'getStatus',
          async () => {
            throw new TypeError('boom');
          },
          () => null,
        ),
      ).rejects.toThrow('boom');
    }
    expect(breakers.state('vf-b')).toBe('open');
    // Reported as unknown with a canonical reason, like the outcome the router journals for it.
    expect(seen.calls[0]).toMatchObject({ provider: 'vf-b', state: 'unknown', reason: 'request_failed' });
    breakers.shutdown();
  });

  it('half-opens after the reset timeout, lets exactly one probe through and closes on its success', async () => {
    const events = new RouterEventBus();
    const states: string[] = [];
    events.on('breaker.state', (event) => states.push(`${event.previous}->${event.state}`));
    const breakers = new ProviderBreakers(
      ['vf-a'],
      { ...options, volumeThreshold: 1, resetTimeout: 30 },
      events,
    );
    await breakers.run(
      'vf-a',
      'pay',
      async () => outcome('unknown', 'connection_lost'),
      (value) => value,
    );
    expect(breakers.state('vf-a')).toBe('open');
    await expect.poll(() => breakers.state('vf-a'), { timeout: 5_000 }).toBe('half_open');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const probe = breakers.run(
      'vf-a',
      'checkAccount',
      async () => {
        await gate;
        return outcome('succeeded', null);
      },
      (value) => value,
    );
    expect(breakers.admits('vf-a')).toBe(false);
    await expect(
      breakers.run(
        'vf-a',
        'checkAccount',
        async () => outcome('succeeded', null),
        (value) => value,
      ),
    ).rejects.toSatisfy((error) => ProviderUnavailableError.is(error));
    release();
    await probe;
    expect(breakers.state('vf-a')).toBe('closed');
    expect(states).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    breakers.shutdown();
  });

  it('does not close a half-open breaker on a probe that never reached the provider: it opens again', async () => {
    const events = new RouterEventBus();
    const states: string[] = [];
    events.on('breaker.state', (event) => states.push(`${event.previous}->${event.state}`));
    const breakers = new ProviderBreakers(
      ['vf-a'],
      { ...options, volumeThreshold: 1, resetTimeout: 30 },
      events,
    );
    await breakers.run(
      'vf-a',
      'pay',
      async () => outcome('unknown', 'connection_lost'),
      (value) => value,
    );
    await expect.poll(() => breakers.state('vf-a'), { timeout: 5_000 }).toBe('half_open');
    // The probe fails before sending (bad input, a journal write): it says nothing about the provider.
    await expect(
      breakers.run(
        'vf-a',
        'pay',
        async () => {
          throw new ValidationError('account', 'does not match the service pattern');
        },
        () => null,
      ),
    ).rejects.toSatisfy((error) => ValidationError.is(error));
    expect(breakers.state('vf-a')).toBe('open');
    expect(states).toEqual(['closed->open', 'open->half_open', 'half_open->open']);
    // While closed, the same error is still ignored: it never opens a healthy breaker.
    breakers.close('vf-a');
    for (let i = 0; i < 5; i++) {
      await expect(
        breakers.run(
          'vf-a',
          'pay',
          async () => {
            throw new ValidationError('account', 'bad');
          },
          () => null,
        ),
      ).rejects.toSatisfy((error) => ValidationError.is(error));
    }
    expect(breakers.state('vf-a')).toBe('closed');
    breakers.shutdown();
  });

  it('a request that never left (not_dispatched) neither opens nor closes the breaker, and reports no latency', async () => {
    const { breakers, seen } = setup();
    for (let i = 0; i < 20; i++) {
      const value = await breakers.run(
        'vf-a',
        'pay',
        async () => outcome('unknown', 'not_dispatched'),
        (result) => result,
      );
      expect(value).toEqual(outcome('unknown', 'not_dispatched'));
    }
    expect(breakers.state('vf-a')).toBe('closed');
    expect(seen.calls).toHaveLength(20);
    expect(seen.calls.every((call) => call.durationMs === 0 && !call.rejected)).toBe(true);
    breakers.shutdown();
  });

  it('a half-open probe that never left the client opens the breaker again instead of closing it', async () => {
    const events = new RouterEventBus();
    const states: string[] = [];
    events.on('breaker.state', (event) => states.push(`${event.previous}->${event.state}`));
    const breakers = new ProviderBreakers(
      ['vf-a'],
      { ...options, volumeThreshold: 1, resetTimeout: 30 },
      events,
    );
    await breakers.run(
      'vf-a',
      'pay',
      async () => outcome('unknown', 'connection_lost'),
      (value) => value,
    );
    await expect.poll(() => breakers.state('vf-a'), { timeout: 5_000 }).toBe('half_open');
    const probe = await breakers.run(
      'vf-a',
      'pay',
      async () => outcome('unknown', 'not_dispatched'),
      (value) => value,
    );
    expect(probe).toEqual(outcome('unknown', 'not_dispatched'));
    expect(breakers.state('vf-a')).toBe('open');
    expect(states).toEqual(['closed->open', 'open->half_open', 'half_open->open']);
    breakers.shutdown();
  });

  it('measures a call from its last started(): a provider restarts the clock when its request leaves its queue', async () => {
    const events = new RouterEventBus();
    const calls: RouterEvents['provider.call'][] = [];
    events.on('provider.call', (event) => calls.push(event));
    let now = 1_000;
    const breakers = new ProviderBreakers(['vf-a'], options, events, () => now);
    await breakers.run(
      'vf-a',
      'pay',
      async (call) => {
        now += 5; // journal writes
        call.started();
        now += 700; // waiting for a free connection, inside the provider
        call.started(); // the provider's onDispatch
        now += 120; // at the provider
        return outcome('pending', null);
      },
      (value) => value,
    );
    expect(calls).toEqual([expect.objectContaining({ state: 'pending', durationMs: 120, rejected: false })]);
    breakers.shutdown();
  });
});
