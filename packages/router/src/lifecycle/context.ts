import type { Clock, PaymentJournal, PaymentProvider, PaymentRecord } from '@tolem/core';
import type { ProviderBreakers } from '../breaker.js';
import type { RouterEventBus } from '../events.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { ResolvedOptions } from '../options.js';
import type { FailoverPolicy } from '../routing/failover-policy.js';
import { type NextTarget, nextTarget, type ProviderFacts } from '../routing/route-table.js';
import type { Routes } from '../types.js';
import type { Vouchers } from '../vouchers.js';
import type { CallbackChecks } from './callback-checks.js';
import type { PaymentWatchers } from './watchers.js';

/** Everything the lifecycle functions share: built once by `createRouter`. */
export interface RouterContext {
  readonly options: ResolvedOptions;
  readonly providers: ReadonlyMap<string, PaymentProvider>;
  readonly routes: Routes;
  readonly journal: PaymentJournal;
  readonly breakers: ProviderBreakers;
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
    context: { source: 'finalizer' | 'callback' | 'pay' | 'startup'; paymentId: string | null },
  ): void;
}

/**
 * The facts the route table needs, read now: the router's providers, and those whose breaker takes a
 * call (less `excluded`, providers the caller has just seen refuse).
 */
export function providerFacts(ctx: RouterContext, excluded: ReadonlySet<string> = new Set()): ProviderFacts {
  const admitting = new Set<string>();
  for (const id of ctx.providers.keys()) {
    if (!excluded.has(id) && ctx.breakers.admits(id)) admitting.add(id);
  }
  return { known: ctx.providers, admitting };
}

/** `nextTarget` with the providers' facts as they are now. */
export function nextTargetNow(
  ctx: RouterContext,
  record: Pick<PaymentRecord, 'service' | 'currency' | 'attempts'>,
  excluded?: ReadonlySet<string>,
): NextTarget {
  return nextTarget(ctx.routes, record, providerFacts(ctx, excluded));
}
