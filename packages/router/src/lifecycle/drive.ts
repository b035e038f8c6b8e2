import {
  latestAttempt,
  type Outcome,
  type PaymentRecord,
  ProviderUnavailableError,
  type Reason,
  type Secret,
  ValidationError,
} from '@tolem/core';
import { decide, mayMarkFailed, provablyUnsent } from '../routing/failover-policy.js';
import type { RouteTarget } from '../types.js';
import { nextTargetNow, type RouterContext } from './context.js';
import { commit, reload } from './journal-writer.js';
import { resendAttempt, type SendResult, sendNewAttempt } from './send.js';
import { attemptUpdateFrom, settle } from './settle.js';

export interface DriveOptions {
  /** `pay` fails a payment nothing could be sent for; the finalizer keeps it for later instead. */
  origin: 'pay' | 'finalizer';
  signal?: AbortSignal;
  /** The caller's per-call timeout for each send (`pay()`); absent, the provider's default. */
  timeoutMs?: number;
}

export interface DriveResult {
  record: PaymentRecord;
  /** From the send that returned it (sendType `api`), for the caller; kept as the router's vouchers say. */
  voucherCode?: Secret;
  /** Set when the payment failed without anything ever being sent: the error to throw to the caller. */
  notSentError?: unknown;
}

const NOT_SENT: Reason = 'connection_refused';

/**
 * Moves a payment forward as far as it can go now: starts it, follows its latest attempt to a
 * final state, or fails it over to the next provider when (and only when) the failover rules allow.
 * Stops when the payment is final or must wait for a re-check.
 */
export async function drive(
  ctx: RouterContext,
  record: PaymentRecord,
  options: DriveOptions,
): Promise<DriveResult> {
  let current = record;
  let voucherCode: Secret | undefined;
  let lastError: unknown;
  const refused = new Set<string>();
  const steps = 4 * (Object.values(ctx.routes).reduce((n, route) => Math.max(n, route.length), 0) + 2);
  for (let step = 0; step < steps && !current.final; step++) {
    const latest = latestAttempt(current);
    const pick = nextTargetNow(ctx, current, refused);
    const decision = decide(latest, ctx.policy, pick.target !== null);
    if (decision.kind === 'wait') break;
    if (decision.kind === 'succeeded' || decision.kind === 'failed') {
      // Reached only when a crash left the payment behind its latest attempt: settle it again.
      if (latest === undefined) break;
      current = (await settle(ctx, current, { attemptNo: latest.no, update: null })).record;
      if (!current.final) break;
      continue;
    }
    // start or failover: a new attempt at the next provider.
    if (options.signal?.aborted) {
      lastError = options.signal.reason;
      current = await failUnsent(ctx, current, latest?.reason ?? NOT_SENT, 'not sent: the caller aborted');
      break;
    }
    const target = pick.target;
    if (target === null) {
      if (options.origin === 'finalizer') break;
      lastError = new ProviderUnavailableError(
        `no provider of route ${current.service} is available: nothing sent`,
      );
      current = await failUnsent(
        ctx,
        current,
        NOT_SENT,
        'not sent: every provider of the route is unavailable',
      );
      break;
    }
    announceFailover(
      ctx,
      current,
      latest?.provider ?? null,
      decision.kind === 'failover' ? decision.reason : null,
      pick.bypassed,
      target,
    );
    let sent: SendResult;
    try {
      sent = await sendNewAttempt(ctx, current, target, {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      if (!ProviderUnavailableError.is(error)) throw error;
      // The breaker refused between our look and the call: nothing journaled, nothing sent.
      refused.add(target.provider);
      lastError = error;
      continue;
    }
    if (sent.kind === 'raced') {
      current = await reload(ctx, current.paymentId);
      continue;
    }
    if (sent.kind === 'not_sent') {
      lastError = sent.error;
      current = (
        await settle(ctx, sent.record, {
          attemptNo: sent.attemptNo,
          update: {
            state: 'failed',
            reason: NOT_SENT,
            providerStatus: null,
            message: notSentMessage(sent.error),
          },
        })
      ).record;
      continue;
    }
    voucherCode = sent.result.voucherCode ?? voucherCode;
    current = (
      await settle(ctx, sent.record, {
        attemptNo: sent.attemptNo,
        update: attemptUpdateFrom(sent.result),
        ...voucherOf(sent.result, options.origin === 'pay'),
      })
    ).record;
  }
  const result: DriveResult = { record: current };
  if (voucherCode !== undefined && current.state === 'succeeded') result.voucherCode = voucherCode;
  if (current.state === 'failed' && lastError !== undefined && current.attempts.every(provablyUnsent)) {
    result.notSentError = lastError;
  }
  return result;
}

/** Resends the latest attempt after the provider said it does not have it, and records the result. */
export async function resendLatest(
  ctx: RouterContext,
  record: PaymentRecord,
  options: { signal?: AbortSignal; check: boolean; releaseLease?: string },
): Promise<PaymentRecord> {
  const attempt = latestAttempt(record);
  if (attempt === undefined || attempt.final) return record;
  const sent = await resendAttempt(ctx, record, attempt, { signal: options.signal });
  if (sent.kind === 'raced') return reload(ctx, record.paymentId);
  // A resend that was not sent changes nothing: the earlier send may still have arrived.
  const update = sent.kind === 'sent' ? attemptUpdateFrom(sent.result) : null;
  const settlement = {
    attemptNo: attempt.no,
    update,
    check: options.check,
    ...(sent.kind === 'sent' ? voucherOf(sent.result, false) : {}),
  };
  const settled = await settle(
    ctx,
    sent.record,
    options.releaseLease === undefined ? settlement : { ...settlement, releaseLease: options.releaseLease },
  );
  return settled.record;
}

/** A Settlement's voucher field for an answer that carried a code (none otherwise). */
export function voucherOf(
  result: { voucherCode?: Secret },
  handedOut: boolean,
): { voucher?: { code: Secret; handedOut: boolean } } {
  return result.voucherCode === undefined ? {} : { voucher: { code: result.voucherCode, handedOut } };
}

/** Fails a payment that moved no money anywhere (every attempt declined or never sent). */
async function failUnsent(ctx: RouterContext, record: PaymentRecord, reason: Reason, message: string) {
  return commit(ctx, record, (current) => {
    if (current.final || !mayMarkFailed(current.attempts)) return null;
    const outcome: Outcome = { state: 'failed', final: true, reason, providerStatus: null, message };
    return { payment: outcome };
  });
}

function notSentMessage(error: unknown): string {
  if (ValidationError.is(error)) return `not sent: ${error.code} ${error.field}`;
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : 'abort';
  return `not sent: ${typeof code === 'string' ? code : name}`;
}

function announceFailover(
  ctx: RouterContext,
  record: PaymentRecord,
  from: string | null,
  reason: Reason | null,
  bypassed: readonly RouteTarget[],
  to: RouteTarget,
): void {
  // Each hop: the provider we leave (with why), then every provider passed over for its open breaker.
  const hops: { from: string; reason: Reason | 'breaker_open' }[] = [];
  if (from !== null && reason !== null) hops.push({ from, reason });
  for (const target of bypassed) hops.push({ from: target.provider, reason: 'breaker_open' });
  for (const hop of hops) {
    ctx.events.emit('failover', () => ({
      service: record.service,
      operation: 'pay',
      from: hop.from,
      to: to.provider,
      reason: hop.reason,
      paymentId: record.paymentId,
    }));
  }
}
