import {
  accountSchema,
  amountSchema,
  type CallOptions,
  currencySchema,
  JournalConflictError,
  Money,
  type NewPayment,
  type PaymentDetails,
  type PaymentRecord,
  ProviderUnavailableError,
  parseInput,
  paymentFingerprint,
  paymentIdSchema,
  serviceIdSchema,
  ValidationError,
} from '@tolem/core';
import * as z from 'zod';
import { requireTargets } from '../routing/route-table.js';
import type { PaymentView, PayRequest } from '../types.js';
import { toView } from '../view.js';
import { nextTargetNow, type RouterContext } from './context.js';
import { drive } from './drive.js';
import { type RecordedPayment, recordPayment } from './record-payment.js';

const payRequestSchema = z.object({
  paymentId: paymentIdSchema,
  service: z.string({ error: 'a service (route name) is required' }).min(1, { error: 'must not be empty' }),
  account: accountSchema,
  amount: amountSchema,
  currency: currencySchema,
  invoiceId: z
    .string({ error: 'a string is required' })
    .min(1, { error: 'must not be empty' })
    .max(64, { error: 'at most 64 characters' })
    .optional(),
  services: z
    .array(z.object({ serviceId: serviceIdSchema, amount: amountSchema }), {
      error: 'an array of lines is required',
    })
    .min(1, { error: 'at least one line' })
    .optional(),
  sendType: z.literal('api', { error: 'only "api" is supported' }).optional(),
});

/** Validates a pay request before anything is journaled or sent; the amount is normalised ("100" → "100.00"). */
export function parsePayRequest(request: PayRequest): NewPaymentInput {
  const input = parseInput(payRequestSchema, request);
  const amount = Money.parse(input.amount, input.currency);
  const details: PaymentDetails = {};
  if (input.invoiceId !== undefined) details.invoiceId = input.invoiceId;
  if (input.services !== undefined) {
    const lines = input.services.map((line, index) =>
      Money.parse(line.amount, input.currency, `services.${index}.amount`),
    );
    if (!Money.sum(lines, amount.currency).equals(amount)) {
      throw new ValidationError('services', `the lines must add up to amount ${amount.format()}`);
    }
    details.services = input.services.map((line, index) => ({
      serviceId: line.serviceId,
      amount: (lines[index] as Money).format(),
    }));
  }
  if (input.sendType !== undefined) details.sendType = input.sendType;
  return {
    paymentId: input.paymentId,
    service: input.service,
    account: input.account,
    amount: amount.format(),
    currency: amount.currency,
    details,
  };
}

export type NewPaymentInput = Omit<NewPayment, 'nextCheckAt' | 'createdAt'>;

/**
 * `pay()`: idempotent on the payment id (same fields → the existing payment, nothing sent again;
 * other fields → ValidationError), serialised per payment id in this process, journaled before
 * anything leaves. `options` (already checked) go with every send this call makes. A journal failure
 * after the create may have committed is never thrown as "nothing sent": it is read back first, and
 * only a journal that stays unreachable throws (PaymentUnconfirmedError: the payment may exist).
 */
export async function pay(
  ctx: RouterContext,
  request: PayRequest,
  options: CallOptions = {},
): Promise<PaymentView> {
  const input = parsePayRequest(request);
  requireTargets(ctx.routes, input.service, input.currency);
  options.signal?.throwIfAborted();
  // A repeat needs no lock: it never sends, and must not wait behind a check in flight.
  const known = await ctx.journal.get(input.paymentId);
  if (known !== null) {
    assertSame(known, input);
    return toView(known, ctx.vouchers.view(known));
  }
  return ctx.locks.run(input.paymentId, async () => {
    const existing = await ctx.journal.get(input.paymentId);
    if (existing !== null) {
      assertSame(existing, input);
      return toView(existing, ctx.vouchers.view(existing));
    }
    if (nextTargetNow(ctx, { ...input, attempts: [] }).target === null) {
      throw new ProviderUnavailableError(`no provider of route ${input.service} is available: nothing sent`);
    }
    options.signal?.throwIfAborted();
    const now = ctx.clock.now();
    let recorded: RecordedPayment;
    try {
      recorded = await recordPayment(
        ctx,
        {
          ...input,
          createdAt: now,
          // Until the send below is recorded, other instances and the finalizer keep off it.
          nextCheckAt: new Date(now.getTime() + ctx.options.finalizer.inFlightMs),
        },
        options,
      );
    } catch (error) {
      if (JournalConflictError.is(error)) throw reusedId(error.fields, error);
      // ValidationError / ConfigError (nothing written), or PaymentUnconfirmedError (it may exist).
      throw error;
    }
    if (recorded.resolved !== undefined) report(ctx, recorded.resolved, input.paymentId);
    const created = recorded.record;
    // Another instance created it a moment ago, or the read-back found it under way: it (or a
    // finalizer) sends it, not us.
    if (!recorded.send) return toView(created, ctx.vouchers.view(created));
    let result: Awaited<ReturnType<typeof drive>>;
    try {
      result = await drive(ctx, created, {
        origin: 'pay',
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      // A journal write failed part-way (locked or full disk). The payment is journaled, and the request
      // may have left or the finalizer may still send it: thrown, it would read as "nothing sent".
      report(ctx, error, input.paymentId);
      const last = await lastKnown(ctx, created);
      return toView(last, ctx.vouchers.view(last));
    }
    if (result.notSentError !== undefined) throw result.notSentError;
    return toView(result.record, ctx.vouchers.view(result.record, result.voucherCode));
  });
}

/** Tells onError about a journal failure `pay()` answers without throwing. */
function report(ctx: RouterContext, error: unknown, paymentId: string): void {
  try {
    ctx.reportError(error, { source: 'pay', paymentId });
  } catch {
    // A throwing onError must not turn the answer back into an error.
  }
}

/** The freshest record the journal will give, else the one we hold. */
async function lastKnown(ctx: RouterContext, record: PaymentRecord): Promise<PaymentRecord> {
  try {
    return (await ctx.journal.get(record.paymentId)) ?? record;
  } catch {
    return record;
  }
}

function assertSame(existing: PaymentRecord, input: NewPaymentInput): void {
  if (paymentFingerprint(existing) === paymentFingerprint(input)) return;
  const fields = (['service', 'account', 'amount', 'currency'] as const).filter(
    (key) => existing[key] !== input[key],
  );
  throw reusedId(fields.length > 0 ? fields : ['details']);
}

function reusedId(fields: readonly string[], cause?: unknown): ValidationError {
  return new ValidationError(
    'paymentId',
    `already used for a payment with a different ${fields.join(', ')}`,
    cause === undefined ? {} : { cause },
  );
}
