/**
 * The audit trail's shapes (architecture §4.8): every write to a payment, by anyone, appends one entry to
 * that payment's history in the same transaction, and the history is never updated or deleted. What
 * entry a write produces is decided by core's rules (journal-history.ts), so a journal only stores rows.
 */
import type { Outcome, PaymentState, Reason } from './model.js';

/** Who changes payments: a router instance, its finalizer, its callback intake, or a person. */
export const AUDIT_ACTOR_KINDS = ['router', 'finalizer', 'callback', 'operator'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

export interface AuditActor {
  kind: AuditActorKind;
  /** The router instance id (`instanceId`) for router, finalizer and callback; a person's name for operator. */
  name: string;
}

/**
 * What a write says about itself, carried by `create`, `openAttempt` and `transition` (`audit`) and by
 * `appendHistory`. A write without one is recorded as `{ kind: 'router', name: 'unattributed' }`.
 */
export interface Audit {
  actor: AuditActor;
  /** Why, as a short stable word: `pay`, `status_check`, `callback`, `resend_not_found`, `resolution`… */
  reason?: string;
  /** A person's words (a resolution's note). */
  note?: string;
  /** What backs a person's decision the provider did not confirm: a support ticket, a phone call. */
  evidence?: string;
  /** The provider's answer that led to the write (a Status, a Payment), as an outcome. */
  answer?: Outcome;
}

/** The actor of a write that carried no audit (a journal used directly by a script or a test). */
export const UNATTRIBUTED: AuditActor = Object.freeze({ kind: 'router', name: 'unattributed' });

/**
 * What an entry records. Written with a change: `created`, `attempt_opened` (the first send),
 * `resent`, `outcome` (an answer or a decision changed the payment or an attempt), `escalated`
 * (marked stuck), `checked` (a finalizer re-check that changed nothing else), `voucher_kept`,
 * `resolved` (a person made it final). History-only (`appendHistory`, no change): `callback` (a
 * callback that changed nothing: unchanged or throttled), `resolution_refused`, `note`. `baseline`:
 * the payment as it stood when its journal gained a history (a schema migration).
 */
export const HISTORY_EVENTS = [
  'baseline',
  'created',
  'attempt_opened',
  'resent',
  'outcome',
  'escalated',
  'checked',
  'voucher_kept',
  'resolved',
  'callback',
  'resolution_refused',
  'note',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

/** The events `appendHistory` may write: entries that record something without changing the payment. */
export const HISTORY_NOTE_EVENTS = ['callback', 'resolution_refused', 'note'] as const;
export type HistoryNoteEvent = (typeof HISTORY_NOTE_EVENTS)[number];

/**
 * What a payment is, for its history: its outcome, its re-check count, whether it is stuck, how many
 * attempts it has and whether a voucher code is kept (never the code). Leases, schedules and versions
 * are bookkeeping: a write that changes only those appends nothing.
 */
export interface PaymentSnapshot {
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  checks: number;
  stuck: boolean;
  attempts: number;
  voucherKept: boolean;
}

export interface AttemptSnapshot {
  no: number;
  provider: string;
  serviceId: string;
  transactionId: string;
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  providerRequestId: string | null;
  sends: number;
}

export interface AttemptChange {
  no: number;
  /** Null when this write opened the attempt (or for a baseline). */
  before: AttemptSnapshot | null;
  after: AttemptSnapshot;
}

export interface HistoryEntry {
  paymentId: string;
  /** 1, 2, 3… per payment, in the order the writes committed. */
  seq: number;
  /** ISO time of the write. */
  at: string;
  event: HistoryEvent;
  actor: AuditActor;
  /** The payment's version after the write (a history-only entry: the version it saw). */
  version: number;
  /** Before → after; `before` is null for `created` and `baseline`, equal to `after` for history-only entries. */
  payment: { before: PaymentSnapshot | null; after: PaymentSnapshot };
  /** Every attempt the write changed or opened (a baseline lists them all). */
  attempts: AttemptChange[];
  reason: string | null;
  note: string | null;
  evidence: string | null;
  answer: Outcome | null;
}

/** A history-only entry, for `appendHistory`. */
export interface HistoryNote extends Audit {
  event: HistoryNoteEvent;
  /** Time of the entry (defaults to now). */
  at?: Date;
}
