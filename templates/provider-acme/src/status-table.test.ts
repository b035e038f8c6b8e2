import { readFileSync } from 'node:fs';
import { isFinal, reasonKind } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { ACME_STATUS_TABLE, type AcmeStatusCode, mapAcmeStatus } from './status-table.js';

/** Acme's codes as its documentation lists them, with what each must become. */
const EXPECTED: Record<AcmeStatusCode, [state: string, reason: string | null]> = {
  OK: ['succeeded', null],
  PENDING: ['pending', null],
  PROCESSING: ['pending', null],
  NO_ACCOUNT: ['failed', 'account_not_found'],
  BAD_ACCOUNT: ['failed', 'account_invalid'],
  ACCOUNT_BLOCKED: ['failed', 'account_inactive'],
  AMOUNT_TOO_SMALL: ['failed', 'amount_too_small'],
  AMOUNT_TOO_LARGE: ['failed', 'amount_too_large'],
  REJECTED: ['failed', 'provider_technical'],
  NOT_FOUND: ['unknown', 'not_found'],
  NO_FUNDS: ['unknown', 'insufficient_funds'],
  UNAUTHORIZED: ['unknown', 'auth_failed'],
  TRY_LATER: ['unknown', 'request_failed'],
  NO_SUCH_SERVICE: ['unknown', 'route_not_found'],
};

describe('the status table', () => {
  it.each(Object.entries(EXPECTED))('%s → %o', (code, [state, reason]) => {
    const mapped = mapAcmeStatus(code, 'Acme says so');
    expect([mapped.state, mapped.reason]).toEqual([state, reason]);
    expect(mapped.final).toBe(isFinal(mapped.state));
    expect(mapped.providerStatus).toBe(code);
    expect(mapped.message).toBe('Acme says so');
  });

  it('maps every code it lists, and nothing else', () => {
    expect(Object.keys(ACME_STATUS_TABLE).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('fails a payment only with a decline reason; request-level codes are never final', () => {
    for (const [code, row] of Object.entries(ACME_STATUS_TABLE)) {
      if (row.state === 'failed') expect(reasonKind(row.reason), code).toBe('decline');
      if (row.reason !== null && reasonKind(row.reason) === 'request')
        expect(row.state, code).toBe('unknown');
    }
  });

  it.each(['SOMETHING_NEW', 'ok', 'constructor', 'toString', '__proto__'])(
    'an unmapped code (%s) is unknown / unknown_status, never a success or a failure',
    (code) => {
      expect(mapAcmeStatus(code, null)).toMatchObject({
        state: 'unknown',
        reason: 'unknown_status',
        providerStatus: code,
      });
    },
  );

  it.each([undefined, null, 10, '', { code: 'OK' }])(
    'a missing or malformed code (%o) is malformed_response',
    (code) => {
      expect(mapAcmeStatus(code, null)).toMatchObject({ state: 'unknown', reason: 'malformed_response' });
    },
  );

  it("the README's status table says what the code does, row by row", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| `(\w+)` \| (?:`(\w+)`|—) \|/gm)].map(
      ([, code, state, reason]) => [code, [state, reason ?? null]] as const,
    );
    expect(Object.fromEntries(rows)).toEqual(EXPECTED);
  });
});
