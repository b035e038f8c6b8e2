import {
  type BalanceResult,
  type CurrencyCode,
  type Outcome,
  outcome,
  type PaymentListResult,
  type QuoteResult,
  type Secret,
  type ServicesResult,
  scrub,
} from '@tolem/core';
import type { Answer, BalanceLine, CalculatedSum, PaymentLine, ServiceLine } from '../response-parser.js';
import { roundUpToCents } from '../service-kinds.js';
import { mapStatusCode } from '../status-table.js';

/**
 * The results of the read-only queries — `getBalance` (CheckBalance), `quote` (CalculatedSum),
 * `listServices` (GetSettingServices), `listPayments` (GetPaymentsByDate) — from their answers, or
 * from no usable answer.
 */

/** Data → succeeded with `fields`; a status-only answer → its mapped outcome with `empty`. */
function queryOutcome<T, R extends object>(
  answer: Answer<T>,
  fields: (data: T) => R,
  empty: R,
  password: Secret,
): Outcome & R {
  if (answer.kind === 'data') return { ...outcome('succeeded', null), ...fields(answer.data) };
  const { status, message } = answer.envelope;
  const mapped = mapStatusCode(status);
  // A status-only answer to a query never carries the data asked for, so it cannot be a success.
  const state = mapped.state === 'succeeded' ? 'unknown' : mapped.state;
  const reason = state === mapped.state ? mapped.reason : 'unknown_status';
  const text = message === null ? null : scrub(message, [password]);
  return { ...outcome(state, reason, status, text), ...empty };
}

export function balanceResult(answer: Answer<BalanceLine[]>, password: Secret): BalanceResult {
  return queryOutcome(answer, (balances) => ({ balances }), { balances: [] }, password);
}

export function unansweredBalance(failure: Outcome): BalanceResult {
  return { ...failure, balances: [] };
}

const NO_QUOTE: Omit<QuoteResult, keyof Outcome> = {
  amount: null,
  payAmount: null,
  exchangeRate: null,
  expectedAmount: null,
  expectedCurrency: null,
};

/** A CalculatedSum result; an answer for another service or currency than asked is a conflict. */
export function quoteResult(
  answer: Answer<CalculatedSum>,
  asked: { serviceId: string; currency: CurrencyCode },
  password: Secret,
): QuoteResult {
  if (answer.kind === 'data') {
    const echoed = answer.data;
    if (
      (echoed.serviceId !== null && echoed.serviceId !== asked.serviceId) ||
      (echoed.currency !== null && echoed.currency !== asked.currency)
    ) {
      return {
        ...outcome('unknown', 'conflict', null, 'the answer is for another service or currency'),
        ...NO_QUOTE,
      };
    }
  }
  return queryOutcome(
    answer,
    (sum) => ({
      amount: sum.amount,
      // CalculatedSum carries up to 9 decimals; a Payment needs it rounded up (protocol §3.14).
      payAmount: roundUpToCents(sum.amount, asked.currency),
      exchangeRate: sum.exchangeRate,
      expectedAmount: sum.expectedAmount,
      expectedCurrency: sum.expectedCurrency,
    }),
    NO_QUOTE,
    password,
  );
}

export function unansweredQuote(failure: Outcome): QuoteResult {
  return { ...failure, ...NO_QUOTE };
}

export function servicesResult(answer: Answer<ServiceLine[]>, password: Secret): ServicesResult {
  return queryOutcome(answer, (services) => ({ services }), { services: [] }, password);
}

export function unansweredServices(failure: Outcome): ServicesResult {
  return { ...failure, services: [] };
}

export function paymentListResult(answer: Answer<PaymentLine[]>, password: Secret): PaymentListResult {
  return queryOutcome(
    answer,
    (lines) => ({
      payments: lines.map((line) => ({
        transactionId: line.transactionId,
        providerRequestId: line.requestId,
        account: line.account,
        amount: line.amount,
        serviceId: line.serviceId,
        agentCreatedAt: line.agentCreatedAt,
        createdAt: line.createdAt,
        processedAt: line.processedAt,
        state: line.status === null ? ('unknown' as const) : mapStatusCode(line.status).state,
        providerStatus: line.status,
      })),
    }),
    { payments: [] },
    password,
  );
}

export function unansweredPaymentList(failure: Outcome): PaymentListResult {
  return { ...failure, payments: [] };
}
