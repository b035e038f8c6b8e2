/**
 * The journal's history capability (architecture §4.8): every write that changes a payment appends one
 * entry in the same transaction, in order, built by core's rules; bookkeeping writes append nothing; a
 * refused write appends nothing; entries are never changed. Every PaymentJournal must pass these;
 * `journalChecks` includes them.
 */
import { expect } from 'vitest';
import type { Audit, HistoryEntry } from '../audit.js';
import { JournalConflictError, ValidationError } from '../errors.js';
import type { NewPayment, PaymentJournal, PaymentRecord, SealedVoucher } from '../journal.js';
import { replayHistory, replayTarget } from '../journal-history.js';
import { outcome } from '../model.js';
import { type ConformanceCheck, checksOnFresh } from './conformance-check.js';
import type { JournalConformanceOptions } from './journal-checks.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const ROUTER: Audit = { actor: { kind: 'router', name: 'host-a:41:x1' }, reason: 'pay' };
const FINALIZER: Audit = { actor: { kind: 'finalizer', name: 'host-a:41:x1' }, reason: 'status_check' };
const SEALED: SealedVoucher = {
  keyId: 'k2',
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'q83vASNFZ4mrze8BI0VniavN7wE=',
  tag: 'EBESExQVFhcYGRobHB0eHw==',
};

function payment(paymentId: string, overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: at(10_000),
    audit: ROUTER,
    ...overrides,
  };
}

async function opened(journal: PaymentJournal, paymentId: string): Promise<PaymentRecord> {
  const { record } = await journal.create(payment(paymentId));
  return journal.openAttempt(paymentId, record.version, {
    provider: 'vf-a',
    serviceId: '7',
    at: at(1),
    audit: ROUTER,
  });
}

async function refused(call: Promise<unknown>, kind: 'conflict' | 'validation'): Promise<unknown> {
  let error: unknown = null;
  try {
    await call;
  } catch (caught) {
    error = caught;
  }
  const is = kind === 'conflict' ? JournalConflictError.is(error) : ValidationError.is(error);
  expect(is, `expected a ${kind} error, got ${String(error)}`).toBe(true);
  return error;
}

/** The history replays, entry by entry, to the record as it is now. */
async function expectReplays(journal: PaymentJournal, paymentId: string): Promise<HistoryEntry[]> {
  const entries = await journal.history(paymentId);
  const record = await journal.get(paymentId);
  expect(record, paymentId).not.toBeNull();
  expect(replayHistory(entries)).toEqual(replayTarget(record!));
  return entries;
}

