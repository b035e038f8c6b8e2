import { isReason, PAYMENT_STATES, REASONS, type ReasonKind } from '@tolem/core';
import type { BreakerState, ProviderOperation } from '@tolem/router';

/** Label value for a missing reason or provider: Prometheus has no null. */
export const NONE = 'none';
/** Label value for anything outside the closed list a label allows. */
export const OTHER = 'other';

/** Operations a `provider.call` can report (the router's `ProviderOperation`). */
export const OPERATIONS: readonly ProviderOperation[] = [
  'checkAccount',
  'pay',
  'getStatus',
  'getBalance',
  'quote',
  'listServices',
  'listPayments',
  'submitRegistry',
  'submitDailyTotals',
];

/** A call the breaker refused carries this state label: nothing was sent, so it has no outcome. */
export const REJECTED = 'rejected';
/** ...and this reason label. */
export const BREAKER_OPEN = 'breaker_open';

export const REQUEST_STATES: readonly string[] = [...PAYMENT_STATES, REJECTED];

export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open'];
/** `circuit_breaker_state` values: ordered by how bad they are, so `max_over_time` means something. */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  half_open: 1,
  open: 2,
};

export const CALLBACK_RESULTS = ['confirmed', 'unchanged', 'throttled', 'rejected', 'invalid'] as const;

/** What confirmed a manual resolution (`payment.resolved`). */
export const CONFIRMATIONS = ['provider', 'journal', 'evidence'] as const;
/** The states a resolution gives. */
export const RESOLVED_STATES = ['succeeded', 'failed'] as const;

const CONFIRMATION_SET: ReadonlySet<string> = new Set(CONFIRMATIONS);
const OPERATION_SET: ReadonlySet<string> = new Set(OPERATIONS);
const STATE_SET: ReadonlySet<string> = new Set(PAYMENT_STATES);
const CALLBACK_RESULT_SET: ReadonlySet<string> = new Set(CALLBACK_RESULTS);
const BREAKER_STATE_SET: ReadonlySet<string> = new Set(BREAKER_STATES);
const FAILOVER_ONLY_REASONS: ReadonlySet<string> = new Set(['breaker_open', 'unavailable']);

/** A canonical reason, `none` for null, `other` for anything off core's closed list. */
export function reasonLabel(reason: string | null | undefined): string {
  if (reason === null || reason === undefined) return NONE;
  return isReason(reason) ? reason : OTHER;
}

/**
 * The class of a call's reason (core's `reasonKind`): `transport` (no usable answer), `request` (the
 * provider answered about the request, not the payment: auth_failed, insufficient_funds, not_found …),
 * `decline` (a final failure, no money moved), `integrity` (the answer contradicts the request:
 * conflict); `none` without a reason, `rejected` when the breaker refused and nothing was sent, `other`
 * off the list. A function of `reason`, so it adds no series: it lets panels and alerts split the
 * error ratio by class without repeating the reason list in every query.
 */
export const REASON_KINDS: readonly (ReasonKind | 'none' | 'rejected')[] = [
  'none',
  'transport',
  'request',
  'decline',
  'integrity',
  'rejected',
];

export function reasonKindLabel(reason: string | null | undefined, rejected = false): string {
  if (rejected) return REJECTED;
  if (reason === null || reason === undefined) return NONE;
  return isReason(reason) ? REASONS[reason] : OTHER;
}

export function failoverReasonLabel(reason: string): string {
  return FAILOVER_ONLY_REASONS.has(reason) ? reason : reasonLabel(reason);
}

export function operationLabel(operation: string): string {
  return OPERATION_SET.has(operation) ? operation : OTHER;
}

export function stateLabel(state: string): string {
  return STATE_SET.has(state) ? state : OTHER;
}

export function callbackResultLabel(result: string): string {
  return CALLBACK_RESULT_SET.has(result) ? result : OTHER;
}

export function confirmationLabel(confirmation: string): string {
  return CONFIRMATION_SET.has(confirmation) ? confirmation : OTHER;
}

export function isBreakerState(value: string): value is BreakerState {
  return BREAKER_STATE_SET.has(value);
}

/**
 * Keeps a free-form label (a service key) bounded: the first `limit` distinct values pass, later ones
 * become `other`, so a caller that sends unexpected keys cannot blow up the series count.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();

  constructor(readonly limit: number) {}

  value(raw: string | null | undefined): string {
    if (raw === null || raw === undefined || raw === '') return NONE;
    if (this.#seen.has(raw)) return raw;
    if (this.#seen.size >= this.limit) return OTHER;
    this.#seen.add(raw);
    return raw;
  }
}
