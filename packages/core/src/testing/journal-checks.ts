/**
 * The checks every PaymentJournal must pass, as plain async functions: `runJournalConformance` wraps
 * each in a vitest `it`, and tests can run one directly to prove that a broken journal fails it.
 */
import { expect } from 'vitest';
import { JournalConflictError, ValidationError } from '../errors.js';
import type { AttemptUpdate, NewPayment, PaymentJournal, PaymentRecord } from '../journal.js';
import { outcome } from '../model.js';
import { type ConformanceCheck, checksOnFresh } from './conformance-check.js';
import { historyChecks } from './journal-history-checks.js';
import { submissionChecks } from './journal-submission-checks.js';
import { voucherChecks } from './journal-voucher-checks.js';

export interface JournalConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A fresh, empty journal for each check; the suite closes it afterwards. */
  createJournal(): Promise<PaymentJournal> | PaymentJournal;
  /**
   * Closes `journal` and opens the same durable store again. Durable journals pass it; the restart
   * checks run only when it is given.
   */
  reopen?(journal: PaymentJournal): Promise<PaymentJournal>;
  /** Per-check timeout, default 60 s. */
  timeoutMs?: number;
}

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TX_ID = /^[1-9]\d{0,14}$/;

function payment(paymentId: string, overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: at(10_000),
    ...overrides,
  };
}

async function conflict(call: Promise<unknown>): Promise<JournalConflictError> {
  try {
    await call;
  } catch (error) {
    expect(JournalConflictError.is(error), `expected a JournalConflictError, got ${String(error)}`).toBe(
      true,
    );
    return error as JournalConflictError;
  }
  throw new Error('expected a JournalConflictError, but the write was accepted');
}

async function opened(
  journal: PaymentJournal,
  paymentId: string,
  provider = 'vf-a',
  extra: Partial<NewPayment> = {},
) {
  const { record } = await journal.create(payment(paymentId, extra));
  return journal.openAttempt(paymentId, record.version, { provider, serviceId: '7', at: at(1) });
}

function txOf(record: PaymentRecord, provider = 'vf-a'): string {
  const attempt = record.attempts.find((a) => a.provider === provider);
  expect(attempt, `an attempt at ${provider}`).toBeDefined();
  return attempt!.transactionId;
}

