import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outcome, type PaymentRecord, replayHistory, replayTarget, type SealedVoucher } from '@tolem/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './schema.js';
import { createSqliteJournal } from './sqlite-journal.js';

/**
 * `test/fixtures/journal-v1.db` was written by @tolem/journal-sqlite at schema version 1 (before the
 * voucher column), with `journal-v1.json` holding what its `list()` returned then: five payments in
 * every shape (succeeded, a leased pending voucher, failed over, a declined invoice, nothing sent).
 */
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'tolem-journal-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEALED: SealedVoucher = {
  keyId: 'k1',
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'q83vASNFZ4mrze8BI0VniavN7wE=',
  tag: 'EBESExQVFhcYGRobHB0eHw==',
};

it('a journal file of schema version 1 is migrated in place: every payment intact, vouchers keepable', async () => {
  const path = join(dir, 'journal.db');
  copyFileSync(join(fixtures, 'journal-v1.db'), path);
  const before = JSON.parse(readFileSync(join(fixtures, 'journal-v1.json'), 'utf8')) as PaymentRecord[];
  expect(before).toHaveLength(5);

  const journal = createSqliteJournal({ path, clock: { now: () => new Date('2024-07-09T09:00:10.000Z') } });
  expect(await journal.list()).toEqual(before.map((record) => ({ ...record, voucher: null })));
  for (const record of before) {
    for (const attempt of record.attempts) {
      expect((await journal.findByTransaction(attempt.provider, attempt.transactionId))?.paymentId).toBe(
        record.paymentId,
      );
    }
  }
  // The lease written before the migration still keeps others off; the rest are claimable as before.
  const claimed = await journal.claimDue({
    now: new Date('2024-07-09T09:00:10.000Z'),
    owner: 'router-b',
    leaseMs: 60_000,
    limit: 10,
  });
  expect(claimed.map((record) => record.paymentId).sort()).toEqual(['v1-failed-over', 'v1-nothing-sent']);
  // The transaction-id sequence carries on above the old ids.
  let highest = 0n;
  for (const record of before) {
    for (const attempt of record.attempts) {
      if (BigInt(attempt.transactionId) > highest) highest = BigInt(attempt.transactionId);
    }
  }
  const nothing = claimed.find((record) => record.paymentId === 'v1-nothing-sent')!;
  const opened = await journal.openAttempt(nothing.paymentId, nothing.version, {
    provider: 'vf-a',
    serviceId: '7',
  });
  expect(BigInt(opened.attempts[0]!.transactionId) > highest).toBe(true);
  // A payment from before the migration can have its voucher kept now.
  const pending = (await journal.get('v1-voucher-pending'))!;
  const done = await journal.transition(pending.paymentId, pending.version, {
    attempt: { no: 1, update: outcome('succeeded', null, '10') },
    payment: outcome('succeeded', null, '10'),
    voucher: SEALED,
  });
  expect(done.voucher).toEqual(SEALED);
  await journal.close();

  const db = new Database(path, { readonly: true });
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const columns = (db.pragma('table_info(payments)') as { name: string }[]).map((column) => column.name);
  expect(columns).toContain('voucher');
  db.close();
  const reopened = createSqliteJournal({ path });
  expect((await reopened.get('v1-voucher-pending'))?.voucher).toEqual(SEALED);
  expect((await reopened.get('v1-succeeded'))?.voucher).toBeNull();
  await reopened.close();
});

it('a journal file of schema version 3 gains a history in place: payments intact, each with a baseline entry', async () => {
  // test/fixtures/journal-v3.db was written by this package at schema version 3 (vouchers and the
  // identity, no history); journal-v3.json is what its list() returned then: six payments in every
  // shape (succeeded, a kept voucher, pending and leased, failed over and stuck, declined, nothing sent).
  const path = join(dir, 'journal-v3.db');
  copyFileSync(join(fixtures, 'journal-v3.db'), path);
  const before = JSON.parse(readFileSync(join(fixtures, 'journal-v3.json'), 'utf8')) as PaymentRecord[];
  expect(before).toHaveLength(6);
  const identity = (() => {
    const db = new Database(path, { readonly: true });
    const row = db.prepare<[], { id: string }>('SELECT id FROM journal_identity').get();
    db.close();
    return row?.id;
  })();

  const upgradedAt = new Date('2024-07-10T06:00:00.000Z');
  const journal = createSqliteJournal({ path, clock: { now: () => upgradedAt } });
  expect(journal.identity).toBe(identity);
  expect(await journal.list()).toEqual(before);
  for (const record of before) {
    const entries = await journal.history(record.paymentId);
    // What happened before the upgrade is not known: one entry holding the payment as it stood then.
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      seq: 1,
      event: 'baseline',
      at: upgradedAt.toISOString(),
      actor: { kind: 'router', name: 'schema-migration' },
      version: record.version,
      payment: { before: null },
    });
    expect(replayHistory(entries)).toEqual(replayTarget(record));
  }
  expect((await journal.history('v3-voucher-kept'))[0]?.payment.after.voucherKept).toBe(true);
  // Writes after the upgrade carry on from the baseline, and the history replays to the record.
  const pending = (await journal.get('v3-pending-leased'))!;
  await journal.transition(pending.paymentId, pending.version, {
    attempt: { no: 1, update: outcome('succeeded', null, '10') },
    payment: outcome('succeeded', null, '10'),
    audit: { actor: { kind: 'finalizer', name: 'router-a' } },
  });
  const history = await journal.history('v3-pending-leased');
  expect(history.map((entry) => [entry.seq, entry.event])).toEqual([
    [1, 'baseline'],
    [2, 'outcome'],
  ]);
  expect(replayHistory(history)).toEqual(replayTarget((await journal.get('v3-pending-leased'))!));
  expect(await journal.submissions()).toEqual([]);
  await journal.close();

  const db = new Database(path);
  expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  // The history is append-only for anyone writing to the file, not only for tolem.
  expect(() => db.exec("UPDATE payment_history SET event = 'note'")).toThrow(/append-only/);
  expect(() => db.exec('DELETE FROM payment_history')).toThrow(/append-only/);
  expect(db.prepare('SELECT count(*) AS n FROM payment_history').get()).toEqual({ n: 7 });
  db.close();
  // Reopening migrates nothing again.
  const reopened = createSqliteJournal({ path });
  expect((await reopened.history('v3-succeeded')).map((entry) => entry.event)).toEqual(['baseline']);
  await reopened.close();
});
