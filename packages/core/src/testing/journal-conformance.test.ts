import { describe, expect, it } from 'vitest';
import { JournalConflictError, ValidationError } from '../errors.js';
import type { PaymentJournal } from '../journal.js';
import { createMemoryJournal } from '../memory-journal.js';
import { journalChecks } from './journal-checks.js';
import { runJournalConformance } from './journal-conformance.js';

runJournalConformance({ name: 'memory', createJournal: () => createMemoryJournal() });

type Flaw =
  | 'no-cas'
  | 'double-claim'
  | 'final-changes'
  | 'reuses-ids'
  | 'writes-then-refuses'
  | 'forgets-voucher'
  | 'replaces-voucher'
  | 'stores-any-voucher'
  | 'claim-drops-voucher'
  | 'forgets-history'
  | 'history-outside-transaction'
  | 'history-on-bookkeeping'
  | 'shares-history'
  | 'reorders-history'
  | 'reopens-accepted-chunk'
  | 'submission-no-cas'
  | 'overwrites-submission';

/**
 * A journal that forgets to compare versions, double-claims, lets a final payment change, reuses ids,
 * writes a malformed payment (with a made-up date) and then says ValidationError: "nothing written", or
 * mishandles vouchers.
 */
function broken(flaw: Flaw): PaymentJournal {
  const inner = createMemoryJournal();
  const journal: PaymentJournal = {
    create: async (p) => {
      if (flaw !== 'writes-then-refuses' || !Number.isNaN(p.nextCheckAt.getTime())) return inner.create(p);
      await inner.create({ ...p, nextCheckAt: p.createdAt });
      throw new ValidationError('nextCheckAt', 'a valid Date is required');
    },
    get: (id) => inner.get(id),
    findByTransaction: (p, t) => inner.findByTransaction(p, t),
    openAttempt: (id, version, attempt) => inner.openAttempt(id, version, attempt),
    transition: async (id, version, change) => {
      const current = await inner.get(id);
      if (flaw === 'forgets-voucher' || (flaw === 'stores-any-voucher' && change.voucher)) {
        const { voucher: _dropped, ...rest } = change;
        return inner.transition(id, version, rest);
      }
      if (flaw === 'replaces-voucher' && current?.voucher && change.voucher) {
        const next = await inner.transition(id, version, change);
        return { ...next, voucher: change.voucher };
      }
      if (flaw === 'no-cas' && current) return inner.transition(id, current.version, change);
      if (flaw === 'final-changes' && current?.final && change.payment) {
        return { ...current, ...change.payment, version: current.version + 1 };
      }
      return inner.transition(id, version, change);
    },
    claimDue: async (options) => {
      if (flaw === 'claim-drops-voucher')
        return (await inner.claimDue(options)).map((record) => ({ ...record, voucher: null }));
      if (flaw !== 'double-claim') return inner.claimDue(options);
      const due = (await inner.list({ final: false })).filter(
        (r) => r.nextCheckAt !== null && Date.parse(r.nextCheckAt) <= options.now.getTime(),
      );
      await new Promise((resolve) => setImmediate(resolve));
      return due.slice(0, options.limit);
    },
    list: (q) => inner.list(q),
    openSummary: () => inner.openSummary(),
    history: async (id) => {
      const entries = await inner.history(id);
      if (flaw === 'forgets-history') return entries.slice(0, 2);
      if (flaw === 'reorders-history') return [...entries].sort((a, b) => a.event.localeCompare(b.event));
      if (flaw === 'shares-history') {
        const kept = shared.get(id) ?? entries;
        shared.set(id, kept);
        return kept;
      }
      return entries;
    },
    appendHistory: (id, note) => inner.appendHistory(id, note),
    startSubmission: async (input) => {
      if (flaw !== 'overwrites-submission') return inner.startSubmission(input);
      const { submission } = await inner.startSubmission({ ...input, revision: input.revision + 100 });
      return { submission: { ...submission, revision: input.revision, digest: input.digest }, created: true };
    },
    updateSubmission: async (key, version, update) => {
      const [current] = await inner.submissions(key);
      const chunk = current?.chunks.find((c) => c.index === update.index);
      if (flaw === 'reopens-accepted-chunk' && current && chunk?.status === 'accepted') {
        return { ...current, version: current.version + 1 };
      }
      if (flaw === 'submission-no-cas') {
        // Retries a stale version with whatever is stored now, instead of refusing it.
        for (;;) {
          const [fresh] = await inner.submissions(key);
          try {
            return await inner.updateSubmission(key, fresh?.version ?? version, update);
          } catch (error) {
            if (!JournalConflictError.is(error) || !error.message.includes('version')) throw error;
          }
        }
      }
      return inner.updateSubmission(key, version, update);
    },
    submissions: (q) => inner.submissions(q),
    close: () => inner.close(),
  };
  const shared = new Map<string, Awaited<ReturnType<PaymentJournal['history']>>>();
  if (flaw === 'history-outside-transaction') {
    journal.transition = async (id, version, change) => {
      const current = await inner.get(id);
      if (current !== null && current.version !== version) {
        await inner.appendHistory(id, { event: 'note', actor: { kind: 'router', name: 'eager' } });
      }
      return inner.transition(id, version, change);
    };
  }
  if (flaw === 'history-on-bookkeeping') {
    journal.claimDue = async (options) => {
      const claimed = await inner.claimDue(options);
      for (const record of claimed)
        await inner.appendHistory(record.paymentId, {
          event: 'note',
          actor: { kind: 'finalizer', name: options.owner },
        });
      return claimed;
    };
  }
  if (flaw === 'reuses-ids') {
    journal.openAttempt = async (id, version, attempt) => {
      const record = await inner.openAttempt(id, version, attempt);
      return { ...record, attempts: record.attempts.map((a) => ({ ...a, transactionId: '42' })) };
    };
  }
  return journal;
}

