/**
 * What a journal keeps of registries and daily totals sent to a provider (end of day): one submission
 * per provider, day and kind, with per-chunk progress, so a second run sends nothing again and an
 * interrupted one resumes from its first chunk not accepted. Rules: journal-submissions.ts.
 */
import type { AuditActor } from './audit.js';
import type { Outcome } from './model.js';

/** `registry`: PostPayments-like lists of payments, in chunks · `totals`: one daily-totals request. */
export const SUBMISSION_KINDS = ['registry', 'totals'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

export interface SubmissionKey {
  provider: string;
  /** The calendar day (`yyyy-MM-dd`) in the provider's zone. */
  date: string;
  kind: SubmissionKind;
}

/**
 * `unsent` → `sending` (written before the request leaves) → `accepted` · `refused` (the provider said
 * no to the chunk as a whole) · `unknown` (no usable answer: it may have arrived). A chunk that is not
 * `accepted` is sent again by the next run; an accepted one never changes.
 */
export const CHUNK_STATUSES = ['unsent', 'sending', 'accepted', 'refused', 'unknown'] as const;
export type ChunkStatus = (typeof CHUNK_STATUSES)[number];

export interface SubmissionChunk {
  /** 0-based. */
  index: number;
  /** Index of the chunk's first entry in the submission. */
  offset: number;
  size: number;
  /** Fingerprint of the chunk's content. */
  digest: string;
  status: ChunkStatus;
  /** Requests written for it so far (each before it left). */
  sends: number;
  /** The provider's answer to the latest send, or why it was not sent. */
  outcome: Outcome | null;
  sentAt: string | null;
  sentBy: AuditActor | null;
  answeredAt: string | null;
}

export interface RegistrySubmission extends SubmissionKey {
  /** 1 for the first submission of a key; a forced resend of changed content starts the next. */
  revision: number;
  /** Fingerprint of the whole content: a rerun with the same content resumes this submission. */
  digest: string;
  /** Entries (registry) or payments counted (totals). */
  count: number;
  /** Their total amount, a decimal string. */
  amount: string;
  createdAt: string;
  createdBy: AuditActor;
  /** Set when it was sent despite discrepancies, an incomplete reconciliation or a changed content. */
  force: { reason: string } | null;
  chunks: SubmissionChunk[];
  /** When the last chunk was accepted. */
  completedAt: string | null;
  /** Bumped by every write: the compare-and-set token. */
  version: number;
}

export interface NewSubmission extends SubmissionKey {
  revision: number;
  digest: string;
  count: number;
  amount: string;
  chunks: { offset: number; size: number; digest: string }[];
  actor: AuditActor;
  force?: { reason: string } | null;
  at: Date;
}

export interface ChunkUpdate {
  index: number;
  status: ChunkStatus;
  /** The answer (accepted, refused, unknown) or why it went back to unsent. */
  outcome?: Outcome | null;
  actor: AuditActor;
  at: Date;
}

export interface SubmissionQuery {
  provider?: string;
  date?: string;
  kind?: SubmissionKind;
}
