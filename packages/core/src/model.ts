/**
 * The canonical payment model (architecture §2). Every provider maps its own answers onto it; everything
 * above a provider (router, journal, metrics, CLI) speaks only this.
 */

/** pending: the provider has it, not final · succeeded/failed: final · unknown: we cannot know. */
export const PAYMENT_STATES = ['pending', 'succeeded', 'failed', 'unknown'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/**
 * The closed list of canonical reasons. The VectraFin code behind each is the table in
 * protocol §4; other providers map onto the same list and may propose additions.
 */
export const REASONS = {
  // Request-level errors: they say nothing about the payment, so the state is unknown.
  auth_failed: 'request',
  insufficient_funds: 'request',
  cancelled: 'request',
  not_found: 'request',
  request_failed: 'request',
  route_not_found: 'request',
  no_exchange_rate: 'request',
  provider_storage_error: 'request',
  unknown_status: 'request',
  // Final declines: no money moved.
  account_invalid: 'decline',
  account_not_found: 'decline',
  operator_forbidden: 'decline',
  anonymous_wallet_forbidden: 'decline',
  provider_technical: 'decline',
  account_inactive: 'decline',
  amount_out_of_range: 'decline',
  amount_too_small: 'decline',
  amount_too_large: 'decline',
  invoice_check_failed: 'decline',
  operator_error: 'decline',
  // Transport: no usable answer, so the state is unknown.
  timeout: 'transport',
  connection_refused: 'transport',
  connection_lost: 'transport',
  empty_response: 'transport',
  malformed_response: 'transport',
  http_error: 'transport',
  aborted: 'transport',
  // The answer contradicts the request (echoed amount, account or transaction id differ).
  conflict: 'integrity',
  // The request never left this process: it waited for a free connection longer than allowed, or the
  // client's queue was full. Says nothing about the provider's health.
  not_dispatched: 'local',
} as const satisfies Record<string, ReasonKind>;

/**
 * request: the provider answered about the request, not the payment · decline: a final refusal ·
 * transport: no usable answer · integrity: the answer contradicts the request · local: the request
 * never left this process (nothing about the provider).
 */
export type ReasonKind = 'request' | 'decline' | 'transport' | 'integrity' | 'local';
export type Reason = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as Reason[];

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && Object.hasOwn(REASONS, value);
}

export function reasonKind(reason: Reason): ReasonKind {
  return REASONS[reason];
}

/**
 * Reasons for which the request provably never left: safe to send elsewhere. A provider reports them
 * only with proof — no byte of the request was written to a connection (a refused or failed connect on
 * every address, a DNS failure, a connect timeout; or it never left the client's own queue). A timeout
 * or a reset may have reached the provider; these cannot have.
 */
export const NOTHING_SENT_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  'connection_refused',
  'not_dispatched',
]);

/** The outcome every operation that may have reached a provider returns instead of throwing. */
export interface Outcome {
  state: PaymentState;
  /** True only for succeeded and failed. */
  final: boolean;
  /** Null for pending and succeeded. */
  reason: Reason | null;
  /** The provider's own status code, untouched (as a string), or null when there was no answer. */
  providerStatus: string | null;
  /** The provider's own message (often Russian), untouched, or a transport description. */
  message: string | null;
}

export function isFinal(state: PaymentState): boolean {
  return state === 'succeeded' || state === 'failed';
}

/** Builds an outcome, keeping `final` and `reason` consistent with `state` (reason null for pending and succeeded). */
export function outcome(
  state: PaymentState,
  reason: Reason | null,
  providerStatus: string | null = null,
  message: string | null = null,
): Outcome {
  const final = isFinal(state);
  if ((state === 'failed' || state === 'unknown') && reason === null) {
    throw new TypeError(`a ${state} outcome needs a reason`);
  }
  const keepsReason = state === 'failed' || state === 'unknown';
  return { state, final, reason: keepsReason ? reason : null, providerStatus, message };
}

/** Whether `next` may replace `previous` in a journal: final outcomes never change. */
export function canTransition(previous: PaymentState, next: PaymentState): boolean {
  return !isFinal(previous) || previous === next;
}
