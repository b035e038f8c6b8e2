import { movedNoMoney, NOTHING_SENT_REASONS, type PaymentState, type Reason } from '@tolem/core';

/**
 * The safe-failover rules of architecture §4.3, as pure functions: whatever calls them (pay, finalizer,
 * callbacks), a payment moves to another provider only when the first one provably has nothing.
 */
export interface FailoverPolicy {
  /** Final decline reasons after which the next provider of the route is tried. */
  onReasons: ReadonlySet<Reason>;
}

/** What the router knows about one attempt. */
export interface AttemptFacts {
  state: PaymentState;
  reason: Reason | null;
  /** Sends recorded for the attempt (1 after the first send). */
  sends: number;
}

/**
 * The request of this attempt provably never reached the provider: its only send came back with a
 * nothing-sent reason (a refused connection, or the router's own "not sent" marker). After a resend the
 * first send may have arrived, so this no longer holds.
 */
export function provablyUnsent(attempt: AttemptFacts): boolean {
  return (
    (attempt.state === 'unknown' || attempt.state === 'failed') &&
    attempt.reason !== null &&
    NOTHING_SENT_REASONS.has(attempt.reason) &&
    attempt.sends === 1
  );
}

/** No money moved at this provider and none ever will for this attempt (the journal's own rule). */
export function settledWithoutMoney(attempt: AttemptFacts): boolean {
  return movedNoMoney(attempt);
}

/** Whether another provider may be tried after this attempt. Never after pending, never after an unknown that may have arrived. */
export function mayFailOver(attempt: AttemptFacts, policy: FailoverPolicy): boolean {
  if (provablyUnsent(attempt)) return true;
  if (attempt.state !== 'failed' || attempt.reason === null) return false;
  return NOTHING_SENT_REASONS.has(attempt.reason) || policy.onReasons.has(attempt.reason);
}

export type Decision =
  /** No attempt yet: send to the first available provider. */
  | { kind: 'start' }
  | { kind: 'succeeded' }
  /** The payment fails finally with this reason. */
  | { kind: 'failed'; reason: Reason }
  /** Open a new attempt at the next provider. */
  | { kind: 'failover'; reason: Reason }
  /** Keep the payment open and re-check this attempt later. */
  | { kind: 'wait' };

/**
 * Decides what a payment does next from its latest attempt. `hasNext` says whether the route still
 * has a provider without an attempt that can take the payment now.
 */
export function decide(latest: AttemptFacts | undefined, policy: FailoverPolicy, hasNext: boolean): Decision {
  if (latest === undefined) return { kind: 'start' };
  if (latest.state === 'succeeded') return { kind: 'succeeded' };
  if (latest.state === 'pending') return { kind: 'wait' };
  if (mayFailOver(latest, policy)) {
    // mayFailOver guarantees a reason.
    const reason = latest.reason as Reason;
    return hasNext ? { kind: 'failover', reason } : { kind: 'failed', reason };
  }
  if (latest.state === 'failed') return { kind: 'failed', reason: latest.reason ?? 'operator_error' };
  return { kind: 'wait' };
}

/** A payment may be marked failed only when every attempt of it moved no money. */
export function mayMarkFailed(attempts: readonly AttemptFacts[]): boolean {
  return attempts.every(settledWithoutMoney);
}
