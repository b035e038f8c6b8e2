import type { CallbackNotice } from '@tolem/core';
import type { RouterContext } from './lifecycle/context.js';
import { commit } from './lifecycle/journal-writer.js';
import { settle, statusUpdate } from './lifecycle/settle.js';
import { checkStatus } from './lifecycle/status.js';
import type { CallbackHandling } from './types.js';

/**
 * A provider callback is a hint (architecture §4.5): it must match a known attempt (else `rejected`, nothing
 * changes) and the journal moves only on what Status then confirms. Duplicates and late callbacks find
 * nothing new and come back `unchanged`.
 */
export async function handleCallback(
  ctx: RouterContext,
  providerId: string,
  body: string | Uint8Array,
): Promise<CallbackHandling> {
  const result = await classify(ctx, providerId, body);
  ctx.events.emit('callback', () => ({
    provider: providerId,
    result: result.result,
    paymentId: result.paymentId,
  }));
  return result;
}

async function classify(
  ctx: RouterContext,
  providerId: string,
  body: string | Uint8Array,
): Promise<CallbackHandling> {
  const provider = ctx.providers.get(providerId);
  if (provider?.parseCallback === undefined) return { result: 'invalid', paymentId: null, state: null };
  let notice: CallbackNotice;
  try {
    notice = provider.parseCallback(body);
  } catch {
    return { result: 'invalid', paymentId: null, state: null };
  }
  const known = await ctx.journal.findByTransaction(providerId, notice.transactionId);
  if (known === null) return { result: 'rejected', paymentId: null, state: null };
  return ctx.locks.run(known.paymentId, async () => {
    const record = await ctx.journal.get(known.paymentId);
    const attempt = record?.attempts.find(
      (a) => a.provider === providerId && a.transactionId === notice.transactionId,
    );
    if (record === null || attempt === undefined) return { result: 'rejected', paymentId: null, state: null };
    const unchanged: CallbackHandling = {
      result: 'unchanged',
      paymentId: record.paymentId,
      state: record.state,
    };
    if (attempt.final) return unchanged;
    const status = await checkStatus(ctx, record, attempt);
    if (status === null) return unchanged;
    const update = statusUpdate(attempt, status);
    if (update === null) return unchanged;
    const settled = await settle(ctx, record, { attemptNo: attempt.no, update });
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
