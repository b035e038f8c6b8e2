import {
  type AttemptRoute,
  type Clock,
  type PaymentJournal,
  type PaymentProvider,
  type PaymentRecord,
  ProviderUnavailableError,
  ValidationError,
} from '@tolem/core';
import type { ProviderBreakers } from '../breaker.js';
import type { RouterEventBus } from '../events.js';
import type { RoutingFacts } from '../facts/routing-facts.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { ResolvedOptions } from '../options.js';
import { hundredths } from '../routing/amount-keys.js';
import type { RouteTable } from '../routing/compiled-route.js';
import type { FailoverPolicy } from '../routing/failover-policy.js';
import { type Ranking, REQUEST_SKIP_REASONS, rankRoute } from '../routing/route-policy.js';
import type { Routes } from '../types.js';
import type { Vouchers } from '../vouchers.js';
import type { CallbackChecks } from './callback-checks.js';
import type { PaymentWatchers } from './watchers.js';

/** Everything the lifecycle functions share: built once by `createRouter`. */
export interface RouterContext {
  readonly options: ResolvedOptions;
  readonly providers: ReadonlyMap<string, PaymentProvider>;
  readonly routes: Routes;
  /** The routes compiled for the ranking function. */
  readonly routeTable: RouteTable;
  readonly journal: PaymentJournal;
  readonly breakers: ProviderBreakers;
  /** Balances, service settings, success ratios and load: what routing reads besides the breakers. */
  readonly facts: RoutingFacts;
  readonly events: RouterEventBus;
  readonly policy: FailoverPolicy;
  /** Per-payment serialisation inside this process. */
  readonly locks: KeyedLock;
  readonly watchers: PaymentWatchers;
  /** Voucher codes: sealed into the journal with the user's key, or held in memory without one. */
  readonly vouchers: Vouchers;
  /** One Status per payment in flight for callbacks, and the callback interval. */
  readonly callbackChecks: CallbackChecks;
  readonly clock: Clock;
  /** Asks the finalizer to poll now (a payment became due). */
  wakeFinalizer(): void;
  reportError(
    error: unknown,
    context: { source: 'finalizer' | 'callback' | 'pay' | 'startup' | 'routing'; paymentId: string | null },
  ): void;
}

/** The payment fields routing reads. */
export type RoutedPayment = Pick<
  PaymentRecord,
  'paymentId' | 'service' | 'account' | 'amount' | 'currency' | 'attempts'
>;

/**
 * Ranks the route of a payment with the providers' facts as they are now (less `excluded`, providers
 * the caller has just seen refuse): the providers it already had an attempt at are skipped as `tried`.
 * Null when the payment's route no longer exists.
 */
export function routeNow(
  ctx: RouterContext,
  payment: RoutedPayment,
  excluded: ReadonlySet<string> = new Set(),
): Ranking | null {
  const route = ctx.routeTable.get(payment.service);
  if (route === undefined) return null;
  const tried = new Set(payment.attempts.map((attempt) => attempt.provider));
  return rankRoute(
    route,
    {
      paymentId: payment.paymentId,
      amount: hundredths(payment.amount),
      currency: payment.currency,
      account: payment.account,
    },
    ctx.facts.excluding(excluded),
    ctx.options.routing.successRate,
    tried,
  );
}

/** Whether the payment's route still has a provider that can take it now (for `decide`). */
export function hasNextTarget(ctx: RouterContext, payment: RoutedPayment): boolean {
  return (routeNow(ctx, payment)?.ranked.length ?? 0) > 0;
}

/** A ranking as the journal keeps it with the attempt it opens. */
export function attemptRoute(ranking: Ranking): AttemptRoute {
  return {
    strategy: ranking.strategy,
    ranked: ranking.ranked.map((target) => target.provider),
    skipped: ranking.skipped.map((skip) => ({ provider: skip.target.provider, reason: skip.reason })),
    explored: ranking.explored,
  };
}

/** Emits `route.decided` for a decision that opens attempt `attempt` (null: nothing could be chosen). */
export function announceRoute(
  ctx: RouterContext,
  paymentId: string,
  ranking: Ranking,
  attempt: number | null,
): void {
  ctx.events.emit('route.decided', () => ({
    paymentId,
    service: ranking.route,
    strategy: ranking.strategy,
    chosen: attempt === null ? null : (ranking.ranked[0]?.provider ?? null),
    ranked: ranking.ranked.map((target) => target.provider),
    skipped: ranking.skipped.map((skip) => ({ provider: skip.target.provider, reason: skip.reason })),
    explored: ranking.explored,
    attempt,
  }));
}

/**
 * The error for a payment no provider of its route can take, nothing sent: a ValidationError naming
 * the field when every provider is ruled out by the request itself (its amount is outside every
 * target's conditions and limits, its account matches no pattern), else ProviderUnavailableError (a
 * breaker, funds, a balance: it may pass later).
 */
export function noProviderError(ranking: Ranking): Error {
  const why = ranking.skipped.map((skip) => `${skip.target.provider} ${skip.reason}`).join(', ');
  const reasons = new Set(ranking.skipped.map((skip) => skip.reason));
  if (ranking.skipped.length > 0 && [...reasons].every((reason) => REQUEST_SKIP_REASONS.has(reason))) {
    const field = ['amount_rule', 'below_limit', 'above_limit'].some((reason) => reasons.has(reason as never))
      ? 'amount'
      : reasons.has('account_rule')
        ? 'account'
        : 'currency';
    return new ValidationError(field, `no provider of route ${ranking.route} takes this payment (${why})`);
  }
  return new ProviderUnavailableError(
    `no provider of route ${ranking.route} can take this payment now (${why}): nothing sent`,
  );
}
