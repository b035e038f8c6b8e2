import { JournalConflictError, latestAttempt, type PaymentRecord, type Transition } from '@tolem/core';
import type { RouterContext } from './context.js';

const MAX_RETRIES = 8;

/**
 * A compare-and-set write with retries: `build` gets the freshest record and returns the change (or
 * null when none is needed any more). Another writer (a lease, another instance) only makes it
 * re-read and rebuild; a refusal that re-reading does not explain is rethrown.
 */
export async function commit(
  ctx: RouterContext,
  record: PaymentRecord,
  build: (current: PaymentRecord) => Transition | null,
): Promise<PaymentRecord> {
  let current = record;
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    const change = build(current);
    if (change === null) return current;
    try {
      const next = await ctx.journal.transition(current.paymentId, current.version, {
        at: ctx.clock.now(),
        ...change,
      });
      announce(ctx, current, next);
      return next;
    } catch (error) {
      if (!JournalConflictError.is(error)) throw error;
      const fresh = await ctx.journal.get(current.paymentId);
      if (fresh === null || fresh.version === current.version) throw error;
      current = fresh;
    }
  }
  throw new JournalConflictError(record.paymentId, `still written concurrently after ${MAX_RETRIES} tries`);
}

/** Re-reads a payment that must exist. */
export async function reload(ctx: RouterContext, paymentId: string): Promise<PaymentRecord> {
  const record = await ctx.journal.get(paymentId);
  if (record === null) throw new JournalConflictError(paymentId, 'does not exist');
  return record;
}

/** Emits `payment.updated` / `payment.final` for a write and wakes in-process waiters. */
export function announce(ctx: RouterContext, before: PaymentRecord, after: PaymentRecord): void {
  if (before.state !== after.state || before.reason !== after.reason) {
    ctx.events.emit('payment.updated', () => ({
      paymentId: after.paymentId,
      service: after.service,
      provider: latestAttempt(after)?.provider ?? null,
      state: after.state,
      final: after.final,
      reason: after.reason,
      previousState: before.state,
    }));
  }
  if (!before.final && after.final && (after.state === 'succeeded' || after.state === 'failed')) {
    const state = after.state;
    ctx.events.emit('payment.final', () => ({
      paymentId: after.paymentId,
      service: after.service,
      provider: latestAttempt(after)?.provider ?? null,
      state,
      reason: after.reason,
      durationMs: Math.max(0, Date.parse(after.finalAt ?? after.updatedAt) - Date.parse(after.createdAt)),
    }));
  }
  ctx.watchers.notify(after);
}
