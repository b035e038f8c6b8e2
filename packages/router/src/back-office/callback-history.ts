import type { CallbackNotice } from '@tolem/core';
import type { RouterContext } from '../lifecycle/context.js';
import type { CallbackHandling } from '../types.js';
import type { AuditFrame } from './audit.js';

/** What one callback learns on its way: what it claimed, and the Status answer that checked it. */
export interface CallbackFrame extends AuditFrame {
  claim?: CallbackNotice;
}

/**
 * Records a callback that changed nothing (`unchanged`, `throttled`) in its payment's history, as an
 * entry of its own (architecture §4.8). A confirmed callback is already there: the write it made carries
 * its entry. A callback that matches no payment (`rejected`, `invalid`) has no payment to record it on.
 * At most one such entry per payment per callback interval (CallbackChecks.mayRecord), so that forged
 * callbacks cannot fill the journal. A journal that fails here is reported to onError; the callback's
 * answer does not change (nothing about the payment did).
 */
export async function recordCallback(
  ctx: RouterContext,
  handling: CallbackHandling,
  frame: CallbackFrame,
): Promise<void> {
  const { paymentId } = handling;
  if (paymentId === null || (handling.result !== 'unchanged' && handling.result !== 'throttled')) return;
  if (!ctx.callbackChecks.mayRecord(paymentId)) return;
  const claim = frame.claim;
  try {
    await ctx.journal.appendHistory(paymentId, {
      event: 'callback',
      actor: { kind: 'callback', name: ctx.options.instanceId },
      reason: handling.result,
      ...(claim === undefined
        ? {}
        : {
            note: `the callback said ${claim.state}${claim.providerStatus === null ? '' : ` (${claim.providerStatus})`}`,
          }),
      ...(frame.answer === undefined ? {} : { answer: frame.answer }),
    });
  } catch (error) {
    ctx.reportError(error, { source: 'callback', paymentId });
  }
}
