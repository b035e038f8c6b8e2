import { type Clock, ConfigError, createMemoryJournal, REASON_CODES } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { fakeRouter } from '../test/fake-router.js';
import { find, parseScrape, value } from '../test/scrape-text.js';
import { instrumentRouter } from './instrument-router.js';

const scrape = async (registry: Registry) => parseScrape(await registry.metrics());

function manualClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return { now: () => new Date(now), set: (iso) => (now = new Date(iso)) };
}

function setup(options: { maxServices?: number } = {}) {
  const clock = manualClock('2026-03-01T10:00:00.000Z');
  const journal = createMemoryJournal({ clock });
  const router = fakeRouter([new FakeProvider('vf-a'), new FakeProvider('vf-b')], journal);
  router.breakers.set('vf-b', 'open');
  const registry = new Registry();
  const instrumentation = instrumentRouter(router, { registry, clock, ...options });
  return { clock, journal, router, registry, instrumentation };
}

describe('instrumentRouter: provider calls', () => {
  it('counts each call by provider, operation, state and reason, and times calls that reached the provider', async () => {
    const { router, registry } = setup();
    router.events.emit('provider.call', {
      provider: 'vf-a',
      operation: 'pay',
      state: 'succeeded',
      reason: null,
      durationMs: 120,
      rejected: false,
    });
    router.events.emit('provider.call', {
      provider: 'vf-a',
      operation: 'pay',
      state: 'unknown',
      reason: 'timeout',
      durationMs: 60_000,
      rejected: false,
    });
    router.events.emit('provider.call', {
      provider: 'vf-a',
      operation: 'pay',
      state: 'unknown',
      reason: null,
      durationMs: 0,
      rejected: true,
    });
    // Never left the provider's own queue: counted by its reason, but no latency sample either.
    router.events.emit('provider.call', {
      provider: 'vf-a',
      operation: 'pay',
      state: 'unknown',
      reason: 'not_dispatched',
      durationMs: 0,
      rejected: false,
    });
    const s = await scrape(registry);
    const requests = 'tolem_provider_requests_total';
    expect(
      value(s, requests, { provider: 'vf-a', operation: 'pay', state: 'succeeded', reason: 'none' }),
    ).toBe(1);
    expect(
      value(s, requests, { provider: 'vf-a', operation: 'pay', state: 'unknown', reason: 'timeout' }),
    ).toBe(1);
    // A breaker refusal sent nothing: its own state, and no latency sample.
    expect(
      value(s, requests, { provider: 'vf-a', operation: 'pay', state: 'rejected', reason: 'breaker_open' }),
    ).toBe(1);
    expect(
      value(s, requests, { provider: 'vf-a', operation: 'pay', state: 'unknown', reason: 'not_dispatched' }),
    ).toBe(1);
    const duration = 'tolem_provider_request_duration_seconds';
    expect(value(s, `${duration}_count`, { provider: 'vf-a', operation: 'pay' })).toBe(2);
    expect(value(s, `${duration}_sum`, { provider: 'vf-a', operation: 'pay' })).toBeCloseTo(60.12, 6);
    expect(value(s, `${duration}_bucket`, { provider: 'vf-a', operation: 'pay', le: '0.25' })).toBe(1);
    expect(value(s, `${duration}_bucket`, { provider: 'vf-a', operation: 'pay', le: '60' })).toBe(2);
  });

  it('keeps labels on closed lists: unknown providers, operations and reasons become "other"', async () => {
    const { router, registry } = setup();
    router.events.emit('provider.call', {
      provider: 'attacker-chosen-id',
      operation: 'dropTables' as 'pay',
      state: 'failed',
      reason: 'my_reason' as 'timeout',
      durationMs: 5,
      rejected: false,
    });
    const s = await scrape(registry);
    expect(
      value(s, 'tolem_provider_requests_total', {
        provider: 'other',
        operation: 'other',
        state: 'failed',
        reason: 'other',
      }),
    ).toBe(1);
    expect(s.samples.some((sample) => Object.values(sample.labels).includes('attacker-chosen-id'))).toBe(
      false,
    );
  });

  it('pre-creates every outcome the model allows per provider and core operation at zero', async () => {
    const { registry } = setup();
    const s = await scrape(registry);
    for (const provider of ['vf-a', 'vf-b']) {
      for (const operation of ['checkAccount', 'pay', 'getStatus']) {
        const series = find(s, 'tolem_provider_requests_total', { provider, operation });
        expect(series).toHaveLength(REASON_CODES.length + 3);
        expect(series.every((sample) => sample.value === 0)).toBe(true);
        expect(
          value(s, 'tolem_provider_requests_total', { provider, operation, reason: 'auth_failed' }),
        ).toBe(0);
        expect(value(s, 'tolem_provider_request_duration_seconds_count', { provider, operation })).toBe(0);
      }
      // Balance polling is off: no getBalance series.
      expect(find(s, 'tolem_provider_requests_total', { provider, operation: 'getBalance' })).toHaveLength(0);
      expect(value(s, 'tolem_payment_finalization_seconds_count', { provider })).toBe(0);
      for (const state of ['closed', 'half_open', 'open']) {
        expect(value(s, 'tolem_circuit_breaker_transitions_total', { provider, state })).toBe(0);
      }
      for (const state of ['succeeded', 'failed']) {
        for (const confirmation of ['provider', 'journal', 'evidence']) {
          expect(value(s, 'tolem_payments_resolved_total', { provider, state, confirmation })).toBe(0);
        }
      }
      for (const result of ['confirmed', 'unchanged', 'throttled', 'rejected', 'invalid']) {
        expect(value(s, 'tolem_callbacks_total', { provider, result })).toBe(0);
      }
    }
    // The declined-payment reasons sit under "failed", the rest under "unknown".
    expect(
      value(s, 'tolem_provider_requests_total', {
        provider: 'vf-a',
        operation: 'pay',
        reason: 'account_not_found',
      }),
    ).toBe(0);
    expect(
      find(s, 'tolem_provider_requests_total', { reason: 'account_not_found', state: 'failed' }),
    ).toHaveLength(6);
  });
});

