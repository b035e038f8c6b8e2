import {
  type AttemptRecord,
  type Audit,
  type CallOptions,
  type HistoryEntry,
  JournalConflictError,
  type Outcome,
  type PaymentRecord,
  type PaymentResult,
  ProviderUnavailableError,
  parseCallOptions,
  parseInput,
  paymentIdSchema,
  ResolutionRefusedError,
  type Transition,
  ValidationError,
} from '@tolem/core';
import * as z from 'zod';
import { isNothingSentError } from '../breaker.js';
import type { RouterContext } from '../lifecycle/context.js';
import { announce } from '../lifecycle/journal-writer.js';
import { toView } from '../view.js';
import { answerOf } from './audit.js';
import { attemptsToCheck, decideResolution, type ResolutionDecision } from './resolution-policy.js';
import type { Resolution, ResolutionCheck, ResolveRequest } from './types.js';

/** A line of free text a person writes: trimmed, not blank, bounded, no control characters but line breaks. */
const text = (max: number) =>
  z
    .string({ error: 'a string is required' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `at most ${max} characters` })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .refine((value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value), {
      error: 'must not contain control characters',
    });

const resolveSchema = z.strictObject(
  {
    state: z.enum(['succeeded', 'failed'], { error: 'succeeded or failed is required' }),
    actor: text(128).refine((value) => !/[\r\n\t]/.test(value), { error: 'one line' }),
    note: text(2_000),
    evidence: text(2_000).optional(),
  },
  { error: 'an object { state, actor, note, evidence? } is required' },
);

/** How many times a resolution re-reads and asks again when another writer got there first. */
const MAX_ROUNDS = 3;

/**
 * `router.resolve()` (architecture §4.8): a person makes a payment that is not final, final — only after
 * the provider was asked (Status, through the breaker) about every attempt that may have moved money,
 * and only as far as its answers allow (`decideResolution`). The write carries the person, the note,
 * the evidence and the answer into the payment's history; a refusal is recorded there too, and thrown
 * as a ResolutionRefusedError with nothing changed.
 */
export async function resolvePayment(
  ctx: RouterContext,
  paymentId: string,
  request: ResolveRequest,
  callOptions?: CallOptions,
): Promise<Resolution> {
  parseInput(paymentIdSchema, paymentId, 'paymentId');
  const input = parseInput(resolveSchema, request);
  const options = parseCallOptions(callOptions);
  options.signal?.throwIfAborted();
  const audit: Audit = {
    actor: { kind: 'operator', name: input.actor },
    reason: 'resolution',
    note: input.note,
  };
  if (input.evidence !== undefined) audit.evidence = input.evidence;
  return ctx.locks.run(paymentId, async () => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const record = await ctx.journal.get(paymentId);
      if (record === null) throw new ValidationError('paymentId', `no payment ${JSON.stringify(paymentId)}`);
      if (record.final) {
        await refuse(ctx, record, audit, input.state, {
          kind: 'refuse',
          refusal: 'final',
          attemptNo: null,
          answer: null,
          why: `it is already final (${record.state})`,
        });
      }
      const { checks, requestIds } = await askProvider(ctx, record, options);
      // Read-only so far: an abort now changes nothing.
      options.signal?.throwIfAborted();
      const decision = decideResolution({
        requested: input.state,
        attempts: record.attempts,
        answers: new Map(checks.map((check) => [check.attemptNo, check.answer])),
        hasEvidence: input.evidence !== undefined,
        now: ctx.clock.now().getTime(),
        inFlightMs: ctx.options.finalizer.inFlightMs,
      });
      if (decision.kind === 'refuse') await refuse(ctx, record, audit, input.state, decision);
      if (decision.kind !== 'resolve') continue;
      const change = resolutionChange(record, input.state, decision, input.actor, {
        ...audit,
        ...(decision.answer === null ? {} : { answer: decision.answer }),
      });
      // A confirmed success keeps the provider's request id: the registry lists it by that.
      const requestId = decision.attemptNo === null ? undefined : requestIds.get(decision.attemptNo);
      if (change.attempt !== undefined && requestId !== undefined && input.state === 'succeeded')
        change.attempt.update.providerRequestId = requestId;
      let written: PaymentRecord;
      try {
        written = await ctx.journal.transition(paymentId, record.version, change);
      } catch (error) {
        // Another writer (a finalizer's claim, a callback) came first: read again, ask again.
        if (JournalConflictError.is(error)) continue;
        throw error;
      }
      announce(ctx, record, written);
      const provider = record.attempts.find((a) => a.no === decision.attemptNo)?.provider ?? null;
      const state = input.state;
      ctx.events.emit('payment.resolved', () => ({
        paymentId,
        service: written.service,
        provider: provider ?? written.attempts[written.attempts.length - 1]?.provider ?? null,
        state,
        confirmation: decision.confirmation,
        actor: input.actor,
      }));
      const entry = await resolvedEntry(ctx, paymentId, written.version);
      return {
        payment: toView(written, ctx.vouchers.view(written)),
        state,
        confirmation: decision.confirmation,
        checks,
        entry,
      };
    }
    throw new JournalConflictError(
      paymentId,
      `written concurrently ${MAX_ROUNDS} times while resolving: try again`,
    );
  });
}

