/**
 * The journal port: where the router keeps every payment, durably, before anything is sent
 * (architecture §4.1). Implementations: `createMemoryJournal` here, @tolem/journal-sqlite, and every one must
 * pass `runJournalConformance` from @tolem/core/testing.
 */

import type { Audit, HistoryEntry, HistoryNote } from './audit.js';
import type { Outcome, PaymentState, Reason } from './model.js';
import type { InvoicePaymentLine } from './operations.js';
import type {
  ChunkUpdate,
  NewSubmission,
  RegistrySubmission,
  SubmissionKey,
  SubmissionQuery,
} from './registry-submission.js';

/** Payment fields beyond the basics, kept so a resend carries exactly the same request. */
export interface PaymentDetails {
  invoiceId?: string;
  services?: InvoicePaymentLine[];
  sendType?: 'api';
}

export interface NewPayment {
  /** The caller's id: `pay()` is idempotent on it. */
  paymentId: string;
  /** Canonical service key (a route name, e.g. "steam"). */
  service: string;
  account: string;
  /** Decimal string, already normalised ("100.00"). */
  amount: string;
  currency: string;
  details?: PaymentDetails;
  /** When the first re-check is due if nothing else schedules one. */
  nextCheckAt: Date;
  createdAt: Date;
  /** Who creates it, for the history's `created` entry (not part of the payment's fields). */
  audit?: Audit;
}

export interface AttemptRecord {
  /** 1-based, in the order attempts were opened. */
  no: number;
  provider: string;
  serviceId: string;
  /**
   * Allocated once by the journal, unique across the whole journal (so across providers, even two
   * instances sharing one agent account), reused on every resend.
   */
  transactionId: string;
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  providerRequestId: string | null;
  /** How many times the request was (about to be) sent: written before each send. */
  sends: number;
  createdAt: string;
  updatedAt: string;
}

export interface Lease {
  owner: string;
  /** ISO time the lease expires. */
  until: string;
}

/**
 * A voucher code as the router sealed it (AES-256-GCM under one of the keys the user gave it): the
 * journal stores it as it is and never opens it. The fields are base64 text.
 */
