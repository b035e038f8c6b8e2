/**
 * The journal keeps each attempt's routing decision (architecture §4.7): what the router passes to
 * `openAttempt` as `route` is stored with the attempt exactly, carried through every later write, read
 * and restart, and a malformed one is refused with nothing written. Every PaymentJournal must pass these;
 * `journalChecks` includes them.
 */
import { expect } from 'vitest';
import { ValidationError } from '../errors.js';
import type { AttemptRoute, NewPayment } from '../journal.js';
import { outcome } from '../model.js';
import { type ConformanceCheck, checksOnFresh } from './conformance-check.js';
import type { JournalConformanceOptions } from './journal-checks.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A decision as the router writes it: vf-b chosen, vf-a left out for its balance. */
export const ROUTE: AttemptRoute = {
  strategy: 'weighted',
  ranked: ['vf-b', 'vf-c'],
  skipped: [{ provider: 'vf-a', reason: 'balance_short' }],
  explored: false,
};

function payment(paymentId: string): NewPayment {
  return {
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '500.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: at(10_000),
  };
}

async function validationField(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    expect(ValidationError.is(error), `expected a ValidationError, got ${String(error)}`).toBe(true);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError, but the write was accepted');
}

export function routeChecks(options: JournalConformanceOptions): ConformanceCheck[] {
  const check = checksOnFresh(() => options.createJournal());

  const checks: ConformanceCheck[] = [
    check('routes: an attempt opened without a routing decision has none', async (journal) => {
      const { record } = await journal.create(payment('r1'));
      const opened = await journal.openAttempt('r1', record.version, { provider: 'vf-a', serviceId: '7' });
      expect(opened.attempts[0]?.route).toBeUndefined();
      expect((await journal.get('r1'))?.attempts[0]?.route).toBeUndefined();
    }),

    check(
      'routes: openAttempt keeps the routing decision with the attempt, exactly, through later writes and reads',
      async (journal) => {
        const { record } = await journal.create(payment('r1'));
        const opened = await journal.openAttempt('r1', record.version, {
          provider: 'vf-b',
          serviceId: '7',
          at: at(1),
          route: ROUTE,
        });
        expect(opened.attempts[0]?.route).toEqual(ROUTE);
        const done = await journal.transition('r1', opened.version, {
          attempt: { no: 1, update: outcome('succeeded', null, '10') },
          payment: outcome('succeeded', null, '10', 'ok'),
          at: at(2),
        });
        expect(done.attempts[0]?.route).toEqual(ROUTE);
        const transactionId = done.attempts[0]?.transactionId ?? '';
        expect((await journal.get('r1'))?.attempts[0]?.route).toEqual(ROUTE);
        expect((await journal.findByTransaction('vf-b', transactionId))?.attempts[0]?.route).toEqual(ROUTE);
        expect((await journal.list())[0]?.attempts[0]?.route).toEqual(ROUTE);
        // Copies: changing a returned record changes nothing stored.
        const copy = await journal.get('r1');
        copy?.attempts[0]?.route?.skipped.push({ provider: 'vf-x', reason: 'tried' });
        expect((await journal.get('r1'))?.attempts[0]?.route).toEqual(ROUTE);
      },
    ),

    check('routes: each attempt keeps its own decision (a failover decides again)', async (journal) => {
      const { record } = await journal.create(payment('r1'));
      const first = await journal.openAttempt('r1', record.version, {
        provider: 'vf-b',
        serviceId: '7',
        at: at(1),
        route: ROUTE,
      });
      const declined = await journal.transition('r1', first.version, {
        attempt: { no: 1, update: outcome('failed', 'provider_technical', '-115') },
        at: at(2),
      });
      const again: AttemptRoute = {
        strategy: 'weighted',
        ranked: ['vf-c'],
        skipped: [
          { provider: 'vf-a', reason: 'balance_short' },
          { provider: 'vf-b', reason: 'tried' },
        ],
        explored: false,
      };
      const second = await journal.openAttempt('r1', declined.version, {
        provider: 'vf-c',
        serviceId: '7',
        at: at(3),
        route: again,
      });
      expect(second.attempts.map((attempt) => attempt.route)).toEqual([ROUTE, again]);
      expect((await journal.get('r1'))?.attempts.map((attempt) => attempt.route)).toEqual([ROUTE, again]);
    }),

    check(
      'routes: a malformed decision is refused (ValidationError on route…), nothing written',
      async (journal) => {
        const { record } = await journal.create(payment('r1'));
        const attempt = (route: unknown) =>
          journal.openAttempt('r1', record.version, {
            provider: 'vf-a',
            serviceId: '7',
            route: route as AttemptRoute,
          });
        expect(await validationField(attempt('weighted'))).toBe('route');
        expect(await validationField(attempt({ ...ROUTE, chosen: 'vf-a' }))).toBe('route');
        expect(await validationField(attempt({ ...ROUTE, strategy: 'Weighted!' }))).toBe('route.strategy');
        expect(await validationField(attempt({ ...ROUTE, ranked: ['vf-b', 7] }))).toBe('route.ranked.1');
        expect(
          await validationField(attempt({ ...ROUTE, skipped: [{ provider: 'vf-a', reason: 'Short!' }] })),
        ).toBe('route.skipped.0.reason');
        expect(await validationField(attempt({ ...ROUTE, explored: 'no' }))).toBe('route.explored');
        const stored = await journal.get('r1');
        expect(stored?.attempts).toEqual([]);
        expect(stored?.version).toBe(record.version);
      },
    ),
  ];

  if (options.reopen !== undefined) {
    const reopen = options.reopen;
    checks.push(
      check('routes: the decision survives a restart', async (journal, hold) => {
        const { record } = await journal.create(payment('r1'));
        await journal.openAttempt('r1', record.version, { provider: 'vf-b', serviceId: '7', route: ROUTE });
        const reopened = await reopen(journal);
        hold(reopened);
        expect((await reopened.get('r1'))?.attempts[0]?.route).toEqual(ROUTE);
      }),
    );
  }
  return checks;
}