/** Status of every attempt that may have moved money, through the breaker; null when it could not be asked. */
async function askProvider(
  ctx: RouterContext,
  record: PaymentRecord,
  options: CallOptions,
): Promise<{ checks: ResolutionCheck[]; requestIds: Map<number, string> }> {
  const checks: ResolutionCheck[] = [];
  const requestIds = new Map<number, string>();
  for (const attempt of attemptsToCheck(record.attempts)) {
    const result = await status(ctx, record, attempt, options);
    checks.push({
      attemptNo: attempt.no,
      provider: attempt.provider,
      transactionId: attempt.transactionId,
      answer: result === null ? null : answerOf(result),
    });
    if (result?.providerRequestId) requestIds.set(attempt.no, result.providerRequestId);
  }
  return { checks, requestIds };
}

async function status(
  ctx: RouterContext,
  record: PaymentRecord,
  attempt: AttemptRecord,
  options: CallOptions,
): Promise<PaymentResult | null> {
  const provider = ctx.providers.get(attempt.provider);
  if (provider === undefined) return null;
  try {
    return await ctx.breakers.run(
      attempt.provider,
      'getStatus',
      (breakerCall) =>
        provider.getStatus(
          {
            transactionId: attempt.transactionId,
            serviceId: attempt.serviceId,
            expected: { amount: record.amount, account: record.account },
          },
          {
            ...(options.signal === undefined ? {} : { signal: options.signal }),
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            onDispatch: () => breakerCall.started(),
          },
        ),
      (result) => ({ state: result.state, reason: result.reason }),
      options.signal,
    );
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (ProviderUnavailableError.is(error) || isNothingSentError(error)) return null;
    // A provider that threw after it may have asked: no usable answer (a Status moves no money).
    return null;
  }
}

function resolutionChange(
  record: PaymentRecord,
  state: 'succeeded' | 'failed',
  decision: Extract<ResolutionDecision, { kind: 'resolve' }>,
  actor: string,
  audit: Audit,
): Transition {
  const attempt = record.attempts.find((a) => a.no === decision.attemptNo);
  const answer = decision.answer;
  const how =
    decision.confirmation === 'provider'
      ? 'confirmed by the provider'
      : decision.confirmation === 'journal'
        ? 'nothing can have moved'
        : 'on evidence';
  const message = `resolved ${state} by ${actor} (${how})`;
  const reason =
    state === 'succeeded'
      ? null
      : decision.confirmation === 'provider'
        ? (answer?.reason ?? 'operator_error')
        : (answer?.reason ?? attempt?.reason ?? latestReason(record) ?? 'connection_refused');
  const providerStatus = answer?.providerStatus ?? attempt?.providerStatus ?? null;
  const outcome: Outcome = { state, final: true, reason, providerStatus, message };
  const change: Transition = { payment: outcome, audit };
  if (attempt !== undefined && !attempt.final) change.attempt = { no: attempt.no, update: outcome };
  return change;
}

function latestReason(record: PaymentRecord) {
  return record.attempts[record.attempts.length - 1]?.reason ?? null;
}

/** Records a refusal in the payment's history and throws it. */
async function refuse(
  ctx: RouterContext,
  record: PaymentRecord,
  audit: Audit,
  requested: 'succeeded' | 'failed',
  decision: Extract<ResolutionDecision, { kind: 'refuse' }>,
): Promise<never> {
  const attempt = record.attempts.find((a) => a.no === decision.attemptNo);
  // The refusal is history too; a journal that fails to take the note does not turn it into a resolution.
  let unrecorded: unknown;
  try {
    await ctx.journal.appendHistory(record.paymentId, {
      ...audit,
      event: 'resolution_refused',
      reason: decision.refusal,
      ...(decision.answer === null ? {} : { answer: decision.answer }),
    });
  } catch (error) {
    unrecorded = error;
  }
  throw new ResolutionRefusedError(
    {
      paymentId: record.paymentId,
      requested,
      refusal: decision.refusal,
      current: record.state,
      why: decision.why,
      answer:
        decision.answer === null || attempt === undefined
          ? null
          : {
              attemptNo: attempt.no,
              provider: attempt.provider,
              state: decision.answer.state,
              reason: decision.answer.reason,
              providerStatus: decision.answer.providerStatus,
              message: decision.answer.message,
            },
    },
    unrecorded === undefined ? {} : { cause: unrecorded },
  );
}

/** The entry the resolution wrote (the journal numbers it; it is the one at the written version). */
async function resolvedEntry(ctx: RouterContext, paymentId: string, version: number): Promise<HistoryEntry> {
  const entries = await ctx.journal.history(paymentId);
  const entry = entries.findLast((e) => e.version === version && e.event === 'resolved');
  if (entry === undefined)
    throw new Error(`payment ${paymentId}: the journal kept no history entry for the resolution`);
  return entry;
}