export function historyChecks(options: JournalConformanceOptions): ConformanceCheck[] {
  const check = checksOnFresh(() => options.createJournal());

  const checks: ConformanceCheck[] = [
    check(
      'history: create appends "created" with its actor; a repeated create appends nothing',
      async (journal) => {
        expect(await journal.history('h1')).toEqual([]);
        const { record } = await journal.create(payment('h1'));
        await journal.create(payment('h1', { audit: FINALIZER }));
        const entries = await journal.history('h1');
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          paymentId: 'h1',
          seq: 1,
          at: T0.toISOString(),
          event: 'created',
          actor: ROUTER.actor,
          version: record.version,
          reason: 'pay',
          payment: { before: null, after: { state: 'unknown', final: false, attempts: 0, checks: 0 } },
          attempts: [],
        });
        // Without an audit the write is still recorded, as unattributed.
        await journal.create(payment('h2', { audit: undefined }));
        expect((await journal.history('h2'))[0]?.actor).toEqual({ kind: 'router', name: 'unattributed' });
      },
    ),

    check(
      'history: openAttempt appends "attempt_opened"; the same provider again appends nothing',
      async (journal) => {
        const record = await opened(journal, 'h1');
        await journal.openAttempt('h1', record.version, {
          provider: 'vf-a',
          serviceId: '7',
          audit: FINALIZER,
        });
        const entries = await expectReplays(journal, 'h1');
        expect(entries.map((e) => e.event)).toEqual(['created', 'attempt_opened']);
        expect(entries[1]).toMatchObject({
          seq: 2,
          at: at(1).toISOString(),
          actor: ROUTER.actor,
          version: record.version,
          attempts: [
            {
              no: 1,
              before: null,
              after: {
                no: 1,
                provider: 'vf-a',
                state: 'unknown',
                sends: 1,
                transactionId: record.attempts[0]?.transactionId,
              },
            },
          ],
        });
      },
    ),

    check(
      'history: every change appends one entry, in order, with before → after, and replays to the record',
      async (journal) => {
        let record = await opened(journal, 'h1');
        const pending = outcome('pending', null, '3', 'processing');
        record = await journal.transition('h1', record.version, {
          attempt: { no: 1, update: { ...pending, providerRequestId: '638405063993273260' } },
          payment: pending,
          at: at(2),
          audit: { ...ROUTER, answer: pending },
        });
        record = await journal.transition('h1', record.version, {
          resend: { no: 1 },
          at: at(3),
          audit: FINALIZER,
        });
        record = await journal.transition('h1', record.version, {
          countCheck: true,
          nextCheckAt: at(20_000),
          at: at(4),
          audit: { ...FINALIZER, answer: pending },
        });
        record = await journal.transition('h1', record.version, {
          countCheck: true,
          stuck: true,
          at: at(5),
          audit: FINALIZER,
        });
        const done = outcome('succeeded', null, '10', 'ok');
        record = await journal.transition('h1', record.version, {
          attempt: { no: 1, update: done },
          payment: done,
          voucher: SEALED,
          at: at(6),
          audit: { actor: { kind: 'callback', name: 'host-a:41:x1' }, reason: 'callback', answer: done },
        });
        const entries = await expectReplays(journal, 'h1');
        expect(entries.map((e) => [e.seq, e.event, e.actor.kind])).toEqual([
          [1, 'created', 'router'],
          [2, 'attempt_opened', 'router'],
          [3, 'outcome', 'router'],
          [4, 'resent', 'finalizer'],
          [5, 'checked', 'finalizer'],
          [6, 'escalated', 'finalizer'],
          [7, 'outcome', 'callback'],
        ]);
        expect(entries.map((e) => e.at)).toEqual([0, 1, 2, 3, 4, 5, 6].map((ms) => at(ms).toISOString()));
        expect(entries[6]?.version).toBe(record.version);
        expect(entries[2]).toMatchObject({
          payment: { before: { state: 'unknown' }, after: { state: 'pending', providerStatus: '3' } },
          attempts: [
            {
              no: 1,
              before: { state: 'unknown' },
              after: { state: 'pending', providerRequestId: '638405063993273260' },
            },
          ],
          answer: pending,
        });
        expect(entries[3]?.attempts[0]).toMatchObject({ before: { sends: 1 }, after: { sends: 2 } });
        expect(entries[4]?.payment).toMatchObject({ before: { checks: 0 }, after: { checks: 1 } });
        expect(entries[5]?.payment).toMatchObject({ before: { stuck: false }, after: { stuck: true } });
        expect(entries[6]?.payment.after).toMatchObject({
          state: 'succeeded',
          final: true,
          voucherKept: true,
        });
        // The history holds whether a voucher is kept, never the sealed code.
        const text = JSON.stringify(entries);
        for (const part of [SEALED.ciphertext, SEALED.iv, SEALED.tag]) expect(text).not.toContain(part);
      },
    ),

    check(
      'history: a person making a payment final is "resolved", with note and evidence',
      async (journal) => {
        const record = await opened(journal, 'h1');
        const failed = outcome('failed', 'not_found', '-4', 'resolved by operator');
        await journal.transition('h1', record.version, {
          attempt: { no: 1, update: failed },
          payment: failed,
          at: at(7),
          audit: {
            actor: { kind: 'operator', name: 'Aigerim N.' },
            reason: 'resolution',
            note: 'the provider says it never got it',
            evidence: 'ticket VF-1234\nconfirmed by phone',
            answer: outcome('unknown', 'not_found', '-4', 'Транзакция не найдена'),
          },
        });
        const entries = await expectReplays(journal, 'h1');
        expect(entries[2]).toMatchObject({
          event: 'resolved',
          actor: { kind: 'operator', name: 'Aigerim N.' },
          note: 'the provider says it never got it',
          evidence: 'ticket VF-1234\nconfirmed by phone',
          answer: { state: 'unknown', reason: 'not_found', providerStatus: '-4' },
          payment: { before: { final: false }, after: { state: 'failed', final: true } },
        });
      },
    ),

    check('history: bookkeeping (claims, leases, schedules) appends nothing', async (journal) => {
      const record = await opened(journal, 'h1');
      const [claimed] = await journal.claimDue({
        now: at(20_000),
        owner: 'router-a',
        leaseMs: 60_000,
        limit: 5,
      });
      expect(claimed?.paymentId).toBe('h1');
      let next = await journal.transition('h1', claimed!.version, {
        releaseLease: 'router-a',
        audit: FINALIZER,
      });
      next = await journal.transition('h1', next.version, { nextCheckAt: at(30_000), audit: FINALIZER });
      expect(next.version).toBe(record.version + 3);
      expect((await journal.history('h1')).map((e) => e.event)).toEqual(['created', 'attempt_opened']);
      await expectReplays(journal, 'h1');
    }),

    check('history: a refused write appends nothing', async (journal) => {
      const record = await opened(journal, 'h1');
      const before = await journal.history('h1');
      await refused(
        journal.transition('h1', record.version - 1, { countCheck: true, audit: FINALIZER }),
        'conflict',
      );
      await refused(
        journal.transition('h1', record.version, {
          countCheck: true,
          audit: { actor: { kind: 'robot', name: 'x' } } as unknown as Audit,
        }),
        'validation',
      );
      await refused(
        journal.transition('h1', record.version, {
          countCheck: true,
          audit: { actor: { kind: 'operator', name: '' } },
        }),
        'validation',
      );
      await refused(
        journal.transition('h1', record.version, {
          voucher: { keyId: 'k2' } as SealedVoucher,
          audit: FINALIZER,
        }),
        'validation',
      );
      const malformedCreate = (await refused(
        journal.create(payment('h2', { audit: { actor: { kind: 'router' } } as unknown as Audit })),
        'validation',
      )) as ValidationError;
      expect(malformedCreate.field).toBe('audit.actor.name');
      expect(await journal.get('h2')).toBeNull();
      expect(await journal.history('h2')).toEqual([]);
      const done = await journal.transition('h1', record.version, {
        payment: outcome('failed', 'account_not_found'),
      });
      await refused(
        journal.transition('h1', done.version, { payment: outcome('succeeded', null) }),
        'conflict',
      );
      expect(await journal.history('h1')).toHaveLength(before.length + 1);
      expect(await journal.get('h1')).toEqual(done);
      await expectReplays(journal, 'h1');
    }),

    check('history: appendHistory records without changing the payment', async (journal) => {
      const record = await opened(journal, 'h1');
      const entry = await journal.appendHistory('h1', {
        event: 'callback',
        actor: { kind: 'callback', name: 'host-a:41:x1' },
        reason: 'unchanged',
        answer: outcome('pending', null, '3'),
        at: at(9),
      });
      expect(entry).toMatchObject({
        seq: 3,
        event: 'callback',
        at: at(9).toISOString(),
        version: record.version,
      });
      expect(entry.payment.before).toEqual(entry.payment.after);
      expect(entry.attempts).toEqual([]);
      expect(await journal.get('h1')).toEqual(record);
      expect((await journal.history('h1'))[2]).toEqual(entry);
      await refused(journal.appendHistory('missing', { event: 'note', actor: ROUTER.actor }), 'conflict');
      const bad = [
        { event: 'outcome', actor: ROUTER.actor },
        { event: 'note' },
        { event: 'note', actor: ROUTER.actor, note: '' },
        { event: 'note', actor: ROUTER.actor, colour: 'red' },
        { event: 'note', actor: ROUTER.actor, at: new Date(Number.NaN) },
      ];
      for (const note of bad) await refused(journal.appendHistory('h1', note as never), 'validation');
      expect(await journal.history('h1')).toHaveLength(3);
      await expectReplays(journal, 'h1');
    }),

    check(
      'history: concurrent writes and appends get distinct, consecutive sequence numbers',
      async (journal) => {
        let record = await opened(journal, 'h1');
        const appends = Array.from({ length: 12 }, (_, i) =>
          journal.appendHistory('h1', { event: 'note', actor: ROUTER.actor, note: `note ${i}` }),
        );
        const writes = (async () => {
          for (let i = 0; i < 6; i++) {
            record = await journal.transition('h1', record.version, { countCheck: true, audit: FINALIZER });
          }
        })();
        await Promise.all([...appends, writes]);
        const entries = await expectReplays(journal, 'h1');
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(entries.filter((e) => e.event === 'checked').map((e) => e.payment.after.checks)).toEqual([
          1, 2, 3, 4, 5, 6,
        ]);
      },
    ),

    check('history: returned entries are copies', async (journal) => {
      await opened(journal, 'h1');
      const entries = await journal.history('h1');
      entries[0]!.actor.name = 'someone else';
      entries.pop();
      expect((await journal.history('h1')).map((e) => e.actor.name)).toEqual([
        ROUTER.actor.name,
        ROUTER.actor.name,
      ]);
    }),
  ];

  if (options.reopen) {
    const reopen = options.reopen;
    checks.push(
      check('history: survives a reopen and carries on from where it was', async (journal, hold) => {
        const record = await opened(journal, 'h1');
        const before = await journal.history('h1');
        const reopened = await reopen(journal);
        hold(reopened);
        expect(await reopened.history('h1')).toEqual(before);
        await reopened.transition('h1', record.version, { resend: { no: 1 }, audit: FINALIZER });
        expect((await expectReplays(reopened, 'h1')).map((e) => e.seq)).toEqual([1, 2, 3]);
      }),
    );
  }
  return checks;
}
