import { Dec, type Outcome, outcome, type Secret, scrub } from '@tolem/core';
import type { TransactionResponse } from '../response-parser.js';
import { mapStatusCode } from '../status-table.js';

/**
 * The outcome of an AccountCheck, Payment or Status answer, after checking that the provider echoed
 * what was asked (protocol §4.3: a differing amount, account or transaction id is unknown/`conflict`).
 * Shared by results/account-check.ts and results/payment.ts.
 */

/** What the request carried, for comparison with the echo. Absent fields are not compared. */
export interface EchoExpectation {
  transactionId?: string | undefined;
  account?: string | undefined;
  amount?: string | undefined;
  currency?: string | undefined;
  serviceId?: string | undefined;
}

/** A one-line description of the first echoed field that differs, or null when all agree. */
export function findEchoConflict(response: TransactionResponse, expected: EchoExpectation): string | null {
  // Compared without the sign: AccountCheck echoes -1100000 for 1100000 (protocol §3.2).
  if (
    expected.transactionId !== undefined &&
    response.transactionId !== null &&
    response.transactionId !== expected.transactionId
  ) {
    return `the answer is for transaction ${response.echoedTransactionId}, not ${expected.transactionId}`;
  }
  const content = response.content;
  if (content === null) return null;
  if (
    expected.amount !== undefined &&
    content.amount !== null &&
    !new Dec(content.amount).equals(expected.amount)
  ) {
    return `the answer echoes amount ${content.amount}, not ${expected.amount}`;
  }
  if (
    expected.currency !== undefined &&
    content.currency !== null &&
    content.currency !== expected.currency
  ) {
    return `the answer echoes currency ${content.currency}, not ${expected.currency}`;
  }
  if (
    expected.serviceId !== undefined &&
    content.serviceId !== null &&
    content.serviceId !== expected.serviceId
  ) {
    return `the answer echoes service ${content.serviceId}, not ${expected.serviceId}`;
  }
  if (expected.account !== undefined && content.account !== null && content.account !== expected.account) {
    return 'the answer echoes a different account';
  }
  return null;
}

/** The outcome of an AccountCheck / Payment / Status answer, message scrubbed of `secrets`. */
export function transactionOutcome(
  response: TransactionResponse,
  expected: EchoExpectation,
  secrets: readonly (string | Secret | undefined)[],
): Outcome {
  const conflict = findEchoConflict(response, expected);
  if (conflict !== null) return outcome('unknown', 'conflict', response.status, conflict);
  const mapped = mapStatusCode(response.status);
  const message = response.message === null ? null : scrub(response.message, secrets);
  return outcome(mapped.state, mapped.reason, response.status, message);
}