describe('instrumentRouter: payments, breakers, failovers, callbacks', () => {
  it('counts final payments by provider, service and state and times their finalization', async () => {
    const { router, registry } = setup();
    router.events.emit('payment.final', {
      paymentId: 'order-1',
      service: 'steam',
      provider: 'vf-a',
      state: 'succeeded',
      reason: null,
      durationMs: 2_500,
    });
    router.events.emit('payment.final', {
      paymentId: 'order-2',
      service: 'steam',
      provider: null,
      state: 'failed',
      reason: 'account_not_found',
      durationMs: 40,
    });
    const s = await scrape(registry);
    expect(value(s, 'tolem_payments_total', { provider: 'vf-a', service: 'steam', state: 'succeeded' })).toBe(
      1,
    );
    expect(value(s, 'tolem_payments_total', { provider: 'none', service: 'steam', state: 'failed' })).toBe(1);
    expect(value(s, 'tolem_payment_finalization_seconds_sum', { provider: 'vf-a' })).toBe(2.5);
    expect(value(s, 'tolem_payment_finalization_seconds_bucket', { provider: 'vf-a', le: '1' })).toBe(0);
    expect(value(s, 'tolem_payment_finalization_seconds_bucket', { provider: 'vf-a', le: '5' })).toBe(1);
    expect(s.samples.some((sample) => Object.values(sample.labels).some((v) => v.startsWith('order-')))).toBe(
      false,
    );
  });

  it('bounds the service label: past maxServices distinct keys, the rest count as "other"', async () => {
    const { router, registry } = setup({ maxServices: 2 });
    for (const service of ['steam', 'alseko', 'pubg', 'steam']) {
      router.events.emit('payment.final', {
        paymentId: `p-${service}`,
        service,
        provider: 'vf-a',
        state: 'succeeded',
        reason: null,
        durationMs: 1,
      });
    }
    const s = await scrape(registry);
    expect(value(s, 'tolem_payments_total', { service: 'steam' })).toBe(2);
    expect(value(s, 'tolem_payments_total', { service: 'alseko' })).toBe(1);
    expect(value(s, 'tolem_payments_total', { service: 'other' })).toBe(1);
    expect(find(s, 'tolem_payments_total', { service: 'pubg' })).toHaveLength(0);
  });

  it('starts each breaker gauge from the router and follows breaker.state events', async () => {
    const { router, registry } = setup();
    let s = await scrape(registry);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-a' })).toBe(0);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-b' })).toBe(2);
    router.events.emit('breaker.state', { provider: 'vf-a', state: 'open', previous: 'closed' });
    router.events.emit('breaker.state', { provider: 'vf-a', state: 'half_open', previous: 'open' });
    router.events.emit('breaker.state', { provider: 'vf-b', state: 'half_open', previous: 'open' });
    router.events.emit('breaker.state', { provider: 'vf-b', state: 'closed', previous: 'half_open' });
    s = await scrape(registry);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-a' })).toBe(1);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-b' })).toBe(0);
    expect(value(s, 'tolem_circuit_breaker_transitions_total', { provider: 'vf-a', state: 'open' })).toBe(1);
    expect(
      value(s, 'tolem_circuit_breaker_transitions_total', { provider: 'vf-a', state: 'half_open' }),
    ).toBe(1);
    expect(value(s, 'tolem_circuit_breaker_transitions_total', { provider: 'vf-b', state: 'closed' })).toBe(
      1,
    );
  });

  it('counts failovers by from, to and reason, and callbacks by result', async () => {
    const { router, registry } = setup();
    router.events.emit('failover', {
      service: 'steam',
      operation: 'pay',
      from: 'vf-a',
      to: 'vf-b',
      reason: 'breaker_open',
      paymentId: 'order-9',
    });
    router.events.emit('failover', {
      service: 'steam',
      operation: 'pay',
      from: 'vf-a',
      to: 'vf-b',
      reason: 'provider_technical',
      paymentId: 'order-10',
    });
    router.events.emit('callback', { provider: 'vf-a', result: 'confirmed', paymentId: 'order-9' });
    router.events.emit('callback', { provider: 'no-such-provider', result: 'rejected', paymentId: null });
    router.events.emit('callback', { provider: 'vf-a', result: 'throttled', paymentId: 'order-9' });
    router.events.emit('callback', { provider: 'vf-a', result: 'throttled', paymentId: 'order-9' });
    const s = await scrape(registry);
    expect(
      value(s, 'tolem_failovers_total', {
        from: 'vf-a',
        to: 'vf-b',
        reason: 'breaker_open',
        service: 'steam',
      }),
    ).toBe(1);
    expect(
      value(s, 'tolem_failovers_total', { from: 'vf-a', to: 'vf-b', reason: 'provider_technical' }),
    ).toBe(1);
    expect(value(s, 'tolem_callbacks_total', { provider: 'vf-a', result: 'confirmed' })).toBe(1);
    expect(value(s, 'tolem_callbacks_total', { provider: 'other', result: 'rejected' })).toBe(1);
    expect(value(s, 'tolem_callbacks_total', { provider: 'vf-a', result: 'throttled' })).toBe(2);
    // Not lumped into "other": that series does not even exist.
    expect(value(s, 'tolem_callbacks_total', { provider: 'vf-a', result: 'other' })).toBeUndefined();
  });
});

