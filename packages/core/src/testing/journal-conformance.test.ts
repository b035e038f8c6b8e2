import { describe, expect, it } from 'vitest';
import type { PaymentJournal } from '../journal.js';
import { createMemoryJournal } from '../memory-journal.js';
import { journalChecks } from './journal-checks.js';
import { runJournalConformance } from './journal-conformance.js';

runJournalConformance({ name: 'memory', createJournal: () => createMemoryJournal() });

/** A journal that forgets to compare versions, double-claims, or lets a final payment change. */
function broken(flaw: 'no-cas' | 'double-claim' | 'final-changes' | 'reuses-ids'): PaymentJournal {
  const inner = createMemoryJournal();
  const journal: PaymentJournal = {
    create: (p) => inner.create(p),
    get: (id) => inner.get(id),
    findByTransaction: (p, t) => inner.findByTransaction(p, t),
    openAttempt: (id, version, attempt) => inner.openAttempt(id, version, attempt),
    transition: async (id, version, change) => {
      const current = await inner.get(id);
      if (flaw === 'no-cas' && current) return inner.transition(id, current.version, change);
      if (flaw === 'final-changes' && current?.final && change.payment) {
        return { ...current, ...change.payment, version: current.version + 1 };
      }
      return inner.transition(id, version, change);
    },
    claimDue: async (options) => {
      if (flaw !== 'double-claim') return inner.claimDue(options);
      const due = (await inner.list({ final: false })).filter(
        (r) => r.nextCheckAt !== null && Date.parse(r.nextCheckAt) <= options.now.getTime(),
      );
      await new Promise((resolve) => setImmediate(resolve));
      return due.slice(0, options.limit);
    },
    list: (q) => inner.list(q),
    openSummary: () => inner.openSummary(),
    close: () => inner.close(),
  };
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
    expect(withReopen).toBe(without + 3);
  });
});
