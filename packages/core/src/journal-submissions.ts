/**
 * Pure rules of registry submissions (end of day), shared by every journal: a new submission's record,
 * idempotent starts, and compare-and-set chunk updates in which an accepted chunk never changes.
 */
import { JournalConflictError, ValidationError } from './errors.js';
import { checkedActor } from './journal-history.js';
import type { Outcome } from './model.js';
import { isFinal, isReason, PAYMENT_STATES } from './model.js';
import {
  CHUNK_STATUSES,
  type ChunkStatus,
  type ChunkUpdate,
  type NewSubmission,
  type RegistrySubmission,
  SUBMISSION_KINDS,
  type SubmissionKey,
  type SubmissionQuery,
} from './registry-submission.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DIGEST = /^[0-9a-f]{16,128}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `provider/date/kind#revision`: how errors name a submission (JournalConflictError's id). */
export function submissionId(key: SubmissionKey & { revision?: number }): string {
  return `${key.provider}/${key.date}/${key.kind}${key.revision === undefined ? '' : `#${key.revision}`}`;
}

export function assertSubmissionKey(key: unknown): SubmissionKey {
  if (typeof key !== 'object' || key === null)
    throw new ValidationError('submission', 'an object { provider, date, kind } is required');
  const { provider, date, kind } = key as Record<string, unknown>;
  if (typeof provider !== 'string' || provider.length === 0 || provider.length > 200)
    throw new ValidationError('provider', 'a provider id of 1 to 200 characters');
  if (typeof date !== 'string' || !DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new ValidationError('date', 'a calendar day "yyyy-MM-dd"');
  if (typeof kind !== 'string' || !(SUBMISSION_KINDS as readonly string[]).includes(kind))
    throw new ValidationError('kind', `one of ${SUBMISSION_KINDS.join(', ')}`);
  return { provider, date, kind: kind as SubmissionKey['kind'] };
}

/** The record of a new submission: every chunk unsent. ValidationError (nothing written) when malformed. */
export function newSubmissionRecord(input: NewSubmission): RegistrySubmission {
  const key = assertSubmissionKey(input);
  if (!Number.isInteger(input.revision) || input.revision < 1)
    throw new ValidationError('revision', 'an integer from 1');
  if (typeof input.digest !== 'string' || !DIGEST.test(input.digest))
    throw new ValidationError('digest', 'lower-case hex, 16 to 128 characters');
  if (!Number.isInteger(input.count) || input.count < 0)
    throw new ValidationError('count', 'an integer from 0');
  if (typeof input.amount !== 'string' || !DECIMAL.test(input.amount))
    throw new ValidationError('amount', 'a decimal string');
  if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime()))
    throw new ValidationError('at', 'a valid Date is required');
  const actor = checkedActor(input.actor, 'actor');
  const force = input.force ?? null;
  if (force !== null && (typeof force.reason !== 'string' || force.reason.trim().length === 0))
    throw new ValidationError('force.reason', 'a non-empty reason is required');
  if (!Array.isArray(input.chunks) || input.chunks.length === 0)
    throw new ValidationError('chunks', 'at least one chunk');
  let offset = 0;
  const chunks = input.chunks.map((chunk, index) => {
    if (chunk.offset !== offset || !Number.isInteger(chunk.size) || chunk.size < 1)
      throw new ValidationError(`chunks.${index}`, 'chunks must follow each other, each at least 1 entry');
    if (typeof chunk.digest !== 'string' || !DIGEST.test(chunk.digest))
      throw new ValidationError(`chunks.${index}.digest`, 'lower-case hex, 16 to 128 characters');
    offset += chunk.size;
    return {
      index,
      offset: chunk.offset,
      size: chunk.size,
      digest: chunk.digest,
      status: 'unsent' as const,
      sends: 0,
      outcome: null,
      sentAt: null,
      sentBy: null,
      answeredAt: null,
    };
  });
  return {
    ...key,
    revision: input.revision,
    digest: input.digest,
    count: input.count,
    amount: input.amount,
    createdAt: input.at.toISOString(),
    createdBy: actor,
    force: force === null ? null : { reason: force.reason },
    chunks,
    completedAt: null,
    version: 1,
  };
}

