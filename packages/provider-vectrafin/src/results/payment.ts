import { type Outcome, type PaymentResult, Secret } from '@tolem/core';
import type { TransactionResponse } from '../response-parser.js';
import { readVoucherCode } from '../service-kinds.js';
import { type EchoExpectation, transactionOutcome } from './transaction-outcome.js';

/** The result of `pay` and `getStatus`: from a Payment or Status answer, or from no usable answer. */

/** What the result says when the answer does not: the request's own fields. */
export interface PaymentBasis {
  transactionId: string;
  amount: string | null;
  currency: string | null;
  account: string | null;
}

/** A Payment or Status result. The voucher code goes to `voucherCode` only, as a Secret. */
export function paymentResult(
  response: TransactionResponse,
  basis: PaymentBasis,
  expected: EchoExpectation,
  password: Secret,
): PaymentResult {
  const content = response.content;
  const code = content ? readVoucherCode(content.extras) : null;
  const result: PaymentResult = {
    ...transactionOutcome(response, expected, [password, code ?? undefined]),
    transactionId: basis.transactionId,
    providerRequestId: response.requestId,
    amount: content?.amount ?? basis.amount,
    currency: content?.currency ?? basis.currency,
    account: content?.account ?? basis.account,
    amountOnClient: content?.amountOnClient ?? null,
    exchangeRate: content?.exchangeRate ?? null,
    serviceCurrency: content?.serviceCurrency ?? null,
  };
  // An answer that is not ours (conflict) hands out nothing.
  if (code !== null && result.reason !== 'conflict') result.voucherCode = new Secret(code);
  return result;
}

/** A Payment or Status result without an answer (transport fault or malformed body). */
export function unansweredPayment(failure: Outcome, basis: PaymentBasis): PaymentResult {
  return {
    ...failure,
    ...basis,
    providerRequestId: null,
    amountOnClient: null,
    exchangeRate: null,
    serviceCurrency: null,
  };
}
