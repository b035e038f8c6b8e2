import { ConfigError } from '@tolem/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import * as z from 'zod';

/** Provider round trips: fast answers to the 60 s at which VectraFin drops a connection (protocol §1.3). */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60,
];

/** Creation to finality: an instant success up to a payment the finalizer chased for a day. */
export const FINALIZATION_BUCKETS: readonly number[] = [
  0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400,
];

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  /** Name without the prefix. */
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
}

/** Every metric the bridge exports, in the order the README documents them. */
export const METRIC_DEFINITIONS = {
  providerRequests: {
    name: 'provider_requests_total',
    type: 'counter',
    labels: ['provider', 'operation', 'state', 'reason', 'reason_kind'],
    help: 'Calls to a provider by outcome; reason_kind is the class of the reason (transport, request, decline, integrity); state="rejected" (reason="breaker_open") when the breaker refused and nothing was sent.',
  },
  providerRequestDuration: {
    name: 'provider_request_duration_seconds',
    type: 'histogram',
    labels: ['provider', 'operation'],
    help: 'Round-trip time of calls that reached a provider, in seconds.',
  },
  payments: {
    name: 'payments_total',
    type: 'counter',
    labels: ['provider', 'service', 'state'],
    help: 'Payments that reached a final state (succeeded or failed), by the provider of the last attempt.',
  },
  paymentsOpen: {
    name: 'payments_open',
    type: 'gauge',
    labels: ['journal', 'provider', 'state'],
    help: 'Payments not final yet, read from the journal at scrape time (the same on every instance of one journal: aggregate with max by journal); provider="none" when nothing was sent.',
  },
  paymentOldestOpenAge: {
    name: 'payment_oldest_open_age_seconds',
    type: 'gauge',
    labels: ['journal', 'provider'],
    help: 'Age of the oldest payment that is not final, read from the journal at scrape time (0 when none).',
  },
  paymentsStuck: {
    name: 'payments_stuck',
    type: 'gauge',
    labels: ['journal', 'provider'],
    help: 'Open payments escalated as stuck (past the finalizer escalation age), read from the journal at scrape time.',
  },
  paymentFinalization: {
    name: 'payment_finalization_seconds',
    type: 'histogram',
    labels: ['provider'],
    help: 'Time from creating a payment to its final state, in seconds.',
  },
  breakerState: {
    name: 'circuit_breaker_state',
    type: 'gauge',
    labels: ['provider'],
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.',
  },
  breakerTransitions: {
    name: 'circuit_breaker_transitions_total',
    type: 'counter',
    labels: ['provider', 'state'],
    help: 'Circuit breaker state changes, by the state entered.',
  },
  providerBalance: {
    name: 'provider_balance',
    type: 'gauge',
    labels: ['provider', 'currency'],
    help: "The agent's balance at the provider in the currency's units, from the balance poller (absent when polling is off).",
  },
  providerOverdraft: {
    name: 'provider_overdraft',
    type: 'gauge',
    labels: ['provider', 'currency'],
    help: 'The overdraft the provider allows beyond the balance, from the balance poller.',
  },
  callbacks: {
    name: 'callbacks_total',
    type: 'counter',
    labels: ['provider', 'result'],
    help: 'Provider callbacks handled, by result (confirmed, unchanged, throttled, rejected, invalid).',
  },
  resolutions: {
    name: 'payments_resolved_total',
    type: 'counter',
    labels: ['provider', 'state', 'confirmation'],
    help: 'Payments a person made final by hand (router.resolve), by the state given and what confirmed it: provider (its Status answers agreed), journal (nothing can have moved), evidence (the provider could not confirm it).',
  },
  failovers: {
    name: 'failovers_total',
    type: 'counter',
    labels: ['from', 'to', 'reason', 'service'],
    help: 'Calls moved from one provider of a route to the next, by the reason the first was left.',
  },
  finalizerLastPass: {
    name: 'finalizer_last_pass_timestamp_seconds',
    type: 'gauge',
    labels: ['journal'],
    help: "Unix time this instance's finalizer last finished a pass over the journal (its heartbeat); 0 until the first.",
  },
  finalizerClaimed: {
    name: 'finalizer_claimed_total',
    type: 'counter',
    labels: ['journal'],
    help: "Open payments this instance's finalizer claimed for a re-check.",
  },
  journalReadErrors: {
    name: 'journal_read_errors_total',
    type: 'counter',
    labels: [],
    help: 'Scrapes whose journal read failed; the open-payment gauges are absent from those scrapes.',
  },
} as const satisfies Record<string, MetricDefinition>;

type Defs = typeof METRIC_DEFINITIONS;
type LabelsOf<K extends keyof Defs> = Defs[K]['labels'][number];