describe('instrumentRouter: reason classes and the finalizer heartbeat', () => {
  it('labels each call with the class of its reason, so error ratios split transport / request / decline', async () => {
    const { router, registry } = setup();
    const call = (state: 'succeeded' | 'failed' | 'unknown', reason: string | null, rejected = false) =>
      router.events.emit('provider.call', {
        provider: 'vf-a',
        operation: 'pay',
        state,
        reason: reason as never,
        durationMs: 5,
        rejected,
      });
    call('succeeded', null);
    call('unknown', 'timeout');
    call('unknown', 'insufficient_funds');
    call('failed', 'account_not_found');
    call('unknown', 'conflict');
    call('unknown', 'made_up_reason');
    call('unknown', null, true);
    const s = await scrape(registry);
    const kind = (reason: string) =>
      find(s, 'tolem_provider_requests_total', { provider: 'vf-a', operation: 'pay', reason }).map(
        (sample) => [sample.labels.reason_kind, sample.value],
      );
    expect(kind('none')).toEqual([
      ['none', 1], // succeeded
      ['none', 0], // pending, pre-created
    ]);
    expect(kind('timeout')).toEqual([['transport', 1]]);
    expect(kind('insufficient_funds')).toEqual([['request', 1]]);
    expect(kind('account_not_found')).toEqual([['decline', 1]]);
    expect(kind('conflict')).toEqual([['integrity', 1]]);
    expect(kind('other')).toEqual([['other', 1]]);
    expect(kind('breaker_open')).toEqual([['rejected', 1]]);
    // Each reason has exactly one class: the label adds no series.
    const pairs = new Set(
      find(s, 'tolem_provider_requests_total').map((x) => `${x.labels.reason}/${x.labels.reason_kind}`),
    );
    const reasons = new Set(find(s, 'tolem_provider_requests_total').map((x) => x.labels.reason));
    expect(pairs.size).toBe(reasons.size);
  });

  it('exports the finalizer heartbeat: 0 until the first pass, then the time of the last, and claims', async () => {
    const { clock, journal, router, registry } = setup();
    let s = await scrape(registry);
    const labels = { journal: journal.identity as string };
    expect(value(s, 'tolem_finalizer_last_pass_timestamp_seconds', labels)).toBe(0);
    expect(value(s, 'tolem_finalizer_claimed_total', labels)).toBe(0);
    router.events.emit('finalizer.pass', { claimed: 0, durationMs: 3 });
    clock.set('2026-03-01T10:00:30.000Z');
    router.events.emit('finalizer.pass', { claimed: 4, durationMs: 40 });
    s = await scrape(registry);
    expect(value(s, 'tolem_finalizer_last_pass_timestamp_seconds', labels)).toBe(
      Date.parse('2026-03-01T10:00:30.000Z') / 1000,
    );
    expect(value(s, 'tolem_finalizer_claimed_total', labels)).toBe(4);
  });
});

