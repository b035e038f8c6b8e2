import type { InvoicePaymentLine } from '@tolem/core';
import {
  accountSchema,
  parseCurrency,
  parseDecimal,
  parseInput,
  transactionIdSchema,
  ValidationError,
} from '@tolem/core';
import { type Flags, optionalString, requireString } from './args.js';
import { usageError } from './cli-error.js';
import {
  isJsonObject,
  JsonInputError,
  type JsonValue,
  numericText,
  parseJsonLossless,
} from './json-input.js';

/** Validation of flag values, before anything is sent: each failure names the flag and the rule. */

/** Currencies of a VectraFin contract (protocol §2). */
export const CONTRACT_CURRENCIES = ['KZT', 'USD', 'RUB'] as const;
export const DEFAULT_CURRENCY = 'KZT';

/** Turns a core ValidationError (field names like `transactionId`) into the flag the user typed. */
export function flagFor(field: string): string {
  const head = field.split('.')[0] ?? field;
  const known: Record<string, string> = {
    serviceId: '--service',
    service: '--service',
    transactionId: '--transaction-id',
    invoiceId: '--invoice-id',
    services: '--services',
    sendType: '--send-type',
    currency: '--currency',
    amount: '--amount',
    account: '--account',
  };
  return known[head] ?? `--${head.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function asUsage(error: unknown): never {
  if (ValidationError.is(error)) throw usageError(`${flagFor(error.field)}: ${error.rule}`, { cause: error });
  throw error;
}

export function readService(flags: Flags): string {
  const value = requireString(flags, 'service', '7');
  if (!/^\d{1,9}$/.test(value))
    throw usageError(`--service must be a numeric service id such as 7, got ${show(value)}`);
  return value;
}

export function readAccount(flags: Flags): string {
  const value = requireString(flags, 'account', 'galek10');
  try {
    return parseInput(accountSchema, value, 'account');
  } catch (error) {
    return asUsage(error);
  }
}

/** A positive amount with at most two decimals, kept as typed ("100" or "100.00"). */
export function readAmount(flags: Flags): string {
  const value = requireString(flags, 'amount', '100.00');
  try {
    parseDecimal(value, 'amount', { maxDecimals: 2 });
  } catch (error) {
    return asUsage(error);
  }
  return value;
}

export function readCurrency(flags: Flags): string {
  const value = optionalString(flags, 'currency') ?? DEFAULT_CURRENCY;
  try {
    parseCurrency(value);
  } catch (error) {
    return asUsage(error);
  }
  if (!(CONTRACT_CURRENCIES as readonly string[]).includes(value)) {
    throw usageError(
      `--currency must be one of ${CONTRACT_CURRENCIES.join(', ')} (the contract currency), got ${show(value)}`,
    );
  }
  return value;
}

export function readTransactionId(flags: Flags, required: true): string;
export function readTransactionId(flags: Flags, required: false): string | undefined;
export function readTransactionId(flags: Flags, required: boolean): string | undefined {
  const value = required
    ? requireString(flags, 'transaction-id', '112')
    : optionalString(flags, 'transaction-id');
  if (value === undefined) return undefined;
  try {
    return parseInput(transactionIdSchema, value, 'transactionId');
  } catch (error) {
    return asUsage(error);
  }
}

export function readInvoiceId(flags: Flags): string | undefined {
  const value = optionalString(flags, 'invoice-id');
  if (value !== undefined && !/^\d{1,18}$/.test(value)) {
    throw usageError(
      `--invoice-id must be the digits of an offer from \`tolem vectrafin check\`, got ${show(value)}`,
    );
  }
  return value;
}

export function readSendType(flags: Flags): 'api' | undefined {
  const value = optionalString(flags, 'send-type');
  if (value === undefined) return undefined;
  if (value !== 'api')
    throw usageError(`--send-type accepts only "api" (return the voucher code here), got ${show(value)}`);
  return value;
}

/** Whole seconds to wait for a final status; 0 (the default) does not wait. */
export function readWait(flags: Flags): number {
  const value = optionalString(flags, 'wait');
  if (value === undefined) return 0;
  if (!/^\d{1,5}$/.test(value))
    throw usageError(`--wait must be whole seconds, e.g. --wait 30, got ${show(value)}`);
  return Number(value);
}

/**
 * Invoice lines to pay (Alseko): `[{"id":13,"amount":"5110.18"}]`, or the wire's own
 * `{"services":[…]}` wrapper; `serviceId` is accepted for `id`. Amounts keep their exact digits.
 */
export function readServiceLines(flags: Flags): InvoicePaymentLine[] | undefined {
  const value = optionalString(flags, 'services');
  if (value === undefined) return undefined;
  let parsed: JsonValue;
  try {
    parsed = parseJsonLossless(value);
  } catch (error) {
    const detail = error instanceof JsonInputError ? error.message : 'not JSON';
    throw usageError(`--services is not valid JSON (${detail}): write e.g. '[{"id":13,"amount":"5110.18"}]'`);
  }
  const list = isJsonObject(parsed) ? (parsed.services ?? parsed.Services) : parsed;
  if (!Array.isArray(list) || list.length === 0) {
    throw usageError(`--services must be a non-empty JSON array such as '[{"id":13,"amount":"5110.18"}]'`);
  }
  return list.map((line, index) => {
    const where = `--services[${index}]`;
    if (!isJsonObject(line)) throw usageError(`${where} must be an object with "id" and "amount"`);
    const serviceId = numericText(line.id ?? line.serviceId ?? line.ServiceId);
    if (serviceId === undefined || !/^\d{1,9}$/.test(serviceId))
      throw usageError(`${where}.id must be an invoice line id (digits)`);
    const amount = numericText(line.amount ?? line.Amount);
    if (amount === undefined) throw usageError(`${where}.amount is required, e.g. "5110.18"`);
    try {
      parseDecimal(amount, 'amount', { maxDecimals: 2 });
    } catch (error) {
      if (ValidationError.is(error)) throw usageError(`${where}.amount: ${error.rule}`);
      throw error;
    }
    return { serviceId, amount };
  });
}

export function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