export interface MetricSet {
  providerRequests: Counter<LabelsOf<'providerRequests'>>;
  providerRequestDuration: Histogram<LabelsOf<'providerRequestDuration'>>;
  payments: Counter<LabelsOf<'payments'>>;
  paymentsOpen: Gauge<LabelsOf<'paymentsOpen'>>;
  paymentOldestOpenAge: Gauge<LabelsOf<'paymentOldestOpenAge'>>;
  paymentsStuck: Gauge<LabelsOf<'paymentsStuck'>>;
  paymentFinalization: Histogram<LabelsOf<'paymentFinalization'>>;
  breakerState: Gauge<LabelsOf<'breakerState'>>;
  breakerTransitions: Counter<LabelsOf<'breakerTransitions'>>;
  providerBalance: Gauge<LabelsOf<'providerBalance'>>;
  providerOverdraft: Gauge<LabelsOf<'providerOverdraft'>>;
  callbacks: Counter<LabelsOf<'callbacks'>>;
  resolutions: Counter<LabelsOf<'resolutions'>>;
  failovers: Counter<LabelsOf<'failovers'>>;
  finalizerLastPass: Gauge<LabelsOf<'finalizerLastPass'>>;
  finalizerClaimed: Counter<LabelsOf<'finalizerClaimed'>>;
  journalReadErrors: Counter;
}

/** Scrape-time hooks: the journal gauges are filled by `collect` when Prometheus asks. */
export interface CollectHooks {
  paymentsOpen: () => Promise<void>;
  paymentOldestOpenAge: () => Promise<void>;
  paymentsStuck: () => Promise<void>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The prefix of every metric name: empty, or the start of a valid Prometheus name. */
export const prefixSchema = z
  .string({ error: 'must be a string like "tolem_"' })
  .refine((prefix) => prefix === '' || METRIC_NAME.test(prefix), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a valid Prometheus metric name start`,
  });

/**
 * Registers every metric in `registry` under `prefix`. Refuses (ConfigError, nothing registered) when
 * one of the names is already there: two bridges on one registry need different prefixes.
 */
export function createMetricSet(registry: Registry, prefix: string, hooks: CollectHooks): MetricSet {
  const name = (key: keyof Defs) => `${prefix}${METRIC_DEFINITIONS[key].name}`;
  for (const key of Object.keys(METRIC_DEFINITIONS) as (keyof Defs)[]) {
    if (registry.getSingleMetric(name(key))) {
      throw new ConfigError('registry', `already has a metric named ${name(key)} (use another prefix)`);
    }
  }
  const registers = [registry];
  const common = <K extends keyof Defs>(key: K) => ({
    name: name(key),
    help: METRIC_DEFINITIONS[key].help,
    labelNames: METRIC_DEFINITIONS[key].labels as Defs[K]['labels'],
    registers,
  });
  return {
    providerRequests: new Counter(common('providerRequests')),
    providerRequestDuration: new Histogram({
      ...common('providerRequestDuration'),
      buckets: [...REQUEST_DURATION_BUCKETS],
    }),
    payments: new Counter(common('payments')),
    paymentsOpen: new Gauge({ ...common('paymentsOpen'), collect: hooks.paymentsOpen }),
    paymentOldestOpenAge: new Gauge({
      ...common('paymentOldestOpenAge'),
      collect: hooks.paymentOldestOpenAge,
    }),
    paymentsStuck: new Gauge({ ...common('paymentsStuck'), collect: hooks.paymentsStuck }),
    paymentFinalization: new Histogram({
      ...common('paymentFinalization'),
      buckets: [...FINALIZATION_BUCKETS],
    }),
    breakerState: new Gauge(common('breakerState')),
    breakerTransitions: new Counter(common('breakerTransitions')),
    providerBalance: new Gauge(common('providerBalance')),
    providerOverdraft: new Gauge(common('providerOverdraft')),
    callbacks: new Counter(common('callbacks')),
    resolutions: new Counter(common('resolutions')),
    failovers: new Counter(common('failovers')),
    finalizerLastPass: new Gauge(common('finalizerLastPass')),
    finalizerClaimed: new Counter(common('finalizerClaimed')),
    journalReadErrors: new Counter({
      name: name('journalReadErrors'),
      help: METRIC_DEFINITIONS.journalReadErrors.help,
      registers,
    }),
  };
}

/** Takes every metric of the set out of the registry (after `stop()`). */
export function removeMetricSet(registry: Registry, prefix: string): void {
  for (const definition of Object.values(METRIC_DEFINITIONS))
    registry.removeSingleMetric(`${prefix}${definition.name}`);
}
