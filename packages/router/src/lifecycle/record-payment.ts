import {
  type CallOptions,
  ConfigError,
  JournalConflictError,
  type NewPayment,
  type PaymentRecord,
  PaymentUnconfirmedError,
  ValidationError,
} from '@tolem/core';
import type { RouterContext } from './context.js';

/**
 * Waits before each read-back of an ambiguous create, in ms: six tries over about two seconds, fewer
 * when the call's signal or timeoutMs (else `finalizer.inFlightMs`) ends them first.
 */
export const READ_BACK_DELAYS_MS: readonly number[] = [0, 50, 100, 250, 500, 1_000];

export interface RecordedPayment {
  record: PaymentRecord;
  /**
   * Whether this call sends it: it created the payment, or its own create failed ambiguously and the
   * read-back found the payment with nothing sent yet. Either way the journal's compare-and-set on the
   * first attempt lets exactly one sender through (this call, another instance, or the finalizer).
   */
  send: boolean;
  /** The journal's error when the create was ambiguous and resolved by reading back. */
  resolved?: unknown;
}

/**
 * Journals a new payment (architecture §4.1, §4.9). An error from `create` that does not say "nothing was
 * written" (the journal port's rule: anything but JournalConflictError, ValidationError, ConfigError)
 * may hide a committed row, so it is resolved before `pay()` answers: the idempotent create is tried
 * again until the journal answers. Throws JournalConflictError when the id is held by a payment with
 * other fields (then ours certainly was not written), ValidationError / ConfigError as the journal
 * threw them, and PaymentUnconfirmedError when the journal stayed unreachable: the payment may exist.
 */
export async function recordPayment(
  ctx: RouterContext,
  payment: NewPayment,
  call: CallOptions,
): Promise<RecordedPayment> {
  let first: unknown;
  try {
    const created = await ctx.journal.create(payment);
    return { record: created.record, send: created.created };
  } catch (error) {
    if (nothingWritten(error)) throw error;
    first = error;
  }
  // Without the caller's timeoutMs, the in-flight window bounds it: a journal call that hangs (an
  // unanswered connect) must not hold pay() for ever.
  const deadline = Date.now() + (call.timeoutMs ?? ctx.options.finalizer.inFlightMs);
  for (const delay of READ_BACK_DELAYS_MS) {
    // Nothing new is started once the caller's signal or timeout ended the wait.
    if ((await within(sleep(delay), call.signal, deadline)).kind === 'stopped') break;
    const again = await within(ctx.journal.create(payment), call.signal, deadline);
    if (again.kind === 'stopped') break;
    if (again.kind === 'answered') {
      // Ours (its commit was lost), an identical pay() from another instance, or created just now.
      const { record } = again.value;
      return { record, send: record.attempts.length === 0 && !record.final, resolved: first };
    }
    // Held by a payment with other fields: ours was not written and cannot be.
    if (JournalConflictError.is(again.error)) throw again.error;
  }
  throw new PaymentUnconfirmedError(payment.paymentId, { cause: first });
}

/** The journal port's errors that mean "nothing was written" (everything else may hide a write). */
function nothingWritten(error: unknown): boolean {
  return JournalConflictError.is(error) || ValidationError.is(error) || ConfigError.is(error);
}

type Settled<T> = { kind: 'answered'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'stopped' };

/** `work`'s result, or `stopped` when the signal aborts or the deadline passes first. */
function within<T>(work: Promise<T>, signal: AbortSignal | undefined, deadline: number) {
  return new Promise<Settled<T>>((resolve) => {
    if (signal?.aborted || Date.now() >= deadline) {
      // An abandoned read-back must not surface as an unhandled rejection.
      work.catch(() => {});
      resolve({ kind: 'stopped' });
      return;
    }
    const stop = () => {
      cleanup();
      resolve({ kind: 'stopped' });
    };
    const timer = setTimeout(stop, Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', stop, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    work.then(
      (value) => {
        cleanup();
        resolve({ kind: 'answered', value });
      },
      (error: unknown) => {
        cleanup();
        resolve({ kind: 'failed', error });
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
