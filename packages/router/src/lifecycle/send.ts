import {
  type AttemptRecord,
  type CallOptions,
  JournalConflictError,
  latestAttempt,
  type Outcome,
  type PaymentRecord,
  type PaymentRequest,
  type PaymentResult,
} from '@tolem/core';
import { type CallContext, isNothingSentError, LocalFailure } from '../breaker.js';
import type { Ranking } from '../routing/route-policy.js';
import type { RouteTarget } from '../types.js';
import { announceRoute, attemptRoute, type RouterContext } from './context.js';
import { announce } from './journal-writer.js';

export type SendResult =
  /** The request went out (or may have): record the result. */
  | { kind: 'sent'; record: PaymentRecord; attemptNo: number; result: PaymentResult }
  /** The attempt was journaled but the provider threw before sending (port contract: nothing sent). */
  | { kind: 'not_sent'; record: PaymentRecord; attemptNo: number; error: unknown }
  /** Someone else wrote first (another instance, a lease): nothing sent, re-read and re-decide. */
  | { kind: 'raced' };

/** The exact Payment request of an attempt: identical on every resend (same id, fields and date). */
export function paymentRequest(record: PaymentRecord, attempt: AttemptRecord): PaymentRequest {
  const request: PaymentRequest = {
    serviceId: attempt.serviceId,
    account: record.account,
    amount: record.amount,
    currency: record.currency,
    transactionId: attempt.transactionId,
    requestedAt: new Date(attempt.createdAt),
  };
  if (record.details.invoiceId !== undefined) request.invoiceId = record.details.invoiceId;
  if (record.details.services !== undefined)
    request.services = record.details.services.map((line) => ({ ...line }));
  if (record.details.sendType !== undefined) request.sendType = record.details.sendType;
  return request;
}

/** A result for a provider that threw after it may have sent: the outcome is unknown. */
function thrownResult(attempt: AttemptRecord, error: unknown): PaymentResult {
  const name = error instanceof Error ? error.name : typeof error;
  return {
    state: 'unknown',
    final: false,
    reason: 'request_failed',
    providerStatus: null,
    // Only the error's class: its message could carry request data.
    message: `provider threw ${name}`,
    transactionId: attempt.transactionId,
    providerRequestId: null,
    amount: null,
    currency: null,
    account: null,
    amountOnClient: null,
    exchangeRate: null,
    serviceCurrency: null,
  };
}

/**
 * The caller's signal and timeout (absent ones leave the provider's defaults), and the breaker's clock
 * restarted when the provider says its request left its local queue.
 */
function providerOptions(call: CallOptions, breakerCall: CallContext): CallOptions {
  const options: CallOptions = { onDispatch: () => breakerCall.started() };
  if (call.signal !== undefined) options.signal = call.signal;
  if (call.timeoutMs !== undefined) options.timeoutMs = call.timeoutMs;
  return options;
}

/** Told the answer of a send (or that nothing was sent): the routing facts' count of money and load. */
type Answered = (answer: Outcome | 'not_sent') => void;

async function callProvider(
  ctx: RouterContext,
  record: PaymentRecord,
  attempt: AttemptRecord,
  call: CallOptions,
  breakerCall: CallContext,
  answered: Answered,
): Promise<SendResult> {
  const provider = ctx.providers.get(attempt.provider);
  if (provider === undefined) {
    answered('not_sent');
    return { kind: 'not_sent', record, attemptNo: attempt.no, error: new Error('provider not configured') };
  }
  try {
    const result = await provider.pay(paymentRequest(record, attempt), providerOptions(call, breakerCall));
    answered(result);
    return { kind: 'sent', record, attemptNo: attempt.no, result };
  } catch (error) {
    if (isNothingSentError(error, call.signal)) {
      answered('not_sent');
      return { kind: 'not_sent', record, attemptNo: attempt.no, error };
    }
    const result = thrownResult(attempt, error);
    answered(result);
    return { kind: 'sent', record, attemptNo: attempt.no, result };
  }
}

function verdict(value: SendResult) {
  return value.kind === 'sent' ? { state: value.result.state, reason: value.result.reason } : null;
}

/**
 * Opens an attempt at `target` and sends it, inside the provider's breaker: the attempt and its
 * transaction id are journaled before the request leaves (architecture §4.1), with the routing decision
 * that chose it (`ranking`, announced as `route.decided` once the attempt is open), and nothing is
 * journaled when the breaker refuses (ProviderUnavailableError is thrown then). `call` is the caller's
 * signal and timeout (`pay()`); the finalizer passes `{}`, so its sends keep the provider's default timeout.
 *
 * Call it in the same synchronous step as the ranking: the payment's amount counts against the chosen
 * provider's balance from here (released when nothing is sent), so payments ranked at the same time
 * cannot all spend the same money.
 */
export async function sendNewAttempt(
  ctx: RouterContext,
  record: PaymentRecord,
  target: RouteTarget,
  call: CallOptions,
  ranking: Ranking,
): Promise<SendResult> {
  const answered = ctx.facts.sending(target.provider, record);
  let handedOn = false;
  try {
    return await ctx.breakers.run(
      target.provider,
      'pay',
      async (breakerCall): Promise<SendResult> => {
        let opened: PaymentRecord;
        try {
          opened = await ctx.journal.openAttempt(record.paymentId, record.version, {
            provider: target.provider,
            serviceId: target.serviceId,
            at: ctx.clock.now(),
            route: attemptRoute(ranking),
          });
        } catch (error) {
          if (JournalConflictError.is(error)) return { kind: 'raced' };
          throw new LocalFailure(error);
        }
        const attempt = latestAttempt(opened);
        if (
          attempt === undefined ||
          attempt.provider !== target.provider ||
          opened.attempts.length !== record.attempts.length + 1
        ) {
          return { kind: 'raced' };
        }
        announce(ctx, record, opened);
        announceRoute(ctx, record.paymentId, ranking, attempt.no);
        breakerCall.started();
        handedOn = true;
        return callProvider(ctx, opened, attempt, call, breakerCall, answered);
      },
      verdict,
      call.signal,
    );
  } finally {
    // Refused by the breaker, raced, or a journal failure before sending: nothing left for this provider.
    if (!handedOn) answered('not_sent');
  }
}

/**
 * Sends an attempt again, same transaction id and fields (the provider returns the earlier result and
 * never pays twice): the resend is journaled first, inside the breaker.
 */
export async function resendAttempt(
  ctx: RouterContext,
  record: PaymentRecord,
  attempt: AttemptRecord,
  call: CallOptions,
): Promise<SendResult> {
  return ctx.breakers.run(
    attempt.provider,
    'pay',
    async (breakerCall): Promise<SendResult> => {
      let marked: PaymentRecord;
      try {
        const now = ctx.clock.now();
        marked = await ctx.journal.transition(record.paymentId, record.version, {
          resend: { no: attempt.no },
          nextCheckAt: new Date(now.getTime() + ctx.options.finalizer.inFlightMs),
          at: now,
        });
      } catch (error) {
        if (JournalConflictError.is(error)) return { kind: 'raced' };
        throw new LocalFailure(error);
      }
      const current = marked.attempts.find((a) => a.no === attempt.no) ?? attempt;
      breakerCall.started();
      // Counts against the provider's known balance and load until the answer (routing facts).
      return callProvider(
        ctx,
        marked,
        current,
        call,
        breakerCall,
        ctx.facts.sending(attempt.provider, marked),
      );
    },
    verdict,
    call.signal,
  );
}