describe('instrumentRouter: open payments from the journal', () => {
  const newPayment = (paymentId: string, createdAt: string) => ({
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: new Date(createdAt),
    nextCheckAt: new Date(createdAt),
  });

  it('reads open, stuck and oldest-open-age per provider at scrape time, with one journal read per scrape', async () => {
    const { clock, journal, registry } = setup();
    let s = await scrape(registry);
    // Nothing open: every provider (and "none") at zero.
    for (const provider of ['vf-a', 'vf-b', 'none']) {
      expect(value(s, 'tolem_payments_open', { provider, state: 'pending' })).toBe(0);
      expect(value(s, 'tolem_payments_open', { provider, state: 'unknown' })).toBe(0);
      expect(value(s, 'tolem_payments_stuck', { provider })).toBe(0);
      expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider })).toBe(0);
    }

    await journal.create(newPayment('never-sent', '2026-03-01T09:59:00.000Z'));
    let pending = (await journal.create(newPayment('at-a-pending', '2026-03-01T09:00:00.000Z'))).record;
    pending = await journal.openAttempt(pending.paymentId, pending.version, {
      provider: 'vf-a',
      serviceId: '7',
    });
    pending = await journal.transition(pending.paymentId, pending.version, {
      payment: { state: 'pending', final: false, reason: null, providerStatus: '3', message: null },
    });
    let stuck = (await journal.create(newPayment('at-a-stuck', '2026-03-01T09:30:00.000Z'))).record;
    stuck = await journal.openAttempt(stuck.paymentId, stuck.version, { provider: 'vf-a', serviceId: '7' });
    stuck = await journal.transition(stuck.paymentId, stuck.version, { stuck: true });
    let done = (await journal.create(newPayment('at-b-done', '2026-03-01T08:00:00.000Z'))).record;
    done = await journal.openAttempt(done.paymentId, done.version, { provider: 'vf-b', serviceId: '7' });
    await journal.transition(done.paymentId, done.version, {
      payment: { state: 'succeeded', final: true, reason: null, providerStatus: '10', message: null },
    });

    const reads = vi.spyOn(journal, 'openSummary');
    s = await scrape(registry);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(value(s, 'tolem_payments_open', { provider: 'vf-a', state: 'pending' })).toBe(1);
    expect(value(s, 'tolem_payments_open', { provider: 'vf-a', state: 'unknown' })).toBe(1);
    expect(value(s, 'tolem_payments_open', { provider: 'none', state: 'unknown' })).toBe(1);
    expect(value(s, 'tolem_payments_open', { provider: 'vf-b', state: 'unknown' })).toBe(0);
    expect(value(s, 'tolem_payments_stuck', { provider: 'vf-a' })).toBe(1);
    expect(value(s, 'tolem_payments_stuck', { provider: 'none' })).toBe(0);
    expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider: 'vf-a' })).toBe(3600);
    expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider: 'none' })).toBe(60);
    expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider: 'vf-b' })).toBe(0);

    // Ages move with the clock, and a payment that turns final leaves the gauges at the next scrape.
    clock.set('2026-03-01T10:10:00.000Z');
    await journal.transition(pending.paymentId, pending.version, {
      payment: { state: 'succeeded', final: true, reason: null, providerStatus: '10', message: null },
    });
    s = await scrape(registry);
    expect(value(s, 'tolem_payments_open', { provider: 'vf-a', state: 'pending' })).toBe(0);
    expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider: 'vf-a' })).toBe(2400);
    expect(value(s, 'tolem_payment_oldest_open_age_seconds', { provider: 'none' })).toBe(660);
  });

  it("labels journal gauges with the journal's identity: two instances on one journal export one view", async () => {
    const clock = manualClock('2026-03-01T10:00:00.000Z');
    const shared = createMemoryJournal({ clock });
    const own = createMemoryJournal({ clock });
    const registries = [new Registry(), new Registry(), new Registry()];
    const journals = [shared, shared, own];
    journals.forEach((journal, i) => {
      instrumentRouter(fakeRouter([new FakeProvider('vf-a')], journal), { registry: registries[i]!, clock });
    });
    let stuck = (await shared.create(newPayment('p-stuck', '2026-03-01T09:00:00.000Z'))).record;
    stuck = await shared.openAttempt(stuck.paymentId, stuck.version, { provider: 'vf-a', serviceId: '7' });
    await shared.transition(stuck.paymentId, stuck.version, { stuck: true });
    const scrapes = await Promise.all(registries.map((registry) => scrape(registry)));
    const stuckSamples = scrapes.flatMap((s) => find(s, 'tolem_payments_stuck', { provider: 'vf-a' }));
    expect(stuckSamples.map((sample) => [sample.labels.journal, sample.value])).toEqual([
      [shared.identity, 1],
      [shared.identity, 1],
      [own.identity, 0],
    ]);
    // What `max by (journal, provider)` then `sum` makes of it: the stuck payment once, not twice.
    const perJournal = new Map<string, number>();
    for (const sample of stuckSamples) {
      const journal = sample.labels.journal ?? '';
      perJournal.set(journal, Math.max(perJournal.get(journal) ?? 0, sample.value));
    }
    expect([...perJournal.values()].reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('gives a journal without an identity a label of its own, and refuses an identity unfit for a label', async () => {
    const journal = createMemoryJournal();
    Object.defineProperty(journal, 'identity', { value: undefined });
    const registry = new Registry();
    instrumentRouter(fakeRouter([new FakeProvider('vf-a')], journal), { registry });
    const [sample] = find(await scrape(registry), 'tolem_payments_stuck', { provider: 'vf-a' });
    expect(sample?.labels.journal).toMatch(/^[0-9a-f-]{36}$/);
    for (const identity of ['', 'two words', 'x'.repeat(129), 42]) {
      const bad = createMemoryJournal();
      Object.defineProperty(bad, 'identity', { value: identity });
      const error = (() => {
        try {
          instrumentRouter(fakeRouter([new FakeProvider('vf-a')], bad), { registry: new Registry() });
        } catch (caught) {
          return caught;
        }
      })();
      expect(ConfigError.is(error), String(identity)).toBe(true);
      expect((error as ConfigError).option).toBe('router.journal.identity');
    }
  });

  it('keeps serving the other metrics when the journal cannot be read, counting the failure', async () => {
    const clock = manualClock('2026-03-01T10:00:00.000Z');
    const journal = createMemoryJournal({ clock });
    const router = fakeRouter([new FakeProvider('vf-a')], journal);
    const registry = new Registry();
    const onError = vi.fn();
    instrumentRouter(router, { registry, clock, onError });
    vi.spyOn(journal, 'openSummary').mockRejectedValue(new Error('database is locked'));
    const s = await scrape(registry);
    expect(find(s, 'tolem_payments_open')).toHaveLength(0);
    expect(find(s, 'tolem_payments_stuck')).toHaveLength(0);
    expect(find(s, 'tolem_payment_oldest_open_age_seconds')).toHaveLength(0);
    expect(value(s, 'tolem_journal_read_errors_total')).toBe(1);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-a' })).toBe(0);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'database is locked' }),
      'journal',
    );
  });
});

