import { createHash } from 'node:crypto';
import {
  type AuditActor,
  type ChunkStatus,
  JournalConflictError,
  type Outcome,
  outcome,
  type RegistryResult,
  type RegistrySubmission,
  type SubmissionKind,
} from '@tolem/core';
import { isNothingSentError } from '../breaker.js';
import type { ProviderOperation } from '../events.js';
import type { RouterContext } from '../lifecycle/context.js';
import type { EndOfDayProgress, SubmissionChunkReport, SubmissionReport } from './types.js';

/** One request's worth of content: what `send` sends, and its place in the submission. */
export interface PlannedChunk<T> {
  offset: number;
  size: number;
  payload: T;
}

export interface SubmissionPlan<T> {
  provider: string;
  date: string;
  kind: SubmissionKind;
  /** Entries (registry) or payments counted (totals), and their amount. */
  count: number;
  amount: string;
  chunks: PlannedChunk<T>[];
  operation: ProviderOperation;
  /** Sends one chunk; throws only when nothing was sent (the port's rule). */
  send(
    payload: T,
    options: { signal?: AbortSignal; timeoutMs?: number; onDispatch: () => void },
  ): Promise<RegistryResult>;
}

export interface SubmitOptions {
  actor: AuditActor;
  force: { reason: string } | null;
  /** Whether the rules let it be sent now (no discrepancies, or forced). */
  allowed: boolean;
  blockedBy: SubmissionReport['blockedBy'];
  send: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (progress: EndOfDayProgress) => void;
}

/** A fingerprint of content: the same entries in the same order give the same digest. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function report(kind: SubmissionKind, submission: RegistrySubmission | undefined): SubmissionReport {
  return {
    kind,
    status: 'not_requested',
    blockedBy: null,
    revision: submission?.revision ?? null,
    startedAt: submission?.createdAt ?? null,
    startedBy: submission?.createdBy ?? null,
    completedAt: submission?.completedAt ?? null,
    force: submission?.force ?? null,
    chunks: (submission?.chunks ?? []).map(
      (chunk): SubmissionChunkReport => ({
        index: chunk.index,
        offset: chunk.offset,
        size: chunk.size,
        status: chunk.status,
        sends: chunk.sends,
        outcome: chunk.outcome,
        sentAt: chunk.sentAt,
        sentBy: chunk.sentBy,
      }),
    ),
    sentNow: 0,
  };
}

/**
 * Sends a registry or the daily totals once (end of day): the submission and each chunk's progress are
 * written to the journal, the chunk as `sending` before its request leaves; a run finds what an earlier
 * one did — done (sends nothing and says when and by whom), or interrupted (resumes from the first chunk
 * not accepted; a chunk left `sending` by a crash is sent again: a registry is a report, sending it
 * twice moves no money). Content that changed since a send began is sent only when forced, as a new
 * revision.
 */
