import type {
  AuditActor,
  CallOptions,
  ChunkStatus,
  DailyTotals,
  HistoryEntry,
  Outcome,
  PaymentState,
  SubmissionKind,
} from '@tolem/core';
import type { ReconcileIssue } from '../reconciliation.js';
import type { PaymentView } from '../types.js';

/** `router.resolve(paymentId, request)`: a person makes a payment that is not final, final. */
export interface ResolveRequest {
  state: 'succeeded' | 'failed';
  /** The person's name (1–128 characters): the history's actor. */
  actor: string;
  /** Why (1–2000 characters). */
  note: string;
  /**
   * What backs it when the provider cannot confirm it (a support ticket, 1–2000 characters): required
   * then, and recorded with the resolution.
   */
  evidence?: string;
}

/**
 * How a resolution was confirmed: `provider` — its Status answers agree · `journal` — no attempt can
 * have moved money (a `failed` resolution only), nothing to ask · `evidence` — the provider could not
 * confirm it, and the person's evidence stands in.
 */
export type ResolutionConfirmation = 'provider' | 'journal' | 'evidence';

/** What the provider answered about one attempt before the resolution. */
export interface ResolutionCheck {
  attemptNo: number;
  provider: string;
  transactionId: string;
  /** The Status answer; null when it could not be asked (breaker open, refused before sending). */
  answer: Outcome | null;
}

export interface Resolution {
  payment: PaymentView;
  state: 'succeeded' | 'failed';
  confirmation: ResolutionConfirmation;
  /** One per attempt that may have moved money, in attempt order. */
  checks: ResolutionCheck[];
  /** The history entry the resolution wrote. */
  entry: HistoryEntry;
}

/** A payment of the day that keeps the day from adding up, besides ReconcileIssue's kinds. */
export type EndOfDayIssue =
  | ReconcileIssue
  /** Not final at this provider: until it is, the day's registry and totals may change. */
  | { kind: 'open_payment'; paymentId: string; transactionId: string; journalState: PaymentState }
  /** Succeeded, but neither the journal nor the provider's list has its request id: it cannot be listed. */
  | { kind: 'no_request_id'; paymentId: string; transactionId: string }
  /** The day's payments are in more than one currency: no single daily total. */
  | { kind: 'mixed_currencies'; currencies: string[] };

export interface EndOfDayProgress {
  kind: SubmissionKind;
  /** 0-based index of the chunk this is about, and how many there are. */
  chunk: number;
  chunks: number;
  offset: number;
  size: number;
  /** `sending` before it leaves, then its answer. */
  status: ChunkStatus;
}

export interface EndOfDayOptions extends CallOptions {
  /** Send the registry and the totals. Default false: reconcile and report only. */
  send?: boolean;
  /**
   * Send although the reconciliation is incomplete or has discrepancies, or although the content
   * changed since an earlier send of the day (a new revision is then sent): the reason is recorded.
   */
  force?: { reason: string };
  /** Who runs it (a person or a job name): recorded with what is sent. Default: this router instance. */
  actor?: string;
  /**
   * The provider's lists of the neighbouring days are read this far around the day (default 1 h), so
   * that a payment tolem started just before midnight which the provider registered after it (or the
   * other way round) counts on the provider's day and is not reported missing.
   */
  marginMs?: number;
  /** Told before each chunk leaves and when its answer is recorded (for a progress display). */
  onProgress?: (progress: EndOfDayProgress) => void;
}

export interface SubmissionChunkReport {
  index: number;
  offset: number;
  size: number;
  status: ChunkStatus;
  /** Requests sent for it, over every run. */
  sends: number;
  outcome: Outcome | null;
  sentAt: string | null;
  sentBy: AuditActor | null;
}

/**
 * What end of day did with one kind: `not_requested` (no `send`) · `nothing_to_send` (no payment that
 * day) · `blocked` (see `blockedBy`) · `sent` (every chunk accepted now) · `already_sent` (every chunk
 * was accepted by an earlier run: nothing sent) · `incomplete` (some chunk is not accepted: the next run
 * resumes from it; `blockedBy` says why it stopped when it was not the provider's answer — `aborted`,
 * or `concurrent_run` when another run wrote the same submission meanwhile).
 */
export interface SubmissionReport {
  kind: SubmissionKind;
  status: 'not_requested' | 'nothing_to_send' | 'blocked' | 'sent' | 'already_sent' | 'incomplete';
  blockedBy:
    | null
    | 'reconciliation_incomplete'
    | 'discrepancies'
    | 'changed_since_sent'
    | 'registry_not_accepted'
    | 'aborted'
    | 'concurrent_run';
  /** The submission's revision in the journal (null when none was started). */
  revision: number | null;
  /** Who first started this submission, and when (an earlier run's, for `already_sent`). */
  startedAt: string | null;
  startedBy: AuditActor | null;
  completedAt: string | null;
  force: { reason: string } | null;
  chunks: SubmissionChunkReport[];
  /** Chunks this run sent. */
  sentNow: number;
}

export interface EndOfDayReport {
  provider: string;
  /** yyyy-MM-dd in `timeZone`. */
  date: string;
  timeZone: string;
  /** The day as instants: [from, to). */
  from: string;
  to: string;
  reconciliation: {
    /** True only when the provider answered the day and both margins with a list. */
    complete: boolean;
    /** The outcomes of the three list requests (the margin before, the day, the margin after). */
    outcomes: { before: Outcome; day: Outcome; after: Outcome };
    /** Payments of the day both sides agree on. */
    matched: number;
  };
  /** Everything that keeps the day from adding up; sending waits until this is empty (or forced). */
  discrepancies: EndOfDayIssue[];
  registry: {
    entries: number;
    /** Sum of the entries' amounts (decimal string; in `currency`). */
    amount: string;
    currency: string | null;
  };
  /** The day's totals as they are (or would be) sent; null with mixed currencies. */
  totals: DailyTotals | null;
  send: {
    requested: boolean;
    force: { reason: string } | null;
    registry: SubmissionReport;
    totals: SubmissionReport;
  };
}