export function journalChecks(options: JournalConformanceOptions): ConformanceCheck[] {
  const check = checksOnFresh(() => options.createJournal());

  const checks: ConformanceCheck[] = [
    check('create is idempotent on the payment id', async (journal) => {
      const first = await journal.create(payment('p1', { details: { invoiceId: '4063' } }));
      expect(first.created).toBe(true);
      expect(first.record).toMatchObject({
        paymentId: 'p1',
        service: 'steam',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
        details: { invoiceId: '4063' },
        state: 'unknown',
        final: false,
        reason: null,
        attempts: [],
        createdAt: T0.toISOString(),
        nextCheckAt: at(10_000).toISOString(),
        lease: null,
      });
      const again = await journal.create(payment('p1', { details: { invoiceId: '4063' }, createdAt: at(5) }));
      expect(again.created).toBe(false);
      expect(again.record).toEqual(first.record);
      expect(await journal.get('p1')).toEqual(first.record);
      expect(await journal.get('nope')).toBeNull();
    }),

    check('the same payment id with different fields is a conflict naming the field', async (journal) => {
      await journal.create(payment('p1'));
      const amount = await conflict(journal.create(payment('p1', { amount: '100.01' })));
      expect(amount.fields).toEqual(['amount']);
      expect(amount.paymentId).toBe('p1');
      expect((await conflict(journal.create(payment('p1', { account: 'other' })))).fields).toEqual([
        'account',
      ]);
      expect((await conflict(journal.create(payment('p1', { details: { invoiceId: '1' } })))).fields).toEqual(
        ['details'],
      );
      expect((await journal.get('p1'))?.amount).toBe('100.00');
    }),

    check(
      'create refuses a malformed payment with ValidationError naming the field, and writes nothing',
      async (journal) => {
        // The port's promise: ValidationError from create means nothing was written (a caller may then
        // say "not recorded"); any other error leaves the row possibly written.
        const cases: [Partial<NewPayment>, string][] = [
          [{ nextCheckAt: new Date(Number.NaN) }, 'nextCheckAt'],
          [{ createdAt: new Date(Number.NaN) }, 'createdAt'],
          [{ amount: '' }, 'amount'],
        ];
        for (const [overrides, field] of cases) {
          let refused: unknown = null;
          try {
            await journal.create(payment('bad', overrides));
          } catch (error) {
            refused = error;
          }
          expect(
            ValidationError.is(refused),
            `${field}: expected a ValidationError, got ${String(refused)}`,
          ).toBe(true);
          expect((refused as ValidationError).field).toBe(field);
          expect(await journal.get('bad'), `${field}: nothing written`).toBeNull();
        }
        expect((await journal.create(payment('bad'))).created).toBe(true);
      },
    ),

    check(
      'openAttempt allocates a 1–15 digit transaction id and writes the attempt before the send',
      async (journal) => {
        const { record } = await journal.create(payment('p1'));
        const next = await journal.openAttempt('p1', record.version, {
          provider: 'vf-a',
          serviceId: '7',
          at: at(1),
        });
        expect(next.version).toBeGreaterThan(record.version);
        expect(next.attempts).toHaveLength(1);
        expect(next.attempts[0]).toMatchObject({
          no: 1,
          provider: 'vf-a',
          serviceId: '7',
          state: 'unknown',
          final: false,
          sends: 1,
        });
        expect(txOf(next)).toMatch(TX_ID);
        expect(await journal.get('p1')).toEqual(next);
        expect((await journal.findByTransaction('vf-a', txOf(next)))?.paymentId).toBe('p1');
        expect(await journal.findByTransaction('vf-b', txOf(next))).toBeNull();
        expect(await journal.findByTransaction('vf-a', '1')).toBeNull();
      },
    ),

    check('openAttempt reuses the transaction id for the same provider', async (journal) => {
      const first = await opened(journal, 'p1');
      const again = await journal.openAttempt('p1', 1, { provider: 'vf-a', serviceId: '7' });
      expect(again.attempts).toHaveLength(1);
      expect(txOf(again)).toBe(txOf(first));
      expect(again.version).toBe(first.version);
      const declined = await journal.transition('p1', again.version, {
        attempt: { no: 1, update: { state: 'failed', reason: 'provider_technical' } },
      });
      const failedOver = await journal.openAttempt('p1', declined.version, {
        provider: 'vf-b',
        serviceId: '9',
      });
      expect(failedOver.attempts.map((a) => [a.no, a.provider])).toEqual([
        [1, 'vf-a'],
        [2, 'vf-b'],
      ]);
      expect(txOf(failedOver, 'vf-b')).toMatch(TX_ID);
      expect((await journal.findByTransaction('vf-b', txOf(failedOver, 'vf-b')))?.paymentId).toBe('p1');
    }),

    check(
      'transaction ids are distinct across payments, also when allocated concurrently',
      async (journal) => {
        const sequential: string[] = [];
        for (let i = 0; i < 10; i++) sequential.push(txOf(await opened(journal, `s${i}`)));
        for (let i = 1; i < sequential.length; i++) {
          expect(BigInt(sequential[i]!) > BigInt(sequential[i - 1]!), 'ids increase').toBe(true);
        }
        const concurrent = await Promise.all(Array.from({ length: 25 }, (_, i) => opened(journal, `c${i}`)));
        const all = [...sequential, ...concurrent.map((r) => txOf(r))];
        expect(new Set(all).size).toBe(all.length);
        for (const id of all) expect(id).toMatch(TX_ID);
      },
    ),

    check(
      'openAttempt refuses a second provider while an earlier attempt may have moved money (architecture §4.3)',
      async (journal) => {
        let case_ = 0;
        const refusedWhile = async (update: AttemptUpdate | null, resends = 0) => {
          case_ += 1;
          const id = `g${case_}`;
          let record = await opened(journal, id);
          if (update) record = await journal.transition(id, record.version, { attempt: { no: 1, update } });
          for (let i = 0; i < resends; i++) {
            record = await journal.transition(id, record.version, { resend: { no: 1 } });
          }
          await conflict(journal.openAttempt(id, record.version, { provider: 'vf-b', serviceId: '7' }));
          expect((await journal.get(id))?.attempts).toHaveLength(1);
        };
        await refusedWhile(null); // in flight: nothing known yet
        await refusedWhile({ state: 'unknown', reason: 'timeout' });
        await refusedWhile({ state: 'unknown', reason: 'not_found' });
        await refusedWhile({ state: 'pending', reason: null, providerStatus: '1' });
        await refusedWhile({ state: 'succeeded', reason: null, providerStatus: '10' });
        // A refused connection proves nothing arrived, but only while it was the attempt's only send.
        await refusedWhile({ state: 'unknown', reason: 'connection_refused' }, 1);
        const { record } = await journal.create(payment('g-ok'));
        let next = await journal.openAttempt('g-ok', record.version, { provider: 'vf-a', serviceId: '7' });
        next = await journal.transition('g-ok', next.version, {
          attempt: { no: 1, update: { state: 'unknown', reason: 'connection_refused' } },
        });
        next = await journal.openAttempt('g-ok', next.version, { provider: 'vf-b', serviceId: '7' });
        expect(next.attempts).toHaveLength(2);
      },
    ),

    check(
      'transaction ids are distinct across providers (two instances may share one agent account)',
      async (journal) => {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const { record } = await journal.create(payment(`x${i}`));
          const provider = i % 2 === 0 ? 'vf-a' : 'vf-b';
          const next = await journal.openAttempt(`x${i}`, record.version, { provider, serviceId: '7' });
          ids.push(txOf(next, provider));
        }
        expect(new Set(ids).size).toBe(ids.length);
      },
    ),

    check('openAttempt refuses a stale version, a missing payment and a final payment', async (journal) => {
      const { record } = await journal.create(payment('p1'));
      await journal.transition('p1', record.version, { nextCheckAt: at(20_000) });
      await conflict(journal.openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' }));
      expect((await journal.get('p1'))?.attempts).toEqual([]);
      await conflict(journal.openAttempt('missing', 1, { provider: 'vf-a', serviceId: '7' }));
      const p2 = await opened(journal, 'p2');
      const done = await journal.transition('p2', p2.version, {
        payment: outcome('failed', 'account_not_found'),
      });
      await conflict(journal.openAttempt('p2', done.version, { provider: 'vf-b', serviceId: '7' }));
    }),

    check(
      'transition is compare-and-set: a stale version is refused and changes nothing',
      async (journal) => {
        const record = await opened(journal, 'p1');
        const next = await journal.transition('p1', record.version, {
          attempt: {
            no: 1,
            update: {
              ...outcome('pending', null, '3', 'processing'),
              providerRequestId: '638405063993273260',
            },
          },
          payment: outcome('pending', null, '3', 'processing'),
          countCheck: true,
          at: at(2),
        });
        expect(next.version).toBeGreaterThan(record.version);
        expect(next).toMatchObject({ state: 'pending', final: false, checks: 1, providerStatus: '3' });
        expect(next.attempts[0]).toMatchObject({ state: 'pending', providerRequestId: '638405063993273260' });
        await conflict(journal.transition('p1', record.version, { payment: outcome('succeeded', null) }));
        expect(await journal.get('p1')).toEqual(next);
        await conflict(journal.transition('missing', 1, { countCheck: true }));
      },
    ),

    check('concurrent transitions from the same version: exactly one wins', async (journal) => {
      const record = await opened(journal, 'p1');
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          journal.transition('p1', record.version, {
            payment: outcome('unknown', 'timeout', null, `writer ${i}`),
          }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(JournalConflictError.is(r.reason)).toBe(true);
      }
      expect((await journal.get('p1'))?.version).toBe(record.version + 1);
    }),

    check('a final payment never changes', async (journal) => {
      const record = await opened(journal, 'p1');
      const done = await journal.transition('p1', record.version, {
        attempt: { no: 1, update: outcome('succeeded', null, '10') },
        payment: outcome('succeeded', null, '10', 'ok'),
        at: at(3),
      });
      expect(done).toMatchObject({
        state: 'succeeded',
        final: true,
        reason: null,
        nextCheckAt: null,
        lease: null,
      });
      expect(done.finalAt).toBe(at(3).toISOString());
      await conflict(
        journal.transition('p1', done.version, { payment: outcome('failed', 'account_not_found') }),
      );
      await conflict(
        journal.transition('p1', done.version, { attempt: { no: 1, update: { state: 'unknown' } } }),
      );
      await conflict(journal.transition('p1', done.version, { resend: { no: 1 } }));
      const latest = await journal.get('p1');
      expect(latest).toMatchObject({ state: 'succeeded', final: true, finalAt: at(3).toISOString() });
      expect(latest?.attempts[0]).toMatchObject({ state: 'succeeded', final: true, sends: 1 });
      const rescheduled = await journal.transition('p1', latest!.version, { nextCheckAt: at(99_000) });
      expect(rescheduled.nextCheckAt).toBeNull();
      expect(rescheduled.state).toBe('succeeded');
    }),

    check('resends are counted on the attempt', async (journal) => {
      let record = await opened(journal, 'p1');
      record = await journal.transition('p1', record.version, { resend: { no: 1 } });
      record = await journal.transition('p1', record.version, { resend: { no: 1 } });
      expect(record.attempts[0]?.sends).toBe(3);
      expect((await journal.get('p1'))?.attempts[0]?.sends).toBe(3);
      await conflict(journal.transition('p1', record.version, { resend: { no: 2 } }));
    }),

    check('claimDue leases due open payments only', async (journal) => {
      await opened(journal, 'due-1', 'vf-a', { nextCheckAt: at(1_000) });
      await opened(journal, 'due-2', 'vf-a', { nextCheckAt: at(2_000) });
      await opened(journal, 'later', 'vf-a', { nextCheckAt: at(60_000) });
      const final = await opened(journal, 'final', 'vf-a', { nextCheckAt: at(1_000) });
      await journal.transition('final', final.version, { payment: outcome('failed', 'account_not_found') });
      const unscheduled = await opened(journal, 'unscheduled', 'vf-a', { nextCheckAt: at(1_000) });
      await journal.transition('unscheduled', unscheduled.version, { nextCheckAt: null });

      const claimed = await journal.claimDue({
        now: at(5_000),
        owner: 'router-a',
        leaseMs: 30_000,
        limit: 10,
      });
      expect(claimed.map((r) => r.paymentId).sort()).toEqual(['due-1', 'due-2']);
      for (const record of claimed) {
        expect(record.lease).toEqual({ owner: 'router-a', until: at(35_000).toISOString() });
        expect(await journal.get(record.paymentId)).toEqual(record);
      }
      expect(
        await journal.claimDue({ now: at(5_000), owner: 'router-b', leaseMs: 30_000, limit: 10 }),
      ).toEqual([]);
      const limited = await journal.claimDue({
        now: at(100_000),
        owner: 'router-b',
        leaseMs: 30_000,
        limit: 1,
      });
      expect(limited).toHaveLength(1);
      expect(limited[0]?.paymentId, 'the most overdue first').toBe('due-1');
    }),

    check('an expired or released lease can be claimed again', async (journal) => {
      await opened(journal, 'p1', 'vf-a', { nextCheckAt: at(1_000) });
      await opened(journal, 'p2', 'vf-a', { nextCheckAt: at(1_000) });
      const [a, b] = await journal.claimDue({ now: at(1_000), owner: 'router-a', leaseMs: 10_000, limit: 2 });
      expect(a && b).toBeTruthy();
      expect(
        await journal.claimDue({ now: at(10_999), owner: 'router-b', leaseMs: 10_000, limit: 5 }),
      ).toEqual([]);
      const released = await journal.transition(b!.paymentId, b!.version, { releaseLease: 'router-a' });
      expect(released.lease).toBeNull();
      const after = await journal.claimDue({ now: at(10_999), owner: 'router-b', leaseMs: 10_000, limit: 5 });
      expect(after.map((r) => r.paymentId)).toEqual([b!.paymentId]);
      const expired = await journal.claimDue({
        now: at(11_000),
        owner: 'router-c',
        leaseMs: 10_000,
        limit: 5,
      });
      expect(expired.map((r) => [r.paymentId, r.lease?.owner])).toEqual([[a!.paymentId, 'router-c']]);
      // The old holder's stale version no longer writes.
      await conflict(journal.transition(a!.paymentId, a!.version, { countCheck: true }));
    }),

    check('concurrent claimDue from many owners claims each payment once', async (journal) => {
      for (let i = 0; i < 30; i++)
        await opened(journal, `p${String(i).padStart(2, '0')}`, 'vf-a', { nextCheckAt: at(i) });
      const batches = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          journal.claimDue({ now: at(50_000), owner: `router-${i}`, leaseMs: 60_000, limit: 4 }),
        ),
      );
      const ids = batches.flat().map((r) => r.paymentId);
      expect(new Set(ids).size, 'no payment claimed twice').toBe(ids.length);
      expect(ids.length).toBe(30);
      for (const [i, batch] of batches.entries()) {
        for (const record of batch)
          expect((await journal.get(record.paymentId))?.lease?.owner).toBe(`router-${i}`);
      }
    }),

    check(
      'list filters by time, provider and finality, in (createdAt, paymentId) order with keyset pages',
      async (journal) => {
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) {
          const id = `p${String(i).padStart(2, '0')}`;
          ids.push(id);
          const provider = i % 3 === 0 ? 'vf-b' : 'vf-a';
          const record = await opened(journal, id, provider, { createdAt: at(Math.floor(i / 2) * 1_000) });
          if (i % 4 === 0)
            await journal.transition(id, record.version, { payment: outcome('succeeded', null) });
        }
        await journal.create(payment('none-sent', { createdAt: at(2_000) }));
        const all = await journal.list();
        expect(all.map((r) => r.paymentId)).toEqual([
          ...ids.slice(0, 4),
          ...['none-sent', ...ids.slice(4, 6)].sort(),
          ...ids.slice(6),
        ]);
        expect((await journal.list({ provider: 'vf-b' })).map((r) => r.paymentId)).toEqual([
          'p00',
          'p03',
          'p06',
          'p09',
        ]);
        expect((await journal.list({ final: true })).map((r) => r.paymentId)).toEqual(['p00', 'p04', 'p08']);
        expect((await journal.list({ from: at(1_000), to: at(3_000) })).map((r) => r.paymentId)).toEqual([
          'p02',
          'p03',
          'none-sent',
          'p04',
          'p05',
        ]);
        const pages: string[][] = [];
        let after: { createdAt: string; paymentId: string } | undefined;
        for (;;) {
          const page = await journal.list({ limit: 5, ...(after ? { after } : {}) });
          if (page.length === 0) break;
          pages.push(page.map((r) => r.paymentId));
          const last = page[page.length - 1]!;
          after = { createdAt: last.createdAt, paymentId: last.paymentId };
        }
        expect(pages.map((p) => p.length)).toEqual([5, 5, 3]);
        expect(pages.flat()).toEqual(all.map((r) => r.paymentId));
      },
    ),

    check('openSummary groups open payments by provider and state', async (journal) => {
      await journal.create(payment('nothing-sent', { createdAt: at(5) }));
      const a = await opened(journal, 'a-pending', 'vf-a', { createdAt: at(2) });
      await journal.transition('a-pending', a.version, { payment: outcome('pending', null), stuck: true });
      const b = await opened(journal, 'a-pending-2', 'vf-a', { createdAt: at(1) });
      await journal.transition('a-pending-2', b.version, { payment: outcome('pending', null) });
      await opened(journal, 'b-unknown', 'vf-b', { createdAt: at(3) });
      const done = await opened(journal, 'done', 'vf-a');
      await journal.transition('done', done.version, { payment: outcome('succeeded', null) });
      const groups = await journal.openSummary();
      const sorted = [...groups].sort((x, y) =>
        `${x.provider}${x.state}`.localeCompare(`${y.provider}${y.state}`),
      );
      expect(sorted).toEqual([
        { provider: null, state: 'unknown', count: 1, stuck: 0, oldestCreatedAt: at(5).toISOString() },
        { provider: 'vf-a', state: 'pending', count: 2, stuck: 1, oldestCreatedAt: at(1).toISOString() },
        { provider: 'vf-b', state: 'unknown', count: 1, stuck: 0, oldestCreatedAt: at(3).toISOString() },
      ]);
    }),

    check('returned records are copies', async (journal) => {
      const { record } = await journal.create(payment('p1'));
      record.amount = '999.00';
      record.attempts.push({} as never);
      expect(await journal.get('p1')).toMatchObject({ amount: '100.00', attempts: [] });
    }),

    check(
      'an identity, when the journal has one, is a label-safe string another journal does not share',
      async (journal) => {
        if (journal.identity === undefined) return;
        expect(journal.identity).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        const another = await options.createJournal();
        try {
          expect(another.identity).not.toBe(journal.identity);
        } finally {
          await another.close();
        }
      },
    ),
  ];

  if (options.reopen) {
    const reopen = options.reopen;
    checks.push(
      check('everything survives a reopen', async (journal, hold) => {
        const p1 = await opened(journal, 'p1', 'vf-a', {
          details: { services: [{ serviceId: '13', amount: '60.00' }] },
        });
        const pending = await journal.transition('p1', p1.version, {
          attempt: {
            no: 1,
            update: { ...outcome('pending', null, '3'), providerRequestId: '638405063993273260' },
          },
          payment: outcome('pending', null, '3'),
          resend: { no: 1 },
          stuck: true,
          at: at(5),
        });
        const p2 = await opened(journal, 'p2', 'vf-b');
        const done = await journal.transition('p2', p2.version, {
          payment: outcome('failed', 'account_not_found', '-105'),
        });
        await journal.create(payment('p3'));
        const [leased] = await journal.claimDue({
          now: at(10_000),
          owner: 'router-a',
          leaseMs: 60_000,
          limit: 1,
        });
        expect(leased?.paymentId).toBe('p1');
        const before = await journal.list();

        const reopened = await reopen(journal);
        hold(reopened);
        expect(await reopened.list()).toEqual(before);
        expect(await reopened.get('p1')).toEqual(leased);
        expect(leased?.attempts[0]).toMatchObject({ sends: 2, providerRequestId: '638405063993273260' });
        expect(pending.stuckAt).not.toBeNull();
        expect(await reopened.get('p2')).toEqual(done);
        expect((await reopened.findByTransaction('vf-a', txOf(p1)))?.paymentId).toBe('p1');
        expect((await reopened.findByTransaction('vf-b', txOf(p2, 'vf-b')))?.paymentId).toBe('p2');
        // The lease is durable too: nobody else gets p1 before it expires.
        expect(
          (await reopened.claimDue({ now: at(10_000), owner: 'router-b', leaseMs: 60_000, limit: 5 })).map(
            (r) => r.paymentId,
          ),
        ).toEqual(['p3']);
        await conflict(reopened.create(payment('p1', { amount: '1.00' })));
        await conflict(reopened.transition('p2', done.version, { payment: outcome('succeeded', null) }));
      }),

      check(
        'keeps its identity across a reopen (every instance on the store reports the same one)',
        async (journal, hold) => {
          const before = journal.identity;
          const reopened = await reopen(journal);
          hold(reopened);
          expect(reopened.identity).toBe(before);
        },
      ),

      check('transaction ids keep increasing across reopens and are never reused', async (journal, hold) => {
        const seen: bigint[] = [];
        let current = journal;
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 5; i++) seen.push(BigInt(txOf(await opened(current, `r${round}-${i}`))));
          current = await reopen(current);
          hold(current);
        }
        for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!, `id ${i} increases`).toBe(true);
        const record = await opened(current, 'last');
        expect(BigInt(txOf(record)) > seen[seen.length - 1]!).toBe(true);
      }),
    );
  }
  // Capabilities in files of their own.
  checks.push(...voucherChecks(options), ...historyChecks(options), ...submissionChecks(options));
  return checks;
}
