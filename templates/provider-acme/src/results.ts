import {
  type AccountCheckResult,
  type BalanceResult,
  type CurrencyCode,
  Money,
  type Outcome,
  outcome,
  type PaymentListResult,
  type PaymentResult,
  type ProviderPaymentRecord,
  parseDecimal,
  Secret,
  scrub,
} from '@tolem/core';
import { mapAcmeStatus } from './status-table.js';
import type { AcmeAnswer } from './transport.js';

/**
 * Acme's answers turned into the port's results. Every answer keeps Acme's own code and message
 * (`providerStatus`, `message`); an answer that contradicts the request is `unknown` / `conflict`; an
 * answer without the fields a result needs is `unknown` / `malformed_response` — never a success.
 */

type Body = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Whether an echoed amount differs from the requested one (compared as decimals: "100.0" is "100.00"). */
function differentAmount(echoed: unknown, requested: string): boolean {
  if (echoed === undefined) return false;
  try {
    return !parseDecimal(echoed, 'amount', { allowZero: true }).equals(parseDecimal(requested, 'amount'));
  } catch {
    return true;
  }
}

/** What was asked, to check the answer against and to fill in what Acme does not echo. */
export interface PaymentFacts {
  transactionId: string;
  /** Null for a Status call, which asks by transaction id alone (unless it says what it expects). */
  amount: string | null;
  account: string | null;
  currency: CurrencyCode | null;
}

/** A Payment or Status answer. A voucher code comes back only as a Secret, and is scrubbed from the message. */
export function paymentResult(facts: PaymentFacts, answer: AcmeAnswer): PaymentResult {
  const empty = {
    transactionId: facts.transactionId,
    providerRequestId: null,
    amount: facts.amount,
    currency: facts.currency,
    account: facts.account,
    amountOnClient: null,
    exchangeRate: null,
    serviceCurrency: null,
  };
  if (!answer.ok) return { ...answer.outcome, ...empty };
  const body: Body = answer.body;
  const voucher = text(body.voucher);
  const secrets = voucher === null ? [] : [voucher];
  const mapped = mapAcmeStatus(body.code, body.message);
  let result: Outcome = {
    ...mapped,
    message: mapped.message === null ? null : scrub(mapped.message, secrets),
  };
  if (body.txn !== undefined && body.txn !== facts.transactionId) {
    result = outcome('unknown', 'conflict', result.providerStatus, 'the answer is about another transaction');
  } else if (facts.amount !== null && differentAmount(body.amount, facts.amount)) {
    result = outcome('unknown', 'conflict', result.providerStatus, 'the answer echoes another amount');
  } else if (facts.account !== null && body.account !== undefined && body.account !== facts.account) {
    result = outcome('unknown', 'conflict', result.providerStatus, 'the answer echoes another account');
  }
  return {
    ...result,
    ...empty,
    providerRequestId: text(body.ref),
    amount: text(body.amount) ?? facts.amount,
    currency: (text(body.currency) as CurrencyCode | null) ?? facts.currency,
    account: text(body.account) ?? facts.account,
    ...(voucher === null || result.state !== 'succeeded' ? {} : { voucherCode: new Secret(voucher) }),
  };
}

/** An account check. A voucher service (`kind: "voucher"`) names its exact price; pay it rounded up to cents. */
export function accountCheckResult(
  request: { serviceId: string; account: string; amount: string; currency: CurrencyCode },
  answer: AcmeAnswer,
): AccountCheckResult {
  const base = {
    transactionId: null,
    providerRequestId: null,
    ...request,
    exchangeRate: null,
    serviceCurrency: null,
  };
  if (!answer.ok) return { ...answer.outcome, ...base, kind: 'direct' };
  const body: Body = answer.body;
  const mapped = mapAcmeStatus(body.code, body.message);
  if (body.kind !== 'voucher') return { ...mapped, ...base, kind: 'direct' };
  if (mapped.state !== 'succeeded') return { ...mapped, ...base, kind: 'static_voucher' };
  try {
    const price = Money.exact(String(body.price), request.currency, 'price');
    return {
      ...mapped,
      ...base,
      kind: 'static_voucher',
      orderAmount: price.toString(),
      payAmount: price.roundUp().format(),
    };
  } catch {
    return {
      ...outcome(
        'unknown',
        'malformed_response',
        mapped.providerStatus,
        'a voucher without a readable price',
      ),
      ...base,
      kind: 'static_voucher',
    };
  }
}

function isDecimal(value: unknown): value is string {
  try {
    parseDecimal(value, 'value', { allowZero: true, allowNegative: true });
    return true;
  } catch {
    return false;
  }
}

/** Balances: `succeeded` only with every line readable. */
export function balanceResult(answer: AcmeAnswer): BalanceResult {
  if (!answer.ok) return { ...answer.outcome, balances: [] };
  const mapped = mapAcmeStatus(answer.body.code, answer.body.message);
  if (mapped.state !== 'succeeded') return { ...mapped, balances: [] };
  const lines = answer.body.balances;
  const readable =
    Array.isArray(lines) &&
    lines.every(
      (line: Body) =>
        typeof line?.currency === 'string' &&
        isDecimal(line.amount) &&
        (line.overdraft === undefined || isDecimal(line.overdraft)),
    );
  if (!readable) {
    return {
      ...outcome('unknown', 'malformed_response', mapped.providerStatus, 'unreadable balances'),
      balances: [],
    };
  }
  return {
    ...mapped,
    balances: (lines as Body[]).map((line) => ({
      currency: line.currency as string,
      balance: line.amount as string,
      overdraft: (line.overdraft as string | undefined) ?? '0',
    })),
  };
}

function paymentRecord(entry: unknown): ProviderPaymentRecord | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const row = entry as Body;
  const transactionId = text(row.txn);
  const account = text(row.account);
  const serviceId = text(row.service);
  if (transactionId === null || account === null || serviceId === null || !isDecimal(row.amount)) return null;
  const mapped = mapAcmeStatus(row.code, null);
  return {
    transactionId,
    providerRequestId: text(row.ref),
    account,
    amount: row.amount,
    serviceId,
    agentCreatedAt: null,
    createdAt: text(row.createdAt),
    processedAt: text(row.processedAt),
    state: mapped.state,
    providerStatus: mapped.providerStatus,
  };
}

/**
 * The payment list: `succeeded` exactly when the whole list was read. Anything else comes back with an
 * empty list that means nothing (never "Acme has no payments"): a reconciliation must not run on it.
 */
export function paymentListResult(answer: AcmeAnswer): PaymentListResult {
  if (!answer.ok) return { ...answer.outcome, payments: [] };
  const mapped = mapAcmeStatus(answer.body.code, answer.body.message);
  if (mapped.state !== 'succeeded') {
    return mapped.state === 'unknown'
      ? { ...mapped, payments: [] }
      : {
          ...outcome('unknown', 'malformed_response', mapped.providerStatus, 'no list in the answer'),
          payments: [],
        };
  }
  const rows = answer.body.payments;
  const payments = Array.isArray(rows) ? rows.map(paymentRecord) : null;
  if (payments === null || payments.some((payment) => payment === null)) {
    return {
      ...outcome('unknown', 'malformed_response', mapped.providerStatus, 'unreadable payments'),
      payments: [],
    };
  }
  return { ...mapped, payments: payments as ProviderPaymentRecord[] };
}