describe('the journal suite fails a broken journal', () => {
  it.each([
    ['no-cas', 'transition is compare-and-set: a stale version is refused and changes nothing'],
    ['double-claim', 'concurrent claimDue from many owners claims each payment once'],
    ['final-changes', 'a final payment never changes'],
    ['reuses-ids', 'transaction ids are distinct across payments, also when allocated concurrently'],
    [
      'writes-then-refuses',
      'create refuses a malformed payment with ValidationError naming the field, and writes nothing',
    ],
    [
      'forgets-voucher',
      'vouchers: a sealed voucher is kept exactly, in the write that made the payment succeed',
    ],
    ['replaces-voucher', 'vouchers: written once, a later voucher never replaces the first'],
    ['stores-any-voucher', 'vouchers: a malformed sealed voucher is refused and nothing changes'],
    ['claim-drops-voucher', 'vouchers: every later write and claim carries the voucher along'],
    [
      'forgets-history',
      'history: every change appends one entry, in order, with before → after, and replays to the record',
    ],
    [
      'reorders-history',
      'history: every change appends one entry, in order, with before → after, and replays to the record',
    ],
    ['history-outside-transaction', 'history: a refused write appends nothing'],
    ['history-on-bookkeeping', 'history: bookkeeping (claims, leases, schedules) appends nothing'],
    ['shares-history', 'history: returned entries are copies'],
    [
      'reopens-accepted-chunk',
      'submissions: chunk progress is compare-and-set, and an accepted chunk never changes',
    ],
    ['submission-no-cas', 'submissions: concurrent updates from one version: exactly one wins'],
    [
      'overwrites-submission',
      'submissions: start is idempotent on key, revision and content; other content is a conflict',
    ],
  ] as const)('%s fails "%s"', async (flaw, name) => {
    const check = journalChecks({ name: flaw, createJournal: () => broken(flaw) }).find(
      (c) => c.name === name,
    );
    expect(check, name).toBeDefined();
    await expect(check!.run()).rejects.toThrow();
  });

  it('fails a journal whose identity every store shares, or whose identity changes on a reopen', async () => {
    const shared = (): PaymentJournal => Object.assign(createMemoryJournal(), { identity: 'everyone' });
    const sharing = journalChecks({ name: 'shared', createJournal: shared }).find((c) =>
      c.name.startsWith('an identity, when the journal has one'),
    );
    await expect(sharing!.run()).rejects.toThrow();
    const drifting = journalChecks({
      name: 'drifting',
      createJournal: () => createMemoryJournal(),
      reopen: async (journal) => {
        await journal.close();
        return createMemoryJournal();
      },
    }).find((c) => c.name.startsWith('keeps its identity across a reopen'));
    await expect(drifting!.run()).rejects.toThrow();
  });

  it('restart checks exist only when reopen is given', () => {
    const without = journalChecks({ name: 'x', createJournal: () => createMemoryJournal() }).length;
    const withReopen = journalChecks({
      name: 'x',
      createJournal: () => createMemoryJournal(),
      reopen: async (journal) => journal,
    }).length;
    // Two restart checks of the core suite, one each of the identity, voucher, history and submission capabilities.
    expect(withReopen).toBe(without + 6);
  });
});