export interface SealedVoucher {
  /** Which of the router's keys sealed it (`vouchers.keys` in the router's options). */
  keyId: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export interface PaymentRecord {
  paymentId: string;
  service: string;
  account: string;
  amount: string;
  currency: string;
  details: PaymentDetails;
  /**
   * Payment-level state. A new payment is `unknown` with a null reason and no attempts: nothing sent.
   */
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  attempts: AttemptRecord[];
  /** Bumped by every write: the compare-and-set token. */
  version: number;
  createdAt: string;
  updatedAt: string;
  finalAt: string | null;
  /** When the finalizer should look at it next (null once final). */
  nextCheckAt: string | null;
  /** Re-checks done so far (drives the backoff). */
  checks: number;
  /** Set once the payment was escalated as stuck. */
  stuckAt: string | null;
  lease: Lease | null;
  /**
   * The voucher code of a `sendType: 'api'` payment, sealed by the router, or null when none is kept.
   * Written once (see `Transition.voucher`).
   */
  voucher: SealedVoucher | null;
}

export interface CreateResult {
  record: PaymentRecord;
  /** False when the payment already existed with the same fields. */
  created: boolean;
}

export interface AttemptUpdate extends Partial<Outcome> {
  providerRequestId?: string | null;
}

/** A compare-and-set write. Final states never change; a final attempt never changes. */
export interface Transition {
  /** Updates attempt `attemptNo` with the outcome fields given. */
  attempt?: { no: number; update: AttemptUpdate };
  /** Records one more send of attempt `no` (before it leaves). */
  resend?: { no: number };
  /** Updates the payment-level outcome. */
  payment?: Outcome;
  /** Next re-check time; null clears it. Final payments clear it automatically. */
  nextCheckAt?: Date | null;
  /** Counts one more re-check. */
  countCheck?: boolean;
  /** Marks the payment as escalated. */
  stuck?: boolean;
  /** Releases the lease held by this owner. */
  releaseLease?: string;
  /**
   * Keeps the payment's sealed voucher code, in the same write as the rest of the change (typically
   * the success it came with). Written once: a payment that already has one keeps the first. A value
   * that is not a well-formed SealedVoucher is refused (ValidationError on `voucher`), nothing written.
   */
  voucher?: SealedVoucher;
  /** Time of the write (defaults to now). */
  at?: Date;
  /** Who writes and why, for the history entry the write appends. */
  audit?: Audit;
}

/** What `openAttempt` opens. */
export interface NewAttempt {
  provider: string;
  serviceId: string;
  at?: Date;
  /** Who opens it (and so sends it first), for the history's `attempt_opened` entry. */
  audit?: Audit;
}

export interface ClaimOptions {
  now: Date;
  /** Who claims (a router instance id). */
  owner: string;
  leaseMs: number;
  limit: number;
}

export interface ListQuery {
  /** Inclusive lower bound on createdAt. */
  from?: Date;
  /** Exclusive upper bound on createdAt. */
  to?: Date;
  /** Payments whose latest attempt is at this provider. */
  provider?: string;
  final?: boolean;
  /** Keyset pagination: payments after this id in (createdAt, paymentId) order. */
  after?: { createdAt: string; paymentId: string };
  limit?: number;
}

export interface OpenGroup {
  /** Provider of the latest attempt, or null when nothing was sent yet. */
  provider: string | null;
  state: PaymentState;
  count: number;
  stuck: number;
  oldestCreatedAt: string;
}

/**
 * What a journal's errors mean. The router decides from the class alone whether a write happened, so a
 * journal throws a class that claims "nothing was written" only when that is certain:
 *
 * - `JournalConflictError`: refused, nothing written (another writer got there first, a stale
 *   version, a change to a final payment; from `create`, see there).
 * - `ValidationError` / `ConfigError`: the input or the journal's setup is wrong; nothing written.
 * - anything else (a lost connection, a failed COMMIT, a full disk, a closed journal): **ambiguous** —
 *   the caller may not assume the write did not happen. A journal never turns an error after which
 *   the write may have happened into one of the classes above: a lost connection is rethrown as it is.
 */
export interface PaymentJournal {
  /**
   * A stable id of the stored journal: the same for every handle on one store (every router instance
   * sharing it, on any host), different for another store, kept across restarts. Metrics label the
   * journal-derived gauges with it, so that several instances on one journal count its payments once.
   * Not a secret and not a path. Optional: a journal without one is counted as unshared.
   */
  readonly identity?: string;
  /**
   * Creates the payment, or returns the existing one (`created: false`) when every field matches.
   * Idempotent: calling it again with the same payment after any error is safe, and is how an
   * ambiguous error is resolved (the router re-creates, then sends what exists). It rejects with:
   * - `JournalConflictError` only when the payment was definitely not created with these fields: the
   *   id is held by a payment with other fields, which `fields` names; that payment is unchanged.
   * - `ValidationError` / `ConfigError` only when nothing was written (a malformed payment, a bad setup).
   * - anything else when the row may exist: the caller must read it back (or create again) before it
   *   says the payment was not recorded.
   */
  create(payment: NewPayment): Promise<CreateResult>;
  get(paymentId: string): Promise<PaymentRecord | null>;
  findByTransaction(provider: string, transactionId: string): Promise<PaymentRecord | null>;
  /**
   * Opens an attempt at `provider` (allocating its transaction id) or returns the payment unchanged
   * when an attempt at that provider exists. Counts as the first send: call it before sending.
   * Refuses (JournalConflictError) a new provider while an earlier attempt may have moved money
   * (`movedNoMoney` is false for it): the journal's own guard against paying twice.
   */
  openAttempt(paymentId: string, expectedVersion: number, attempt: NewAttempt): Promise<PaymentRecord>;
  transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord>;
  /** Leases up to `limit` open payments due at `now` whose lease is free or expired. */
  claimDue(options: ClaimOptions): Promise<PaymentRecord[]>;
  list(query?: ListQuery): Promise<PaymentRecord[]>;
  /** Open (non-final) payments grouped by provider and state, for metrics. */
  openSummary(): Promise<OpenGroup[]>;
  /**
   * The payment's history, oldest first (`seq` 1, 2, 3…); empty for an unknown payment. Every write
   * that changes what a payment is (`create`, `openAttempt`, a `transition` that changes its outcome,
   * an attempt, its checks, its escalation or its kept voucher) appends one entry in the same
   * transaction, from core's rules (`createdEntry`, `writeEntry`); a write that changes only a lease
   * or a schedule appends nothing. Entries are never updated or deleted.
   */
  history(paymentId: string): Promise<HistoryEntry[]>;
  /**
   * Appends an entry that records something without changing the payment (a callback that changed
   * nothing, a refused resolution), built by core's `noteEntry`; returns it. JournalConflictError when
   * the payment does not exist; ValidationError (nothing written) for a malformed entry.
   */
  appendHistory(paymentId: string, note: HistoryNote): Promise<HistoryEntry>;
  /**
   * Starts a registry submission (end of day) or returns the one already started for the same key,
   * revision and content (`created: false`). JournalConflictError when that key and revision were
   * started with other content (`fields: ['digest']`); ValidationError when malformed (nothing written).
   */
  startSubmission(input: NewSubmission): Promise<{ submission: RegistrySubmission; created: boolean }>;
  /**
   * Records a chunk's progress (compare-and-set on `version`, core's `applyChunkUpdate`): an accepted
   * chunk never changes. JournalConflictError for a stale version, a missing submission or chunk, or a
   * refused change.
   */
  updateSubmission(
    key: SubmissionKey & { revision: number },
    expectedVersion: number,
    update: ChunkUpdate,
  ): Promise<RegistrySubmission>;
  /** Submissions matching the query, by date, provider, kind and revision. */
  submissions(query?: SubmissionQuery): Promise<RegistrySubmission[]>;
  close(): Promise<void>;
}
