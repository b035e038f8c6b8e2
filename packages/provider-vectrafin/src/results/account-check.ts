import type { AccountCheckResult, CurrencyCode, Outcome, Secret, ServiceKind } from '@tolem/core';
import type { TransactionResponse } from '../response-parser.js';
import { kindFromExtras, readCheckDetails } from '../service-kinds.js';
import { transactionOutcome } from './transaction-outcome.js';

/** The result of `checkAccount`: from an AccountCheck answer, or from no usable answer. */

/** What was asked, and what the result says when the answer does not. */
export interface AccountCheckBasis {
  transactionId: string;
  serviceId: string;
  account: string;
  /** As sent: two decimals. */
  amount: string;
  currency: CurrencyCode;
  /** The kind configured for the service; without one, the answer's Extras tell (protocol §3.5). */
  configuredKind: ServiceKind | undefined;
}

/** An AccountCheck result: the outcome, the echoed fields, and what the service kind offers. */
export function accountCheckResult(
  response: TransactionResponse,
  basis: AccountCheckBasis,
  password: Secret,
): AccountCheckResult {
  const { configuredKind, ...asked } = basis;
  const result = transactionOutcome(response, asked, [password]);
  const content = response.content;
  const extras = content?.extras ?? [];
  const kind = configuredKind ?? kindFromExtras(extras) ?? 'direct';
  const details = result.state === 'succeeded' ? readCheckDetails(kind, extras, basis.currency) : {};
  return {
    ...result,
    transactionId: basis.transactionId,
    providerRequestId: response.requestId,
    serviceId: basis.serviceId,
    account: content?.account ?? basis.account,
    amount: content?.amount ?? basis.amount,
    currency: content?.currency ?? basis.currency,
    kind,
    exchangeRate: content?.exchangeRate ?? null,
    serviceCurrency: content?.serviceCurrency ?? null,
    ...details,
  };
}

/** An AccountCheck result without an answer (transport fault or malformed body). */
export function unansweredAccountCheck(failure: Outcome, basis: AccountCheckBasis): AccountCheckResult {
  return {
    ...failure,
    transactionId: basis.transactionId,
    providerRequestId: null,
    serviceId: basis.serviceId,
    account: basis.account,
    amount: basis.amount,
    currency: basis.currency,
    kind: basis.configuredKind ?? 'direct',
    exchangeRate: null,
    serviceCurrency: null,
  };
}
