/**
 * router.reconcile end to end: the VectraFin provider against the simulator, whose GetPaymentsByDate is
 * answered, by fault injection, with every status code of protocol §4 instead of the list. A report that
 * read such an answer as "the provider has no payments" would name every succeeded payment
 * `missing_at_provider`: an operator acting on it would pay again or refund wrongly.
 */
import { VECTRAFIN_STATUS_TABLE } from '@tolem/provider-vectrafin';
import type { Fault } from '@tolem/vectrafin-simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, stack } from './stack.js';

const TIMEOUT = 60_000;

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

/** A stack with one payment succeeded at vf-a, and a range around it. */
async function paidStack() {
  // Every refused list counts against the breaker: keep it closed for the whole table.
  current = await stack({ router: { breaker: { volumeThreshold: 10_000 } } });
  const view = await current.router.pay({
    paymentId: 'rec-e2e-1',
    service: 'steam',
    account: 'galek10',
    amount: '150.00',
    currency: 'KZT',
  });
  expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
  const now = Date.now();
  const range = { from: new Date(now - 3_600_000), to: new Date(now + 3_600_000) };
  return { s: current, view, range };
}

describe('reconcile against the simulator', () => {
  it(
    'every status code of protocol §4 answered instead of the list: incomplete, with the outcome, no issue claimed',
    async () => {
      const { s, range } = await paidStack();
      const codes = [...Object.keys(VECTRAFIN_STATUS_TABLE), '-999'];
      for (const code of codes) {
        const before = s.simA.ledger.requestCount('GetPaymentsByDate');
        s.simA.faults.add({
          requestType: 'GetPaymentsByDate',
          times: 1,
          fault: { kind: 'status', code: Number(code) },
        });
        const report = await s.router.reconcile('vf-a', range);
        expect(s.simA.ledger.requestCount('GetPaymentsByDate'), code).toBe(before + 1);
        expect(report, code).toMatchObject({
          provider: 'vf-a',
          complete: false,
          matched: 0,
          issues: [],
          outcome: { providerStatus: code },
        });
        expect(report.outcome.state, code).not.toBe('succeeded');
        expect(report.outcome.message, code).toEqual(expect.any(String));
      }
      // The same request answered with the list: complete, and the payment is there.
      const report = await s.router.reconcile('vf-a', range);
      expect(report).toMatchObject({
        complete: true,
        matched: 1,
        issues: [],
        outcome: { state: 'succeeded' },
      });
    },
    TIMEOUT,
  );

  it.each([
    ['the connection dropped', { kind: 'drop-before' }, 'connection_lost'],
    ['an empty body', { kind: 'empty' }, 'empty_response'],
    ['an HTML page', { kind: 'html' }, 'malformed_response'],
    ['HTTP 502', { kind: 'http-error', httpStatus: 502 }, 'http_error'],
  ] as [string, Fault, string][])(
    '%s instead of the list: incomplete (%s), no issue claimed',
    async (_, fault, reason) => {
      const { s, range } = await paidStack();
      s.simA.faults.add({ requestType: 'GetPaymentsByDate', times: 1, fault });
      const report = await s.router.reconcile('vf-a', range);
      expect(report).toMatchObject({ complete: false, issues: [], outcome: { state: 'unknown', reason } });
    },
    TIMEOUT,
  );
});
