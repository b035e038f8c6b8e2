import {
  type BalanceResult,
  type CallOptions,
  type Outcome,
  outcome,
  type PaymentListRange,
  type PaymentListResult,
  type QuoteRequest,
  type QuoteResult,
  type ServicesResult,
  ValidationError,
} from '@tolem/core';
import { ENDPOINTS, type Exchange } from './exchange.js';
import * as form from './form-codec.js';
import { checkQuote } from './request-validation.js';
import { readBalances, readCalculatedSum, readPaymentList, readServiceList } from './response-parser.js';
import { roundUpToCents } from './service-kinds.js';
import { mapStatusCode } from './status-table.js';
import { formatWireDateTime } from './wire-format.js';

/** The read-only operations of the form endpoint: CheckBalance, CalculatedSum, GetSettingServices, GetPaymentsByDate. */

export async function checkBalance(
  exchange: Exchange,
  credentials: form.Credentials,
  options: CallOptions | undefined,
): Promise<BalanceResult> {
  const body = form.encodeForm(form.checkBalanceFields(credentials));
  const reply = await exchange.call(ENDPOINTS.form, body, 'form', options, (document) =>
    exchange.answer(readBalances(document), (balances) => ({ balances }), { balances: [] }),
  );
  return reply.ok ? reply.value : { ...reply.failure, balances: [] };
}

const NO_QUOTE: Omit<QuoteResult, keyof Outcome> = {
  amount: null,
  payAmount: null,
  exchangeRate: null,
  expectedAmount: null,
  expectedCurrency: null,
};

export async function calculatedSum(
  exchange: Exchange,
  credentials: form.Credentials,
  patterns: ReadonlyMap<string, RegExp>,
  request: QuoteRequest,
  options: CallOptions | undefined,
): Promise<QuoteResult> {
  const checked = checkQuote(request, patterns);
  const body = form.encodeForm(
    form.calculatedSumFields(credentials, {
      serviceId: checked.serviceId,
      amount: checked.amount.format(),
      currency: checked.currency,
      account: checked.account,
    }),
  );
  const reply = await exchange.call(ENDPOINTS.form, body, 'form', options, (document) => {
    const answer = readCalculatedSum(document);
    if (answer.kind === 'data') {
      const echoed = answer.data;
      if (
        (echoed.serviceId !== null && echoed.serviceId !== checked.serviceId) ||
        (echoed.currency !== null && echoed.currency !== checked.currency)
      ) {
        return {
          ...outcome('unknown', 'conflict', null, 'the answer is for another service or currency'),
          ...NO_QUOTE,
        };
      }
    }
    return exchange.answer(
      answer,
      (sum) => ({
        amount: sum.amount,
        // CalculatedSum carries up to 9 decimals; a Payment needs it rounded up (protocol §3.14).
        payAmount: roundUpToCents(sum.amount, checked.currency),
        exchangeRate: sum.exchangeRate,
        expectedAmount: sum.expectedAmount,
        expectedCurrency: sum.expectedCurrency,
      }),
      NO_QUOTE,
    );
  });
  return reply.ok ? reply.value : { ...reply.failure, ...NO_QUOTE };
}

export async function settingServices(
  exchange: Exchange,
  credentials: form.Credentials,
  options: CallOptions | undefined,
): Promise<ServicesResult> {
  const body = form.encodeForm(form.settingServicesFields(credentials));
  const reply = await exchange.call(ENDPOINTS.form, body, 'form', options, (document) =>
    exchange.answer(readServiceList(document), (services) => ({ services }), { services: [] }),
  );
  return reply.ok ? reply.value : { ...reply.failure, services: [] };
}

export async function paymentsByDate(
  exchange: Exchange,
  credentials: form.Credentials,
  timeZone: string,
  range: PaymentListRange,
  options: CallOptions | undefined,
): Promise<PaymentListResult> {
  if (typeof range !== 'object' || range === null)
    throw new ValidationError('range', 'from and to are required');
  const from = formatWireDateTime(range.from, timeZone, 'from');
  const to = formatWireDateTime(range.to, timeZone, 'to');
  if (range.from.getTime() > range.to.getTime()) throw new ValidationError('to', 'must not be before from');
  const body = form.encodeForm(form.paymentsByDateFields(credentials, from, to));
  const reply = await exchange.call(ENDPOINTS.form, body, 'form', options, (document) =>
    exchange.answer(
      readPaymentList(document),
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
    ),
  );
  return reply.ok ? reply.value : { ...reply.failure, payments: [] };
}