/** Throws JournalConflictError when `input` reuses `existing`'s key and revision for other content. */
export function assertSameSubmission(existing: RegistrySubmission, input: NewSubmission): void {
  if (existing.digest !== input.digest) {
    throw new JournalConflictError(submissionId(existing), 'already started with other content', {
      fields: ['digest'],
    });
  }
}

/** Which statuses a chunk may move to: an accepted chunk never changes; a send is written first. */
const NEXT: Record<ChunkStatus, readonly ChunkStatus[]> = {
  unsent: ['sending'],
  sending: ['accepted', 'refused', 'unknown', 'unsent'],
  refused: ['sending'],
  unknown: ['sending'],
  accepted: [],
};

/** Applies a chunk update (compare-and-set is the journal's: it checks `version` first). */
export function applyChunkUpdate(submission: RegistrySubmission, update: ChunkUpdate): RegistrySubmission {
  const id = submissionId(submission);
  if (typeof update !== 'object' || update === null)
    throw new ValidationError('update', 'an object is required');
  if (!(CHUNK_STATUSES as readonly string[]).includes(update.status))
    throw new ValidationError('status', `one of ${CHUNK_STATUSES.join(', ')}`);
  if (!(update.at instanceof Date) || Number.isNaN(update.at.getTime()))
    throw new ValidationError('at', 'a valid Date is required');
  const actor = checkedActor(update.actor, 'actor');
  const outcome =
    update.outcome === undefined || update.outcome === null ? null : checkedOutcome(update.outcome);
  const chunk = submission.chunks.find((c) => c.index === update.index);
  if (chunk === undefined) throw new JournalConflictError(id, `has no chunk ${update.index}`);
  if (!NEXT[chunk.status].includes(update.status)) {
    throw new JournalConflictError(
      id,
      `chunk ${chunk.index} is ${chunk.status}; refused change to ${update.status}`,
    );
  }
  const at = update.at.toISOString();
  const next =
    update.status === 'sending'
      ? { ...chunk, status: update.status, sends: chunk.sends + 1, sentAt: at, sentBy: actor, outcome }
      : { ...chunk, status: update.status, outcome, answeredAt: at };
  const chunks = submission.chunks.map((c) => (c.index === chunk.index ? next : c));
  const complete = chunks.every((c) => c.status === 'accepted');
  return { ...submission, chunks, completedAt: complete ? at : null, version: submission.version + 1 };
}

function checkedOutcome(value: Outcome): Outcome {
  if (typeof value !== 'object' || !(PAYMENT_STATES as readonly string[]).includes(value.state))
    throw new ValidationError('outcome.state', `one of ${PAYMENT_STATES.join(', ')}`);
  if (value.reason !== null && !isReason(value.reason))
    throw new ValidationError('outcome.reason', 'a canonical reason or null');
  return {
    state: value.state,
    final: isFinal(value.state),
    reason: value.reason,
    providerStatus: value.providerStatus ?? null,
    message: value.message ?? null,
  };
}

export function matchesSubmission(submission: RegistrySubmission, query: SubmissionQuery): boolean {
  if (query.provider !== undefined && submission.provider !== query.provider) return false;
  if (query.date !== undefined && submission.date !== query.date) return false;
  if (query.kind !== undefined && submission.kind !== query.kind) return false;
  return true;
}

/** The order `submissions()` returns: by date, provider, kind, revision. */
export function compareSubmissions(a: RegistrySubmission, b: RegistrySubmission): number {
  const key = (s: RegistrySubmission) => [s.date, s.provider, s.kind];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
  }
  return a.revision - b.revision;
}
