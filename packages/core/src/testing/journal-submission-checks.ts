/**
 * The journal's registry-submission capability (end of day): a submission per provider, day, kind and
 * revision, started idempotently, with per-chunk progress written compare-and-set, in which an accepted
 * chunk never changes. Every PaymentJournal must pass these; `journalChecks` includes them.
 */
import { expect } from 'vitest';
import type { AuditActor } from '../audit.js';
import { JournalConflictError, ValidationError } from '../errors.js';
import { outcome } from '../model.js';
import type { NewSubmission } from '../registry-submission.js';
import { type ConformanceCheck, checksOnFresh } from './conformance-check.js';
import type { JournalConformanceOptions } from './journal-checks.js';

const T0 = new Date('2030-01-01T21:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const OPERATOR: AuditActor = { kind: 'operator', name: 'Aigerim N.' };
const hex = (digit: string) => digit.repeat(64);

function registry(overrides: Partial<NewSubmission> = {}): NewSubmission {
  return {
    provider: 'vf-a',
    date: '2030-01-01',
    kind: 'registry',
    revision: 1,
    digest: hex('a'),
    count: 2500,
    amount: '250000.00',
    chunks: [
      { offset: 0, size: 1000, digest: hex('1') },
      { offset: 1000, size: 1000, digest: hex('2') },
      { offset: 2000, size: 500, digest: hex('3') },
    ],
    actor: OPERATOR,
    at: T0,
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

export function submissionChecks(options: JournalConformanceOptions): ConformanceCheck[] {
  const check = checksOnFresh(() => options.createJournal());
  const key = { provider: 'vf-a', date: '2030-01-01', kind: 'registry' as const, revision: 1 };

  const checks: ConformanceCheck[] = [
    check(
      'submissions: start is idempotent on key, revision and content; other content is a conflict',
      async (journal) => {
        const first = await journal.startSubmission(registry());
        expect(first.created).toBe(true);
        expect(first.submission).toMatchObject({
          provider: 'vf-a',
          date: '2030-01-01',
          kind: 'registry',
          revision: 1,
          digest: hex('a'),
          count: 2500,
          amount: '250000.00',
          createdAt: T0.toISOString(),
          createdBy: OPERATOR,
          force: null,
          completedAt: null,
          version: 1,
        });
        expect(first.submission.chunks.map((c) => [c.index, c.offset, c.size, c.status, c.sends])).toEqual([
          [0, 0, 1000, 'unsent', 0],
          [1, 1000, 1000, 'unsent', 0],
          [2, 2000, 500, 'unsent', 0],
        ]);
        const again = await journal.startSubmission(
          registry({ actor: { kind: 'router', name: 'r2' }, at: at(5) }),
        );
        expect(again).toEqual({ submission: first.submission, created: false });
        expect((await conflict(journal.startSubmission(registry({ digest: hex('b') })))).fields).toEqual([
          'digest',
        ]);
        const forced = await journal.startSubmission(
          registry({ revision: 2, digest: hex('b'), force: { reason: 'a late payment of the day' } }),
        );
        expect(forced.submission).toMatchObject({
          revision: 2,
          force: { reason: 'a late payment of the day' },
        });
        const totals = await journal.startSubmission(
          registry({ kind: 'totals', count: 2500, chunks: [{ offset: 0, size: 1, digest: hex('4') }] }),
        );
        expect(totals.created).toBe(true);
        expect(
          (await journal.submissions({ provider: 'vf-a', date: '2030-01-01' })).map((s) => [
            s.kind,
            s.revision,
          ]),
        ).toEqual([
          ['registry', 1],
          ['registry', 2],
          ['totals', 1],
        ]);
      },
    ),

    check('submissions: a malformed submission is refused and nothing is written', async (journal) => {
      const cases: [Partial<NewSubmission>, string][] = [
        [{ date: '2030-1-1' }, 'date'],
        [{ kind: 'monthly' as never }, 'kind'],
        [{ revision: 0 }, 'revision'],
        [{ digest: 'not hex' }, 'digest'],
        [{ chunks: [] }, 'chunks'],
        [{ chunks: [{ offset: 5, size: 1, digest: hex('1') }] }, 'chunks.0'],
        [{ actor: { kind: 'operator', name: '' } }, 'actor.name'],
        [{ force: { reason: ' ' } }, 'force.reason'],
      ];
      for (const [overrides, field] of cases) {
        let error: unknown = null;
        try {
          await journal.startSubmission(registry(overrides));
        } catch (caught) {
          error = caught;
        }
        expect(ValidationError.is(error), `${field}: ${String(error)}`).toBe(true);
        expect((error as ValidationError).field).toBe(field);
      }
      expect(await journal.submissions()).toEqual([]);
    }),

    check(
      'submissions: chunk progress is compare-and-set, and an accepted chunk never changes',
      async (journal) => {
        let { submission } = await journal.startSubmission(registry());
        const sending = await journal.updateSubmission(key, submission.version, {
          index: 0,
          status: 'sending',
          actor: OPERATOR,
          at: at(1),
        });
        expect(sending.chunks[0]).toMatchObject({
          status: 'sending',
          sends: 1,
          sentAt: at(1).toISOString(),
          sentBy: OPERATOR,
        });
        await conflict(
          journal.updateSubmission(key, submission.version, {
            index: 1,
            status: 'sending',
            actor: OPERATOR,
            at: at(1),
          }),
        );
        const accepted = outcome('succeeded', null, 'success', 'Реестр успешно загружен');
        submission = await journal.updateSubmission(key, sending.version, {
          index: 0,
          status: 'accepted',
          outcome: accepted,
          actor: OPERATOR,
          at: at(2),
        });
        expect(submission.chunks[0]).toMatchObject({
          status: 'accepted',
          outcome: accepted,
          answeredAt: at(2).toISOString(),
        });
        await conflict(
          journal.updateSubmission(key, submission.version, {
            index: 0,
            status: 'sending',
            actor: OPERATOR,
            at: at(3),
          }),
        );
        await conflict(
          journal.updateSubmission(key, submission.version, {
            index: 1,
            status: 'accepted',
            actor: OPERATOR,
            at: at(3),
          }),
        );
        await conflict(
          journal.updateSubmission(key, submission.version, {
            index: 7,
            status: 'sending',
            actor: OPERATOR,
            at: at(3),
          }),
        );
        await conflict(
          journal.updateSubmission({ ...key, revision: 9 }, submission.version, {
            index: 0,
            status: 'sending',
            actor: OPERATOR,
            at: at(3),
          }),
        );
        // An unknown answer is sent again later; a refused one too.
        for (const [index, status] of [
          [1, 'unknown'],
          [2, 'refused'],
        ] as const) {
          submission = await journal.updateSubmission(key, submission.version, {
            index,
            status: 'sending',
            actor: OPERATOR,
            at: at(4),
          });
          submission = await journal.updateSubmission(key, submission.version, {
            index,
            status,
            outcome:
              status === 'unknown'
                ? outcome('unknown', 'timeout')
                : outcome('failed', 'request_failed', 'error'),
            actor: OPERATOR,
            at: at(5),
          });
        }
        expect(submission.completedAt).toBeNull();
        for (const index of [1, 2]) {
          submission = await journal.updateSubmission(key, submission.version, {
            index,
            status: 'sending',
            actor: OPERATOR,
            at: at(6),
          });
          submission = await journal.updateSubmission(key, submission.version, {
            index,
            status: 'accepted',
            outcome: accepted,
            actor: OPERATOR,
            at: at(7),
          });
        }
        expect(submission.completedAt).toBe(at(7).toISOString());
        expect(submission.chunks.map((c) => [c.status, c.sends])).toEqual([
          ['accepted', 1],
          ['accepted', 2],
          ['accepted', 2],
        ]);
        const [stored] = await journal.submissions({ kind: 'registry' });
        expect(stored).toEqual(submission);
      },
    ),

    check('submissions: concurrent updates from one version: exactly one wins', async (journal) => {
      const { submission } = await journal.startSubmission(registry());
      const results = await Promise.allSettled(
        [0, 1, 2, 0, 1, 2].map((index) =>
          journal.updateSubmission(key, submission.version, {
            index,
            status: 'sending',
            actor: OPERATOR,
            at: at(1),
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(JournalConflictError.is(r.reason)).toBe(true);
      const [stored] = await journal.submissions();
      expect(stored?.version).toBe(submission.version + 1);
      expect(stored?.chunks.reduce((sum, c) => sum + c.sends, 0)).toBe(1);
    }),

    check('submissions: queries filter by provider, date and kind, and return copies', async (journal) => {
      await journal.startSubmission(registry());
      await journal.startSubmission(registry({ provider: 'vf-b' }));
      await journal.startSubmission(registry({ date: '2030-01-02' }));
      expect((await journal.submissions()).map((s) => `${s.date} ${s.provider}`)).toEqual([
        '2030-01-01 vf-a',
        '2030-01-01 vf-b',
        '2030-01-02 vf-a',
      ]);
      expect(await journal.submissions({ provider: 'vf-c' })).toEqual([]);
      expect(await journal.submissions({ kind: 'totals' })).toEqual([]);
      const [copy] = await journal.submissions({ provider: 'vf-b' });
      copy!.chunks[0]!.status = 'accepted';
      expect((await journal.submissions({ provider: 'vf-b' }))[0]?.chunks[0]?.status).toBe('unsent');
    }),
  ];

  if (options.reopen) {
    const reopen = options.reopen;
    checks.push(
      check('submissions: progress survives a reopen', async (journal, hold) => {
        const { submission } = await journal.startSubmission(registry());
        const sending = await journal.updateSubmission(key, submission.version, {
          index: 0,
          status: 'sending',
          actor: OPERATOR,
          at: at(1),
        });
        const reopened = await reopen(journal);
        hold(reopened);
        expect(await reopened.submissions()).toEqual([sending]);
        expect((await reopened.startSubmission(registry())).created).toBe(false);
      }),
    );
  }
  return checks;
}
