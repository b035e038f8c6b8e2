import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { PaymentJournal, PaymentRecord } from '@tolem/core';

/**
 * Everything a journal holds that a command could change: every payment, as `get` returns it, with its
 * history, and every registry submission. Two equal snapshots mean nothing changed.
 */
export async function journalSnapshot(journal: PaymentJournal): Promise<string> {
  const records: PaymentRecord[] = [];
  let after: { createdAt: string; paymentId: string } | undefined;
  for (;;) {
    const page = await journal.list({ limit: 500, ...(after ? { after } : {}) });
    records.push(...page);
    const last = page.at(-1);
    if (page.length < 500 || last === undefined) break;
    after = { createdAt: last.createdAt, paymentId: last.paymentId };
  }
  const full = [];
  for (const record of records) {
    full.push({
      record: await journal.get(record.paymentId),
      history: await journal.history(record.paymentId),
    });
  }
  return JSON.stringify({ payments: full, submissions: await journal.submissions() });
}

/** The bytes of a SQLite journal (its file and, when present, its write-ahead log). */
export function fileDigest(path: string): string {
  const hash = createHash('sha256');
  for (const file of [path, `${path}-wal`]) if (existsSync(file)) hash.update(readFileSync(file));
  return hash.digest('hex');
}
