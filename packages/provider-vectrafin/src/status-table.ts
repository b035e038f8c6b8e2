import type { PaymentState, Reason } from '@tolem/core';

/** Whether a code speaks about the payment or only about the request that carried it (protocol §4). */
export type StatusKind = 'payment' | 'request';

export interface StatusMapping {
  readonly state: PaymentState;
  readonly final: boolean;
  readonly reason: Reason | null;
  readonly kind: StatusKind;
}

const pending = { state: 'pending', final: false, reason: null, kind: 'payment' } as const;
const request = (reason: Reason) => ({ state: 'unknown', final: false, reason, kind: 'request' }) as const;
const declined = (reason: Reason) => ({ state: 'failed', final: true, reason, kind: 'payment' }) as const;

/**
 * Every VectraFin `ResponseStatus` (protocol §4) → tolem's canonical outcome. Request-level errors say
 * nothing about the payment and are never final; a code missing here maps to unknown/unknown_status.
 */
export const VECTRAFIN_STATUS_TABLE = {
  '1': pending,
  '2': pending,
  '3': pending,
  '4': pending,
  '5': pending,
  '9': pending,
  '10': { state: 'succeeded', final: true, reason: null, kind: 'payment' },
  '-1': request('auth_failed'),
  '-2': request('insufficient_funds'),
  '-3': request('cancelled'),
  '-4': request('not_found'),
  '-100': declined('account_invalid'),
  '-105': declined('account_not_found'),
  '-110': declined('operator_forbidden'),
  '-111': declined('anonymous_wallet_forbidden'),
  '-115': declined('provider_technical'),
  '-120': declined('account_inactive'),
  '-200': declined('amount_out_of_range'),
  '-201': declined('amount_too_small'),
  '-202': declined('amount_too_large'),
  '-203': declined('invoice_check_failed'),
  '-300': declined('operator_error'),
  '-500': request('request_failed'),
  '-501': request('route_not_found'),
  '-502': request('no_exchange_rate'),
  '-503': request('provider_storage_error'),
} as const satisfies Record<string, StatusMapping>;

export type VectrafinStatusCode = keyof typeof VECTRAFIN_STATUS_TABLE;

const UNKNOWN_STATUS: StatusMapping = {
  state: 'unknown',
  final: false,
  reason: 'unknown_status',
  kind: 'request',
};

/** Canonical text of a status code: "10", "-4"; null when it is not an integer. */
export function normaliseStatusCode(code: string | number): string | null {
  const text = typeof code === 'number' ? (Number.isSafeInteger(code) ? String(code) : '') : code.trim();
  const match = /^([+-]?)0*(\d+)$/.exec(text);
  if (!match) return null;
  const digits = match[2] ?? '';
  return digits === '0' || match[1] !== '-' ? digits : `-${digits}`;
}

/** Maps a provider code (number or string, protocol §3.17) onto the canonical outcome. */
export function mapStatusCode(code: string | number): StatusMapping {
  const key = normaliseStatusCode(code);
  if (key !== null && Object.hasOwn(VECTRAFIN_STATUS_TABLE, key)) {
    return VECTRAFIN_STATUS_TABLE[key as VectrafinStatusCode];
  }
  return UNKNOWN_STATUS;
}
