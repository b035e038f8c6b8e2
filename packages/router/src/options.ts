import { hostname } from 'node:os';
import {
  type Clock,
  ConfigError,
  clockSchema,
  currencySchema,
  functionSchema,
  integerSchema,
  MAX_TIMEOUT_MS,
  millisecondsSchema,
  type PaymentJournal,
  type PaymentProvider,
  parseConfig,
  REASONS,
  type Reason,
  serviceIdSchema,
  systemClock,
} from '@tolem/core';
import * as z from 'zod';
import type { Routes } from './types.js';
import { parseVoucherOptions, type VoucherKeyring, type VoucherOptions } from './voucher-keys.js';

/** Per-provider circuit breaker settings (one opossum breaker per provider instance). */
export interface BreakerOptions {
  /** Calls within the rolling window before the breaker may open. Default 5. */
  volumeThreshold?: number;
  /** Failure percentage above which it opens. Default 50. */
  errorThresholdPercentage?: number;
  /** How long it stays open before letting one probe through. Default 30 000. */
  resetTimeout?: number;
  /** Length of the rolling statistics window. Default 60 000. */
  rollingCountTimeout?: number;
  /** Buckets in that window. Default 6. */
  rollingCountBuckets?: number;
}

/** Which final failures send a payment on to the next provider of its route (architecture §4.3). */
export interface FailoverOptions {
  /**
   * Decline reasons after which the next provider is tried. Default: `provider_technical`,
   * `operator_error`, `operator_forbidden` ({@link DEFAULT_FAILOVER_REASONS}; a test keeps the two equal).
   */
  onReasons?: readonly Reason[];
}

/** The background loop that drives open payments to a final state (architecture §4.4). */
export interface FinalizerOptions {
  /** Delay before the first re-check of a non-final payment. Default 10 000. */
  firstDelayMs?: number;
  /** Each re-check waits `growth` times longer than the previous one. Default 2. */
  growth?: number;
  /** Longest wait between two re-checks. Default 600 000 (10 min). */
  maxDelayMs?: number;
  /** Random spread of each delay, as a fraction (0.2 = ±20 %). Default 0.2. */
  jitter?: number;
  /** Age after which an open payment is reported once as `payment.stuck`. Default 3 600 000 (1 h). */
  escalateAfterMs?: number;
  /** How often the journal is polled for due payments. Default 1 000. */
  pollIntervalMs?: number;
  /** Payments claimed per poll (and checked concurrently). Default 15. */
  batchSize?: number;
  /** How long a claim keeps other router instances off a payment. Default 120 000. */
  leaseMs?: number;
  /**
   * How long a request in flight keeps the finalizer away from its payment: should exceed the
   * provider's longest time in flight (for VectraFin, `queueTimeoutMs` + `timeoutMs`: 70 s with its
   * defaults). Default 90 000.
   */
  inFlightMs?: number;
}

/** How provider callbacks are turned into Status checks (architecture §4.5: a callback is only a hint). */
export interface CallbackOptions {
  /**
   * A payment whose Status was asked for a callback less than this long ago is not asked again for
   * another one: that callback is answered from the journal (`throttled`) and one Status follows when
   * the interval ends. Bounds what forged callbacks can cost the provider; the finalizer's own checks
   * are not affected. 0 turns the interval off (callbacks arriving while a check is in flight still
   * share it). Default 5 000.
   */
  minCheckIntervalMs?: number;
}