export async function submit<T>(
  ctx: RouterContext,
  plan: SubmissionPlan<T>,
  options: SubmitOptions,
): Promise<SubmissionReport> {
  const key = { provider: plan.provider, date: plan.date, kind: plan.kind };
  const digest = digestOf(plan.chunks.map((chunk) => chunk.payload));
  const revisions = await ctx.journal.submissions(key);
  const latest = revisions[revisions.length - 1];
  const same = latest !== undefined && latest.digest === digest;
  if (same && latest.completedAt !== null) return { ...report(plan.kind, latest), status: 'already_sent' };
  if (plan.chunks.length === 0) return { ...report(plan.kind, latest), status: 'nothing_to_send' };
  if (!options.send) return report(plan.kind, latest);
  if (!options.allowed)
    return { ...report(plan.kind, latest), status: 'blocked', blockedBy: options.blockedBy };
  if (latest !== undefined && !same && options.force === null) {
    return { ...report(plan.kind, latest), status: 'blocked', blockedBy: 'changed_since_sent' };
  }
  let submission: RegistrySubmission;
  if (same) {
    submission = latest;
  } else {
    const started = await ctx.journal.startSubmission({
      ...key,
      revision: (latest?.revision ?? 0) + 1,
      digest,
      count: plan.count,
      amount: plan.amount,
      chunks: plan.chunks.map((chunk) => ({
        offset: chunk.offset,
        size: chunk.size,
        digest: digestOf(chunk.payload),
      })),
      actor: options.actor,
      force: options.force,
      at: ctx.clock.now(),
    });
    submission = started.submission;
  }
  const revisionKey = { ...key, revision: submission.revision };
  let sentNow = 0;
  let stopped: SubmissionReport['blockedBy'] = null;
  const progress = (index: number, status: ChunkStatus) => {
    const chunk = submission.chunks[index]!;
    try {
      options.onProgress?.({
        kind: plan.kind,
        chunk: index,
        chunks: submission.chunks.length,
        offset: chunk.offset,
        size: chunk.size,
        status,
      });
    } catch {
      // A progress display that throws must not stop a submission half-way.
    }
  };
  const write = async (index: number, status: ChunkStatus, answer: Outcome | null) => {
    submission = await ctx.journal.updateSubmission(revisionKey, submission.version, {
      index,
      status,
      outcome: answer,
      actor: options.actor,
      at: ctx.clock.now(),
    });
  };
  try {
    for (const [index, chunk] of submission.chunks.entries()) {
      if (chunk.status === 'accepted') continue;
      if (options.signal?.aborted) {
        stopped = 'aborted';
        break;
      }
      // Left `sending` by a run that stopped before the answer: it may have arrived; it goes again.
      if (chunk.status === 'sending') {
        await write(
          index,
          'unknown',
          outcome('unknown', 'request_failed', null, 'no answer recorded: the run stopped'),
        );
      }
      await write(index, 'sending', null);
      progress(index, 'sending');
      const [status, answer] = await sendChunk(ctx, plan, plan.chunks[index]!.payload, options);
      await write(index, status, answer);
      progress(index, status);
      if (status !== 'unsent') sentNow += 1;
      if (status !== 'accepted') {
        if (status === 'unsent' && options.signal?.aborted) stopped = 'aborted';
        break;
      }
    }
  } catch (error) {
    if (!JournalConflictError.is(error)) throw error;
    // Another run wrote this submission meanwhile: what the journal says is the report.
    stopped = 'concurrent_run';
    submission =
      (await ctx.journal.submissions(key)).find((s) => s.revision === submission.revision) ?? submission;
  }
  const done = submission.completedAt !== null;
  return {
    ...report(plan.kind, submission),
    status: done ? (sentNow > 0 ? 'sent' : 'already_sent') : 'incomplete',
    blockedBy: done ? null : stopped,
    sentNow,
  };
}

/** Sends one chunk through the provider's breaker and says what became of it. */
async function sendChunk<T>(
  ctx: RouterContext,
  plan: SubmissionPlan<T>,
  payload: T,
  options: SubmitOptions,
): Promise<[ChunkStatus, Outcome]> {
  try {
    const result = await ctx.breakers.run(
      plan.provider,
      plan.operation,
      (call) =>
        plan.send(payload, {
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          onDispatch: () => call.started(),
        }),
      (value) => verdictOf(value),
      options.signal,
    );
    const verdict = verdictOf(result);
    const answer = outcomeOf(result);
    if (result.accepted) return ['accepted', answer];
    return [verdict.state === 'failed' ? 'refused' : 'unknown', answer];
  } catch (error) {
    // Thrown: nothing was sent (refused by the breaker, invalid content, aborted before it left).
    if (isNothingSentError(error, options.signal)) {
      const name = error instanceof Error ? error.name : 'aborted';
      return [
        'unsent',
        outcome('unknown', options.signal?.aborted ? 'aborted' : 'not_dispatched', null, `not sent: ${name}`),
      ];
    }
    return [
      'unknown',
      outcome(
        'unknown',
        'request_failed',
        null,
        `the provider threw ${error instanceof Error ? error.name : typeof error}`,
      ),
    ];
  }
}

/** The first chunk that was not accepted decides; all accepted is success. */
function verdictOf(result: RegistryResult): { state: Outcome['state']; reason: Outcome['reason'] } {
  const bad = result.chunks.find((chunk) => chunk.state !== 'succeeded');
  return bad === undefined ? { state: 'succeeded', reason: null } : { state: bad.state, reason: bad.reason };
}

function outcomeOf(result: RegistryResult): Outcome {
  const chunk = result.chunks.find((c) => c.state !== 'succeeded') ?? result.chunks[0];
  if (chunk === undefined) return outcome('unknown', 'malformed_response', null, 'no chunk in the answer');
  return {
    state: chunk.state,
    final: chunk.final,
    reason: chunk.reason,
    providerStatus: chunk.providerStatus,
    message: chunk.message,
  };
}
