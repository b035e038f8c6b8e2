import {
  accountSchema,
  type CurrencyCode,
  type InvoicePaymentLine,
  Money,
  parseInput,
  transactionIdSchema,
  ValidationError,
} from '@tolem/core';
import * as z from 'zod';

/**
 * Checks a request against the spec's field rules (protocol §2) before anything is sent: every failure
 * is a ValidationError naming the field.
 */

/** Contract currencies the form endpoint accepts (protocol §2). */
export const VECTRAFIN_CURRENCIES = ['KZT', 'USD', 'RUB'] as const satisfies readonly CurrencyCode[];

const serviceId = z
  .string({ error: 'a numeric service id is required' })
  .regex(/^[1-9]\d{0,9}$/, { error: 'must be 1 to 10 digits' });
const currency = z.enum(VECTRAFIN_CURRENCIES, { error: 'must be KZT, USD or RUB (the contract currency)' });
const amount = z.string({ error: 'a decimal string like "100.00" is required' });
const requestedAt = z
  .date({ error: 'must be a Date' })
  .refine((date) => !Number.isNaN(date.getTime()), { error: 'must be a valid Date' })
  .optional();

const checkSchema = z.object(
  {
    serviceId,
    account: accountSchema,
    amount,
    currency,
    transactionId: transactionIdSchema.optional(),
    requestedAt,
  },
  { error: 'a request object is required' },
);

const paymentSchema = z.object(
  {
    serviceId,
    account: accountSchema,
    amount,
    currency,
    transactionId: transactionIdSchema,
    requestedAt,
    invoiceId: z.string({ error: 'must be a string of digits' }).optional(),
    services: z
      .array(z.object({ serviceId: z.string(), amount: z.string() }), { error: 'must be a list of lines' })
      .optional(),
    sendType: z.literal('api', { error: 'only "api" is supported' }).optional(),
  },
  { error: 'a request object is required' },
);

const quoteSchema = z.object(
  { serviceId, account: accountSchema, amount, currency },
  { error: 'a request object is required' },
);

export interface CheckedRequest {
  serviceId: string;
  account: string;
  amount: Money;
  currency: CurrencyCode;
}

export interface CheckedAccountCheck extends CheckedRequest {
  transactionId: string | undefined;
  requestedAt: Date | undefined;
}

export interface CheckedPayment extends CheckedRequest {
  transactionId: string;
  requestedAt: Date | undefined;
  invoiceId: string | undefined;
  services: InvoicePaymentLine[] | undefined;
  sendType: 'api' | undefined;
}

function checkAccountPattern(value: string, service: string, patterns: ReadonlyMap<string, RegExp>): void {
  const pattern = patterns.get(service);
  if (pattern && !pattern.test(value)) {
    throw new ValidationError('account', `does not match the pattern of service ${service}`);
  }
}

function common<T extends { serviceId: string; account: string; amount: string; currency: CurrencyCode }>(
  parsed: T,
  patterns: ReadonlyMap<string, RegExp>,
): CheckedRequest {
  checkAccountPattern(parsed.account, parsed.serviceId, patterns);
  return {
    serviceId: parsed.serviceId,
    account: parsed.account,
    amount: Money.parse(parsed.amount, parsed.currency),
    currency: parsed.currency,
  };
}

export function checkAccountCheck(
  request: unknown,
  patterns: ReadonlyMap<string, RegExp>,
): CheckedAccountCheck {
  const parsed = parseInput(checkSchema, request);
  return {
    ...common(parsed, patterns),
    transactionId: parsed.transactionId,
    requestedAt: parsed.requestedAt,
  };
}

export function checkPayment(request: unknown, patterns: ReadonlyMap<string, RegExp>): CheckedPayment {
  const parsed = parseInput(paymentSchema, request);
  return {
    ...common(parsed, patterns),
    transactionId: parsed.transactionId,
    requestedAt: parsed.requestedAt,
    invoiceId: parsed.invoiceId,
    services: parsed.services,
    sendType: parsed.sendType,
  };
}

export function checkQuote(request: unknown, patterns: ReadonlyMap<string, RegExp>): CheckedRequest {
  return common(parseInput(quoteSchema, request), patterns);
}

export function checkTransactionId(value: unknown, field = 'transactionId'): string {
  return parseInput(transactionIdSchema, value, field);
}
