import {
  type Clock,
  ConfigError,
  clockSchema,
  functionSchema,
  integerSchema,
  isReason,
  parseConfig,
  REASONS,
  type Reason,
  reasonKind,
  systemClock,
} from '@tolem/core';
import type { BreakerState, Router } from '@tolem/router';
import type { Registry } from 'prom-client';
import * as z from 'zod';
import {
  type BalancePoller,
  type BalancePollingOptions,
  balanceOptionsSchema,
  startBalancePoller,
} from './balance-poller.js';
import {
  BoundedLabel,
  BREAKER_OPEN,
  BREAKER_STATE_VALUES,
  BREAKER_STATES,
  CALLBACK_RESULTS,
  CONFIRMATIONS,
  callbackResultLabel,
  confirmationLabel,
  failoverReasonLabel,
  isBreakerState,
  NONE,
  OTHER,
  operationLabel,
  REJECTED,
  RESOLVED_STATES,
  reasonKindLabel,
  reasonLabel,
  stateLabel,
} from './labels.js';
import { createMetricSet, type MetricSet, prefixSchema, removeMetricSet } from './metric-set.js';
import { OpenPaymentsCollector } from './open-payments.js';

export interface InstrumentRouterOptions {
  /** Where the metrics go: your prom-client `Registry` (nothing is registered globally). */
  registry: Registry;
  /** Prepended to every metric name (default `tolem_`). */
  prefix?: string;
  /** Polls each provider's balance into `provider_balance`; off unless given. */
  balance?: BalancePollingOptions;
  /** Most distinct `service` label values before the rest become `other` (default 100). */
  maxServices?: number;
  /** Time source for the open-payment ages (tests inject one). */
  clock?: Clock;
  /** Told about a failed journal read or balance poll (both are counted in metrics anyway). */
  onError?: (error: unknown, source: 'journal' | 'balance') => void;
}

/** The part of a `Router` the bridge reads: its events, journal, providers and breaker states. */
export type InstrumentableRouter = Pick<Router, 'events' | 'journal' | 'providers' | 'breakerState'>;

export interface RouterInstrumentation {
  /** Polls balances now (resolves when done); a no-op when balance polling is off. */
  pollBalances(): Promise<void>;
  /** Unsubscribes, stops the poller and removes these metrics from the registry. Idempotent. */
  stop(): void;
}

/** Every outcome the canonical model allows for one call: pre-created at zero so rates never start absent. */
const CALL_OUTCOMES: readonly { state: string; reason: string; reason_kind: string }[] = [
  { state: 'succeeded', reason: NONE, reason_kind: NONE },
  { state: 'pending', reason: NONE, reason_kind: NONE },
  { state: REJECTED, reason: BREAKER_OPEN, reason_kind: REJECTED },
  ...(Object.keys(REASONS) as Reason[]).map((reason) => ({
    state: REASONS[reason] === 'decline' ? 'failed' : 'unknown',
    reason,
    reason_kind: REASONS[reason],
  })),
];

/**
 * Bridges a router's events to Prometheus metrics (architecture §6). Counters and histograms follow events;
 * the open-payment gauges are read from the journal when scraped. Labels are bounded: provider ids
 * the router knows (else `other`), closed lists for operation, state, reason and result, and at most
 * `maxServices` service keys. No account, transaction id, payment id or amount ever becomes a label.
 */