describe('instrumentRouter: lifecycle and options', () => {
  it('counts manual resolutions by provider, state and confirmation, with bounded labels and no actor', async () => {
    const { router, registry } = setup();
    const resolved = (
      provider: string | null,
      confirmation: string,
      state: 'succeeded' | 'failed' = 'failed',
    ) =>
      router.events.emit('payment.resolved', {
        paymentId: 'order-42',
        service: 'steam',
        provider,
        state,
        confirmation: confirmation as 'provider',
        actor: 'Aigerim N.',
      });
    resolved('vf-a', 'provider');
    resolved('vf-a', 'evidence');
    resolved('vf-a', 'evidence');
    resolved('vf-b', 'provider', 'succeeded');
    resolved(null, 'journal');
    resolved('vf-z', 'hand-waving');
    const text = await registry.metrics();
    const s = parseScrape(text);
    expect(
      value(s, 'tolem_payments_resolved_total', {
        provider: 'vf-a',
        state: 'failed',
        confirmation: 'provider',
      }),
    ).toBe(1);
    expect(
      value(s, 'tolem_payments_resolved_total', {
        provider: 'vf-a',
        state: 'failed',
        confirmation: 'evidence',
      }),
    ).toBe(2);
    expect(
      value(s, 'tolem_payments_resolved_total', {
        provider: 'vf-b',
        state: 'succeeded',
        confirmation: 'provider',
      }),
    ).toBe(1);
    expect(
      value(s, 'tolem_payments_resolved_total', {
        provider: 'none',
        state: 'failed',
        confirmation: 'journal',
      }),
    ).toBe(1);
    expect(
      value(s, 'tolem_payments_resolved_total', {
        provider: 'other',
        state: 'failed',
        confirmation: 'other',
      }),
    ).toBe(1);
    // The person and the payment are in the history, never in a label.
    expect(text).not.toContain('Aigerim');
    expect(text).not.toContain('order-42');
  });

  it('stop() unsubscribes and takes its metrics out of the registry, which can then be reused', async () => {
    const { router, registry, instrumentation } = setup();
    expect(router.events.hasListeners('provider.call')).toBe(true);
    instrumentation.stop();
    instrumentation.stop();
    for (const name of [
      'provider.call',
      'payment.final',
      'payment.resolved',
      'breaker.state',
      'failover',
      'callback',
    ] as const) {
      expect(router.events.hasListeners(name)).toBe(false);
    }
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    const again = instrumentRouter(router, { registry });
    router.events.emit('callback', { provider: 'vf-a', result: 'invalid', paymentId: null });
    expect(
      value(await scrape(registry), 'tolem_callbacks_total', { provider: 'vf-a', result: 'invalid' }),
    ).toBe(1);
    again.stop();
  });

  it('refuses a second bridge on the same registry and prefix, and accepts another prefix', async () => {
    const { router, registry } = setup();
    expect(() => instrumentRouter(router, { registry })).toThrow(ConfigError);
    expect(() => instrumentRouter(router, { registry })).toThrow(/tolem_provider_requests_total/);
    instrumentRouter(router, { registry, prefix: 'acme_' });
    const s = await scrape(registry);
    expect(value(s, 'acme_circuit_breaker_state', { provider: 'vf-b' })).toBe(2);
    expect(value(s, 'tolem_circuit_breaker_state', { provider: 'vf-b' })).toBe(2);
  });

  it('names the offending option in a ConfigError', () => {
    const router = fakeRouter([new FakeProvider('vf-a')]);
    const registry = new Registry();
    const field = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(ConfigError.is(error)).toBe(true);
        return (error as ConfigError).field;
      }
      throw new Error('no error thrown');
    };
    expect(field(() => instrumentRouter(router, {} as never))).toBe('registry');
    expect(field(() => instrumentRouter(router, { registry, prefix: '9lives' }))).toBe('prefix');
    expect(field(() => instrumentRouter(router, { registry, maxServices: 0 }))).toBe('maxServices');
    expect(field(() => instrumentRouter(router, { registry, balance: { intervalMs: 0 } }))).toBe(
      'balance.intervalMs',
    );
    expect(
      field(() => instrumentRouter(router, { registry, balance: { intervalMs: 1000, currencies: ['kzt'] } })),
    ).toBe('balance.currencies.0');
    // Hostile values: a TypeError deep inside, or a silent default, would be worse than a named error.
    expect(field(() => instrumentRouter(router, null as never))).toBe('options');
    expect(field(() => instrumentRouter(router, { registry, clock: 5 as never }))).toBe('clock');
    expect(field(() => instrumentRouter(router, { registry, onError: 'log' as never }))).toBe('onError');
    expect(field(() => instrumentRouter(router, { registry, prefix: 5 as never }))).toBe('prefix');
    expect(field(() => instrumentRouter(router, { registry, maxServices: Number.NaN }))).toBe('maxServices');
    expect(field(() => instrumentRouter(router, { registry, balanse: {} } as never))).toBe('balanse');
    expect(field(() => instrumentRouter(router, { registry, balance: { intervalMs: -5 } }))).toBe(
      'balance.intervalMs',
    );
    expect(field(() => instrumentRouter(router, { registry, balance: { intervalMs: 3e9 } }))).toBe(
      'balance.intervalMs',
    );
    expect(
      field(() => instrumentRouter(router, { registry, balance: { intervalMs: 1000, timeout: 5 } as never })),
    ).toBe('balance.timeout');
    expect(field(() => instrumentRouter(router, { registry, balance: null as never }))).toBe('balance');
    expect(
      field(() =>
        instrumentRouter(router, { registry, balance: { intervalMs: 1000, currencies: 'KZT' as never } }),
      ),
    ).toBe('balance.currencies');
    expect(
      field(() => instrumentRouter(router, { registry, balance: { intervalMs: 1000, timeoutMs: 0 } })),
    ).toBe('balance.timeoutMs');
    for (const notARouter of [undefined, null, 5, {}, { providers: new Map() }]) {
      expect(field(() => instrumentRouter(notARouter as never, { registry }))).toBe('router');
    }
    // Nothing was registered by the refused calls.
    expect(registry.getMetricsAsArray()).toHaveLength(0);
  });

  it('registers nothing in the global registry', async () => {
    const { register } = await import('prom-client');
    const before = register.getMetricsAsArray().length;
    setup();
    expect(register.getMetricsAsArray().length).toBe(before);
  });
});
