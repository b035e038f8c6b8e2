import type { AttemptRecord, CallbackNotice, PaymentRecord } from '@tolem/core';
import { answerOf, asActor } from '../back-office/audit.js';
import { type CallbackFrame, recordCallback } from '../back-office/callback-history.js';
import type { CallbackHandling } from '../types.js';
import type { RouterContext } from './context.js';
import { voucherOf } from './drive.js';
import { commit } from './journal-writer.js';
import { settle, statusUpdate } from './settle.js';
import { checkStatus } from './status.js';

/**
 * A provider callback is a hint (architecture §4.5): it must match a known attempt (else `rejected`, nothing
 * changes, no provider call) and the journal moves only on what Status then confirms. Duplicates and
 * late callbacks find nothing new and come back `unchanged`. Callbacks for one payment share one Status
 * check in flight and are `throttled` within `callbacks.minCheckIntervalMs` of the last (see
 * CallbackChecks): forged ones cannot make us hammer the provider.
 */
export async function handleCallback(
  ctx: RouterContext,
  providerId: string,
  body: string | Uint8Array,
): Promise<CallbackHandling> {
  // The callback's writes carry the Status answer that confirmed them (architecture §4.8).
  const frame: CallbackFrame = { reason: 'callback' };
  const result = await classify(asActor(ctx, 'callback', frame), providerId, body, frame);
  await recordCallback(ctx, result, frame);
  ctx.events.emit('callback', () => ({
    provider: providerId,
    result: result.result,
    paymentId: result.paymentId,
  }));
  return result;
}

const REJECTED: CallbackHandling = { result: 'rejected', paymentId: null, state: null };

function attemptOf(record: PaymentRecord, providerId: string, transactionId: string) {
  return record.attempts.find((a) => a.provider === providerId && a.transactionId === transactionId);
}

async function classify(
  ctx: RouterContext,
  providerId: string,
  body: string | Uint8Array,
  frame: CallbackFrame,
): Promise<CallbackHandling> {
  const provider = ctx.providers.get(providerId);
  if (provider?.parseCallback === undefined) return { result: 'invalid', paymentId: null, state: null };
  let notice: CallbackNotice;
  try {
    notice = provider.parseCallback(body);
  } catch {
    return { result: 'invalid', paymentId: null, state: null };
  }
  frame.claim = notice;
  const known = await ctx.journal.findByTransaction(providerId, notice.transactionId);
  if (known === null) return REJECTED;
  const attempt = attemptOf(known, providerId, notice.transactionId);
  if (attempt === undefined) return REJECTED;
  // A final attempt never changes again: nothing to ask, and no lock to wait for.
  if (attempt.final) return { result: 'unchanged', paymentId: known.paymentId, state: known.state };
  return ctx.callbackChecks.handle(
    known.paymentId,
    (moot) => confirm(ctx, known.paymentId, providerId, notice.transactionId, moot, frame),
    () => ({ result: 'throttled', paymentId: known.paymentId, state: known.state }),
  );
}

/** The one Status check for a callback, under the payment's lock. */
function confirm(
  ctx: RouterContext,
  paymentId: string,
  providerId: string,
  transactionId: string,
  moot: () => boolean,
  frame: CallbackFrame,
): Promise<CallbackHandling> {
  return ctx.locks.run(paymentId, async () => {
    const record = await ctx.journal.get(paymentId);
    const attempt: AttemptRecord | undefined =
      record === null ? undefined : attemptOf(record, providerId, transactionId);
    if (record === null || attempt === undefined) return REJECTED;
    const unchanged: CallbackHandling = {
      result: 'unchanged',
      paymentId: record.paymentId,
      state: record.state,
    };
    if (attempt.final) return unchanged;
    if (moot()) return { ...unchanged, result: 'throttled' };
    const status = await checkStatus(ctx, record, attempt, 'callback');
    if (status === null) return unchanged;
    frame.answer = answerOf(status);
    const update = statusUpdate(attempt, status);
    if (update === null) return unchanged;
    const settled = await settle(ctx, record, {
      attemptNo: attempt.no,
      update,
      ...voucherOf(status, false),
    });
    let written = settled.record;
    if (settled.decision.kind === 'failover') {
      // The next provider is the finalizer's job: the provider waits for our answer meanwhile.
      written = await commit(ctx, written, (current) =>
        current.final ? null : { nextCheckAt: ctx.clock.now() },
      );
      ctx.wakeFinalizer();
    }
    return { result: 'confirmed', paymentId: written.paymentId, state: written.state };
  });
}
