import { isReason, REASONS } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { mapStatusCode, VECTRAFIN_STATUS_TABLE } from './status-table.js';

/** protocol §4, transcribed independently of the implementation: code, final, kind, state, reason. */
const NOTES_TABLE: [
  code: number,
  final: boolean,
  kind: 'payment' | 'request',
  state: string,
  reason: string | null,
][] = [
  [1, false, 'payment', 'pending', null],
  [2, false, 'payment', 'pending', null],
  [3, false, 'payment', 'pending', null],
  [4, false, 'payment', 'pending', null],
  [5, false, 'payment', 'pending', null],
  [9, false, 'payment', 'pending', null],
  [10, true, 'payment', 'succeeded', null],
  [-1, false, 'request', 'unknown', 'auth_failed'],
  [-2, false, 'request', 'unknown', 'insufficient_funds'],
  [-3, false, 'request', 'unknown', 'cancelled'],
  [-4, false, 'request', 'unknown', 'not_found'],
  [-100, true, 'payment', 'failed', 'account_invalid'],
  [-105, true, 'payment', 'failed', 'account_not_found'],
  [-110, true, 'payment', 'failed', 'operator_forbidden'],
  [-111, true, 'payment', 'failed', 'anonymous_wallet_forbidden'],
  [-115, true, 'payment', 'failed', 'provider_technical'],
  [-120, true, 'payment', 'failed', 'account_inactive'],
  [-200, true, 'payment', 'failed', 'amount_out_of_range'],
  [-201, true, 'payment', 'failed', 'amount_too_small'],
  [-202, true, 'payment', 'failed', 'amount_too_large'],
  [-203, true, 'payment', 'failed', 'invoice_check_failed'],
  [-300, true, 'payment', 'failed', 'operator_error'],
  [-500, false, 'request', 'unknown', 'request_failed'],
  [-501, false, 'request', 'unknown', 'route_not_found'],
  [-502, false, 'request', 'unknown', 'no_exchange_rate'],
  [-503, false, 'request', 'unknown', 'provider_storage_error'],
];

describe('the status table (protocol §4)', () => {
  it.each(NOTES_TABLE)('code %i → final %s, %s, %s / %s', (code, final, kind, state, reason) => {
    expect(mapStatusCode(code)).toEqual({ state, final, reason, kind });
  });

  it('holds exactly the codes of protocol §4, no more', () => {
    expect(Object.keys(VECTRAFIN_STATUS_TABLE).sort()).toEqual(
      NOTES_TABLE.map(([code]) => String(code)).sort(),
    );
  });

  it('request-level codes are never final and never failed: "do not cancel on a request error"', () => {
    for (const mapping of Object.values(VECTRAFIN_STATUS_TABLE)) {
      if (mapping.kind === 'request') expect(mapping).toMatchObject({ state: 'unknown', final: false });
    }
  });

  it('every reason is in core’s closed list, of the matching kind', () => {
    for (const mapping of Object.values(VECTRAFIN_STATUS_TABLE)) {
      if (mapping.reason === null) continue;
      expect(isReason(mapping.reason)).toBe(true);
      expect(REASONS[mapping.reason]).toBe(mapping.kind === 'request' ? 'request' : 'decline');
    }
  });

  it.each([0, 6, 7, 8, 11, -5, -101, -204, -301, -504, 100, 1000, -10])(
    'unknown code %i is unknown/unknown_status, never final',
    (code) => {
      expect(mapStatusCode(code)).toEqual({
        state: 'unknown',
        final: false,
        reason: 'unknown_status',
        kind: 'request',
      });
    },
  );

  it.each([
    ['10', 'succeeded'],
    [' 10 ', 'succeeded'],
    ['+10', 'succeeded'],
    ['010', 'succeeded'],
    ['-105', 'failed'],
    ['1', 'pending'],
    ['-4', 'unknown'],
  ])('a string code %j maps like the number (protocol §3.17)', (code, state) => {
    expect(mapStatusCode(code).state).toBe(state);
  });

  it.each(['', 'ok', '10.0', '1e1', '--4', 'NaN'])('garbage %j is unknown/unknown_status', (code) => {
    expect(mapStatusCode(code)).toMatchObject({ state: 'unknown', final: false, reason: 'unknown_status' });
  });

  it('non-integer numbers are unknown', () => {
    expect(mapStatusCode(10.5).reason).toBe('unknown_status');
    expect(mapStatusCode(Number.NaN).reason).toBe('unknown_status');
  });
});