export interface RouterOptions {
  providers: readonly PaymentProvider[];
  routes: Routes;
  journal: PaymentJournal;
  breaker?: BreakerOptions;
  failover?: FailoverOptions;
  finalizer?: FinalizerOptions;
  callbacks?: CallbackOptions;
  /**
   * Keys to keep the voucher codes of `sendType: 'api'` payments encrypted in the journal (AES-256-GCM),
   * so that `waitForFinal`, `getPayment` and a repeat `pay()` can hand them out after a restart or on
   * another instance: `{ keys: { k2: key, k1: oldKey }, current: 'k2' }`. Without it codes that arrive
   * after the first answer are only held in this process's memory, and the router warns at start-up;
   * `false` says that is intended (no warning).
   */
  vouchers?: VoucherOptions | false;
  clock?: Clock;
  /** Owner name of the finalizer's leases: unique per process. Default `<host>:<pid>:<random>`. */
  instanceId?: string;
  /** Whether `stop()` closes the providers and the journal. Default true (the DI module sets false). */
  closeResources?: boolean;
  /**
   * Told about errors of background work (finalizer, callbacks) that have no caller to throw to, of a
   * journal write failing inside `pay()` that it answers without throwing (a create resolved by reading
   * it back, or a later write: the payment is then returned as not final), and of start-up warnings (a
   * `RouterWarning`, `source: 'startup'`, once per code). Without it they become process warnings.
   */
  onError?: (
    error: unknown,
    context: { source: 'finalizer' | 'callback' | 'pay' | 'startup'; paymentId: string | null },
  ) => void;
  /** Random source for the finalizer's jitter (tests inject a fixed one). Default Math.random. */
  random?: () => number;
}

export const DEFAULT_FAILOVER_REASONS: readonly Reason[] = [
  'provider_technical',
  'operator_error',
  'operator_forbidden',
];

const declineReason = z.custom<Reason>(
  (value) => typeof value === 'string' && Object.hasOwn(REASONS, value),
  {
    error: (issue) => `unknown reason ${JSON.stringify(issue.input)}`,
  },
);

/** A count (buckets): a positive integer. */
const positiveInt = integerSchema(1, MAX_TIMEOUT_MS);

/** A delay or a window: whole milliseconds a timer can wait (1 to MAX_TIMEOUT_MS, about 24.8 days). */
const ms = millisecondsSchema();

const breakerSchema = z
  .object({
    volumeThreshold: z.number().int().min(0).default(5),
    errorThresholdPercentage: z.number().min(1).max(100).default(50),
    resetTimeout: ms.default(30_000),
    rollingCountTimeout: ms.default(60_000),
    rollingCountBuckets: positiveInt.default(6),
  })
  .strict()
  .default({
    volumeThreshold: 5,
    errorThresholdPercentage: 50,
    resetTimeout: 30_000,
    rollingCountTimeout: 60_000,
    rollingCountBuckets: 6,
  });

const failoverSchema = z
  .object({
    onReasons: z
      .array(declineReason)
      .superRefine((reasons, ctx) => {
        for (const [index, reason] of reasons.entries()) {
          if (REASONS[reason as Reason] !== 'decline') {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `${reason} is not a final decline: only a final failure may fail over`,
            });
          }
        }
      })
      .default([...DEFAULT_FAILOVER_REASONS]),
  })
  .strict()
  .default({ onReasons: [...DEFAULT_FAILOVER_REASONS] });

const finalizerShape = {
  firstDelayMs: ms.default(10_000),
  growth: z.number().min(1, { error: 'at least 1' }).max(10).default(2),
  maxDelayMs: ms.default(600_000),
  jitter: z.number().min(0).max(1, { error: 'at most 1' }).default(0.2),
  escalateAfterMs: ms.default(3_600_000),
  pollIntervalMs: ms.default(1_000),
  batchSize: integerSchema(1, 1000).default(15),
  leaseMs: ms.default(120_000),
  inFlightMs: ms.default(90_000),
};

const finalizerSchema = z
  .object(finalizerShape)
  .strict()
  .refine((value) => value.maxDelayMs >= value.firstDelayMs, {
    path: ['maxDelayMs'],
    error: 'must be at least firstDelayMs',
  })
  .default(z.object(finalizerShape).parse({}));

const callbacksSchema = z
  .object({
    minCheckIntervalMs: millisecondsSchema(0).default(5_000),
  })
  .strict()
  .default({ minCheckIntervalMs: 5_000 });

const targetSchema = z
  .object({
    provider: z.string({ error: 'a provider id is required' }).min(1, { error: 'must not be empty' }),
    serviceId: serviceIdSchema,
    currency: currencySchema.optional(),
  })
  .strict();