export function instrumentRouter(
  router: InstrumentableRouter,
  options: InstrumentRouterOptions,
): RouterInstrumentation {
  validateRouter(router);
  const settings = validateOptions(options);
  const { registry, clock, onError } = settings;
  const providerIds = [...router.providers.keys()];
  const knownProvider = (id: string | null): string =>
    id === null ? NONE : router.providers.has(id) ? id : OTHER;
  const services = new BoundedLabel(settings.maxServices);
  const journal = journalLabel(router.journal);

  const collector = new OpenPaymentsCollector(
    router.journal,
    journal,
    () => router.providers.keys(),
    clock,
    (error) => onError(error, 'journal'),
  );
  const collect = () => collector.collect();
  const metrics = createMetricSet(registry, settings.prefix, {
    paymentsOpen: collect,
    paymentOldestOpenAge: collect,
    paymentsStuck: collect,
  });
  collector.attach(metrics);

  const recordCall = (call: {
    provider: string;
    operation: string;
    state: string;
    reason: string | null;
    durationMs: number;
    rejected: boolean;
  }): void => {
    const provider = knownProvider(call.provider);
    const operation = operationLabel(call.operation);
    if (call.rejected) {
      metrics.providerRequests.inc({
        provider,
        operation,
        state: REJECTED,
        reason: BREAKER_OPEN,
        reason_kind: REJECTED,
      });
      return;
    }
    metrics.providerRequests.inc({
      provider,
      operation,
      state: stateLabel(call.state),
      reason: reasonLabel(call.reason),
      reason_kind: reasonKindLabel(call.reason),
    });
    // A request that never left this process (a `local` reason) took no provider time: no sample.
    const neverLeft = call.reason !== null && isReason(call.reason) && reasonKind(call.reason) === 'local';
    if (!neverLeft && Number.isFinite(call.durationMs) && call.durationMs >= 0) {
      metrics.providerRequestDuration.observe({ provider, operation }, call.durationMs / 1000);
    }
  };

  preinitialise(metrics, router, providerIds, settings.balance !== undefined);
  // "Never" until the first pass: an instance whose finalizer never runs is as stalled as a dead one.
  metrics.finalizerLastPass.set({ journal }, 0);
  metrics.finalizerClaimed.inc({ journal }, 0);

  const unsubscribe = [
    router.events.on('provider.call', recordCall),
    router.events.on('payment.final', (event) => {
      const provider = knownProvider(event.provider);
      metrics.payments.inc({
        provider,
        service: services.value(event.service),
        state: stateLabel(event.state),
      });
      if (Number.isFinite(event.durationMs) && event.durationMs >= 0) {
        metrics.paymentFinalization.observe({ provider }, event.durationMs / 1000);
      }
    }),
    router.events.on('breaker.state', (event) => {
      if (!isBreakerState(event.state)) return;
      const provider = knownProvider(event.provider);
      metrics.breakerState.set({ provider }, BREAKER_STATE_VALUES[event.state]);
      metrics.breakerTransitions.inc({ provider, state: event.state });
    }),
    router.events.on('failover', (event) => {
      metrics.failovers.inc({
        from: knownProvider(event.from),
        to: knownProvider(event.to),
        reason: failoverReasonLabel(event.reason),
        service: services.value(event.service),
      });
    }),
    router.events.on('finalizer.pass', (event) => {
      metrics.finalizerLastPass.set({ journal }, clock.now().getTime() / 1000);
      if (Number.isInteger(event.claimed) && event.claimed > 0)
        metrics.finalizerClaimed.inc({ journal }, event.claimed);
    }),
    router.events.on('payment.resolved', (event) => {
      metrics.resolutions.inc({
        provider: knownProvider(event.provider),
        state: stateLabel(event.state),
        confirmation: confirmationLabel(event.confirmation),
      });
    }),
    router.events.on('callback', (event) => {
      metrics.callbacks.inc({
        provider: knownProvider(event.provider),
        result: callbackResultLabel(event.result),
      });
    }),
  ];

  let poller: BalancePoller | null = null;
  if (settings.balance) {
    poller = startBalancePoller(router.providers, metrics, settings.balance, {
      record: (call) => recordCall({ ...call, operation: 'getBalance', rejected: false }),
      onError: (error) => onError(error, 'balance'),
    });
  }

  let stopped = false;
  return {
    pollBalances: () => poller?.pollNow() ?? Promise.resolve(),
    stop() {
      if (stopped) return;
      stopped = true;
      for (const off of unsubscribe) off();
      poller?.stop();
      removeMetricSet(registry, settings.prefix);
    },
  };
}

