import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from './audit.js';
import { ValidationError } from './errors.js';
import { baselineEntry, checkedAudit, replayHistory, replayTarget } from './journal-history.js';
import { createMemoryJournal } from './memory-journal.js';
import { outcome } from './model.js';

async function aHistory(): Promise<{
  entries: HistoryEntry[];
  journal: ReturnType<typeof createMemoryJournal>;
}> {
  const journal = createMemoryJournal();
  const { record } = await journal.create({
    paymentId: 'p1',
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: new Date('2030-01-01T00:00:00Z'),
    nextCheckAt: new Date('2030-01-01T00:00:10Z'),
  });
  let next = await journal.openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' });
  next = await journal.transition('p1', next.version, { resend: { no: 1 } });
  await journal.transition('p1', next.version, {
    attempt: { no: 1, update: outcome('succeeded', null, '10') },
    payment: outcome('succeeded', null, '10'),
  });
  return { entries: await journal.history('p1'), journal };
}

describe('replayHistory', () => {
  it('arrives at the record from a complete history', async () => {
    const { entries, journal } = await aHistory();
    expect(replayHistory(entries)).toEqual(replayTarget((await journal.get('p1'))!));
  });

  it('refuses a history with a change left out, reordered, or rewritten', async () => {
    const { entries } = await aHistory();
    const renumber = (list: HistoryEntry[]) => list.map((entry, i) => ({ ...entry, seq: i + 1 }));
    // A resend missing: the next entry's "before" counts sends the replay never saw.
    expect(() => replayHistory(renumber(entries.filter((e) => e.event !== 'resent')))).toThrow(
      /attempt 1 before/,
    );
    expect(() => replayHistory(entries.slice(1))).toThrow(/seq 1|starts with/);
    expect(() => replayHistory([entries[0]!, entries[2]!, entries[1]!, entries[3]!])).toThrow(/seq 2/);
    expect(() => replayHistory(renumber([entries[0]!, entries[2]!, entries[1]!, entries[3]!]))).toThrow();
    const forged = structuredClone(entries);
    forged[3]!.payment.before!.state = 'pending';
    expect(() => replayHistory(forged)).toThrow(/before is not where entry 3 left it/);
    expect(() => replayHistory([])).toThrow(/empty/);
  });

  it('starts from a baseline for a payment older than its history', async () => {
    const { journal } = await aHistory();
    const record = (await journal.get('p1'))!;
    expect(replayHistory([baselineEntry(record, new Date())])).toEqual(replayTarget(record));
  });
});

describe('checkedAudit', () => {
  it.each([
    [{ actor: { kind: 'robot', name: 'x' } }, 'audit.actor.kind'],
    [{ actor: { kind: 'operator', name: ' ' } }, 'audit.actor.name'],
    [{ actor: { kind: 'operator', name: 'a\nb' } }, 'audit.actor.name'],
    [{ actor: { kind: 'operator', name: 'x'.repeat(129) } }, 'audit.actor.name'],
    [{ actor: { kind: 'router', name: 'r' }, reason: 'Status Check' }, 'audit.reason'],
    [{ actor: { kind: 'router', name: 'r' }, note: 'x'.repeat(4001) }, 'audit.note'],
    [{ actor: { kind: 'router', name: 'r' }, evidence: '' }, 'audit.evidence'],
    [{ actor: { kind: 'router', name: 'r' }, answer: { state: 'done' } }, 'audit.answer.state'],
    [
      { actor: { kind: 'router', name: 'r' }, answer: { state: 'failed', reason: 'nope' } },
      'audit.answer.reason',
    ],
    [{ actor: { kind: 'router', name: 'r' }, password: 'x' }, 'audit.password'],
    ['router', 'audit'],
  ])('refuses %j naming %s', (audit, field) => {
    let error: unknown;
    try {
      checkedAudit(audit);
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
  });

  it('keeps a note and evidence over several lines, and fills final from the answer state', () => {
    const audit = checkedAudit({
      actor: { kind: 'operator', name: 'Aigerim N.' },
      note: 'line 1\nline 2\tindented',
      evidence: 'ticket VF-1',
      answer: {
        state: 'failed',
        final: false,
        reason: 'account_not_found',
        providerStatus: '-105',
        message: null,
      },
    });
    expect(audit.note).toBe('line 1\nline 2\tindented');
    expect(audit.answer?.final).toBe(true);
  });
});