const providerSchema = z.custom<PaymentProvider>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PaymentProvider).id === 'string' &&
    typeof (value as PaymentProvider).pay === 'function' &&
    typeof (value as PaymentProvider).getStatus === 'function' &&
    typeof (value as PaymentProvider).checkAccount === 'function' &&
    typeof (value as PaymentProvider).capabilities === 'object',
  { error: 'a PaymentProvider (id, capabilities, checkAccount, pay, getStatus, close) is required' },
);

const JOURNAL_METHODS = [
  'create',
  'get',
  'findByTransaction',
  'openAttempt',
  'transition',
  'claimDue',
  'list',
  'openSummary',
  'close',
] as const;

const journalSchema = z.custom<PaymentJournal>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    JOURNAL_METHODS.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
  { error: 'a PaymentJournal (createMemoryJournal(), createSqliteJournal(...)) is required' },
);

const optionsSchema = z
  .object({
    providers: z.array(providerSchema, { error: 'an array of providers is required' }).min(1, {
      error: 'at least one provider is required',
    }),
    routes: z.record(
      z.string().min(1, { error: 'a route name must not be empty' }),
      z.array(targetSchema, { error: 'an array of { provider, serviceId } is required' }).min(1, {
        error: 'a route needs at least one provider',
      }),
      { error: 'an object of routes is required' },
    ),
    journal: journalSchema,
    breaker: breakerSchema,
    failover: failoverSchema,
    finalizer: finalizerSchema,
    callbacks: callbacksSchema,
    // Checked by parseVoucherOptions, which never puts key material into an error.
    vouchers: z.unknown().optional(),
    clock: clockSchema.default(systemClock),
    instanceId: z.string().min(1).max(200).optional(),
    closeResources: z.boolean().default(true),
    onError: functionSchema<NonNullable<RouterOptions['onError']>>().optional(),
    random: functionSchema<() => number>().optional(),
  })
  // A misspelt option (`finaliser`) must not silently leave the defaults in force.
  .strict();

export type ResolvedOptions = Omit<z.output<typeof optionsSchema>, 'random' | 'instanceId' | 'vouchers'> & {
  instanceId: string;
  random: () => number;
  /** The voucher keys (null: none), and whether their absence was chosen (`vouchers: false`). */
  vouchers: { keyring: VoucherKeyring | null; silent: boolean };
};
export type ResolvedFinalizerOptions = ResolvedOptions['finalizer'];
export type ResolvedBreakerOptions = ResolvedOptions['breaker'];

/** Validates the options once, at construction: a ConfigError names the first bad option. */
export function resolveOptions(options: RouterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('options', 'an object is required');
  const parsed = parseConfig(optionsSchema, options);
  const ids = new Set<string>();
  for (const [index, provider] of parsed.providers.entries()) {
    if (ids.has(provider.id)) {
      throw new ConfigError(`providers.${index}.id`, `duplicate provider id ${JSON.stringify(provider.id)}`);
    }
    ids.add(provider.id);
  }
  for (const [service, targets] of Object.entries(parsed.routes)) {
    const seen = new Set<string>();
    for (const [index, target] of targets.entries()) {
      const option = `routes.${service}.${index}.provider`;
      if (!ids.has(target.provider)) {
        throw new ConfigError(
          option,
          `unknown provider ${JSON.stringify(target.provider)} (known: ${[...ids].join(', ')})`,
        );
      }
      if (seen.has(target.provider)) {
        // One attempt per provider and payment: a provider listed twice could never be tried twice.
        throw new ConfigError(
          option,
          `provider ${JSON.stringify(target.provider)} appears twice in the route`,
        );
      }
      seen.add(target.provider);
    }
  }
  const random = options.random ?? Math.random;
  return {
    ...parsed,
    vouchers: parseVoucherOptions(options.vouchers),
    random,
    instanceId:
      parsed.instanceId ?? `${hostname()}:${process.pid}:${Math.floor(random() * 1e9).toString(36)}`,
  };
}