function preinitialise(
  metrics: MetricSet,
  router: InstrumentableRouter,
  providerIds: readonly string[],
  balance: boolean,
): void {
  for (const provider of providerIds) {
    const operations = ['checkAccount', 'pay', 'getStatus'];
    const capabilities = router.providers.get(provider)?.capabilities;
    if (balance && capabilities?.operations.balance) operations.push('getBalance');
    for (const operation of operations) {
      for (const outcome of CALL_OUTCOMES) {
        metrics.providerRequests.inc({ provider, operation, ...outcome }, 0);
      }
      metrics.providerRequestDuration.zero({ provider, operation });
    }
    metrics.paymentFinalization.zero({ provider });
    metrics.breakerState.set({ provider }, BREAKER_STATE_VALUES[currentBreakerState(router, provider)]);
    for (const state of BREAKER_STATES) metrics.breakerTransitions.inc({ provider, state }, 0);
    for (const result of CALLBACK_RESULTS) metrics.callbacks.inc({ provider, result }, 0);
    for (const state of RESOLVED_STATES) {
      for (const confirmation of CONFIRMATIONS) metrics.resolutions.inc({ provider, state, confirmation }, 0);
    }
  }
}

const IDENTITY_LABEL = /^[\x21-\x7e]{1,128}$/;

/**
 * The `journal` label: the journal's own identity, shared by every instance on it (so their identical
 * journal gauges collapse under `max by (journal)`). A journal without one is taken as unshared and gets
 * a random id for this bridge.
 */
function journalLabel(journal: InstrumentableRouter['journal']): string {
  const identity: unknown = journal.identity;
  if (identity === undefined) return globalThis.crypto.randomUUID();
  if (typeof identity !== 'string' || !IDENTITY_LABEL.test(identity)) {
    throw new ConfigError(
      'router.journal.identity',
      'must be 1 to 128 printable ASCII characters without spaces (a stable id of the journal)',
    );
  }
  return identity;
}

function currentBreakerState(router: InstrumentableRouter, provider: string): BreakerState {
  try {
    const state = router.breakerState(provider);
    return isBreakerState(state) ? state : 'closed';
  } catch {
    return 'closed';
  }
}

const optionsSchema = z
  .object(
    {
      registry: z.custom<Registry>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as Registry).registerMetric === 'function' &&
          typeof (value as Registry).getSingleMetric === 'function',
        { error: 'a prom-client Registry is required (new Registry())' },
      ),
      prefix: prefixSchema.default('tolem_'),
      balance: balanceOptionsSchema.optional(),
      maxServices: integerSchema(1, Number.MAX_SAFE_INTEGER, 'must be a positive integer').default(100),
      clock: clockSchema.default(systemClock),
      onError: functionSchema<NonNullable<InstrumentRouterOptions['onError']>>().optional(),
    },
    { error: 'must be an object with a registry' },
  )
  // A misspelt option (`balanse`) must not silently leave balance polling off.
  .strict();

/** The router is read at once (providers) and on every event: a wrong object must fail here, named. */
function validateRouter(router: unknown): void {
  const candidate = router as Partial<InstrumentableRouter> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.events?.on !== 'function' ||
    typeof candidate.providers?.keys !== 'function' ||
    typeof candidate.providers.has !== 'function' ||
    typeof candidate.journal?.openSummary !== 'function' ||
    typeof candidate.breakerState !== 'function'
  ) {
    throw new ConfigError('router', 'a router from createRouter() is required');
  }
}

function validateOptions(options: InstrumentRouterOptions) {
  const settings = parseConfig(optionsSchema, options);
  return { ...settings, onError: settings.onError ?? (() => {}) };
}
