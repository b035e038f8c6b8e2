import { type Outcome, outcome, type PaymentState, type Reason } from '@tolem/core';

export interface AcmeStatusMapping {
  readonly state: PaymentState;
  readonly reason: Reason | null;
}

const succeeded = { state: 'succeeded', reason: null } as const;
const pending = { state: 'pending', reason: null } as const;
/** A final refusal of the payment: no money moved (only codes the provider documents as final). */
const declined = (reason: Reason) => ({ state: 'failed', reason }) as const;
/** A refusal of the request, not of the payment: nothing is known about the payment. */
const request = (reason: Reason) => ({ state: 'unknown', reason }) as const;

/**
 * Every code Acme documents, onto the canonical model: one table, never a chain of ifs. A code missing
 * here is `unknown` / `unknown_status` — never a success, never a failure.
 */
export const ACME_STATUS_TABLE = {
  OK: succeeded,
  PENDING: pending,
  PROCESSING: pending,
  NO_ACCOUNT: declined('account_not_found'),
  BAD_ACCOUNT: declined('account_invalid'),
  ACCOUNT_BLOCKED: declined('account_inactive'),
  AMOUNT_TOO_SMALL: declined('amount_too_small'),
  AMOUNT_TOO_LARGE: declined('amount_too_large'),
  REJECTED: declined('provider_technical'),
  NOT_FOUND: request('not_found'),
  NO_FUNDS: request('insufficient_funds'),
  UNAUTHORIZED: request('auth_failed'),
  TRY_LATER: request('request_failed'),
  NO_SUCH_SERVICE: request('route_not_found'),
} as const satisfies Record<string, AcmeStatusMapping>;

export type AcmeStatusCode = keyof typeof ACME_STATUS_TABLE;

/** The outcome of an Acme answer's `code` and `message`, both kept untouched. */
export function mapAcmeStatus(code: unknown, message: unknown): Outcome {
  const text = typeof message === 'string' ? message : null;
  if (typeof code !== 'string' || code === '') return outcome('unknown', 'malformed_response', null, text);
  const row: AcmeStatusMapping | undefined = Object.hasOwn(ACME_STATUS_TABLE, code)
    ? ACME_STATUS_TABLE[code as AcmeStatusCode]
    : undefined;
  if (row === undefined) return outcome('unknown', 'unknown_status', code, text);
  return outcome(row.state, row.reason, code, text);
}
