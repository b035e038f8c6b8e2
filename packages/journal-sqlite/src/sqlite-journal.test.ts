import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  JournalConflictError,
  type NewPayment,
  outcome,
  type PaymentJournal,
  ValidationError,
} from '@tolem/core';
import { runJournalConformance } from '@tolem/core/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
import { connectionOf, createSqliteJournal } from './sqlite-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'tolem-journal-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `journal-${process.pid}-${files++}.db`);
const paths = new WeakMap<PaymentJournal, string>();

function open(path: string): PaymentJournal {
  const journal = createSqliteJournal({ path });
  paths.set(journal, path);
  return journal;
}

runJournalConformance({
  name: 'sqlite (file)',
  createJournal: () => open(freshPath()),
  reopen: async (journal) => {
    await journal.close();
    return open(paths.get(journal)!);
  },
});

runJournalConformance({
  name: 'sqlite (:memory:)',
  createJournal: () => createSqliteJournal({ path: ':memory:' }),
});

const T0 = new Date('2030-01-01T00:00:00.000Z');
function payment(paymentId: string): NewPayment {
  return {
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: T0,
  };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createSqliteJournal options', () => {
  it('names the option that is wrong', () => {
    expect(configError(() => createSqliteJournal(undefined as never)).option).toBe('options');
    expect(configError(() => createSqliteJournal({} as never)).option).toBe('path');
    expect(configError(() => createSqliteJournal({ path: '' })).option).toBe('path');
    expect(configError(() => createSqliteJournal({ path: ':memory:', busyTimeoutMs: -1 })).option).toBe(
      'busyTimeoutMs',
    );
    expect(configError(() => createSqliteJournal({ path: ':memory:', busyTimeoutMs: 1.5 })).option).toBe(
      'busyTimeoutMs',
    );
    expect(configError(() => createSqliteJournal({ path: ':memory:', clock: {} as never })).option).toBe(
      'clock',
    );
    // Hostile values: named, never a TypeError or a default.
    for (const options of [null, [], 5, 'tolem.db']) {
      expect(configError(() => createSqliteJournal(options as never)).option).toBe('options');
    }
    expect(configError(() => createSqliteJournal({ path: 'a\0b.db' })).option).toBe('path');
    expect(configError(() => createSqliteJournal({ path: 42 } as never)).option).toBe('path');
    expect(
      configError(() => createSqliteJournal({ path: ':memory:', busyTimeoutMs: '5' } as never)).option,
    ).toBe('busyTimeoutMs');
    expect(configError(() => createSqliteJournal({ path: ':memory:', busyTimeoutMs: 600_001 })).option).toBe(
      'busyTimeoutMs',
    );
  });

  it('refuses a path whose folder does not exist, naming path and saying so, and creates nothing', () => {
    const missing = join(dir, `no-such-folder-${process.pid}`);
    const error = configError(() => createSqliteJournal({ path: join(missing, 'tolem.db') }));
    expect(error.option).toBe('path');
    expect(error.message).toContain('folder');
    expect(error.message).toContain('does not exist');
    expect(error.message).toContain(missing);
    // Relative paths too (resolved against the working directory).
    const relative = configError(() => createSqliteJournal({ path: 'no-such-folder-tolem/deeper/tolem.db' }));
    expect(relative.option).toBe('path');
    expect(relative.message).toContain('does not exist');
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a path whose "folder" is a file', () => {
    const file = join(dir, `plain-file-${process.pid}`);
    writeFileSync(file, 'not a folder');
    const error = configError(() => createSqliteJournal({ path: join(file, 'tolem.db') }));
    expect(error.option).toBe('path');
    expect(error.message).toContain('not a folder');
  });

  it('refuses a path that is itself a folder: ConfigError on path, not a raw SqliteError', () => {
    const error = configError(() => createSqliteJournal({ path: dir }));
    expect(error.option).toBe('path');
    expect(error.message).toContain('SQLITE_CANTOPEN');
  });

  it('refuses a path that is blank once trimmed (better-sqlite3 would open a temporary database)', () => {
    expect(configError(() => createSqliteJournal({ path: '   ' })).option).toBe('path');
  });

  it.each([
    ['busyTimeout', { busyTimeout: 100 }],
    ['filename', { filename: 'x.db' }],
    ['readonly', { readonly: true }],
    ['synchronous', { synchronous: 'NORMAL' }],
  ])('refuses the unknown option %s, naming it, instead of ignoring it', (name, extra) => {
    const error = configError(() => createSqliteJournal({ path: ':memory:', ...extra } as never));
    expect(error.option).toBe(name);
    expect(error.rule).toContain('unknown option');
  });

  it('accepts the known options, and undefined for the optional ones', async () => {
    const journal = createSqliteJournal({ path: ':memory:', clock: undefined, busyTimeoutMs: undefined });
    expect(await journal.list()).toEqual([]);
    await journal.close();
  });

  it('uses the injected clock for write times and the transaction-id floor', async () => {
    const now = new Date('2031-05-05T05:05:05.005Z');
    const journal = createSqliteJournal({ path: ':memory:', clock: { now: () => now } });
    const { record } = await journal.create(payment('p1'));
    const next = await journal.openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' });
    expect(next.attempts[0]?.createdAt).toBe(now.toISOString());
    expect(BigInt(next.attempts[0]!.transactionId)).toBeGreaterThan(BigInt(now.getTime()) * 100n);
    const changed = await journal.transition('p1', next.version, { countCheck: true });
    expect(changed.updatedAt).toBe(now.toISOString());
    await journal.close();
  });
});

describe('the database file', () => {
  it('is in WAL mode with synchronous FULL, marked as a tolem journal at the current schema version', async () => {
    const path = freshPath();
    const journal = createSqliteJournal({ path });
    await journal.create(payment('p1'));
    // synchronous is a per-connection setting: read it on the journal's own connection.
    const own = connectionOf(journal)!;
    expect(own).not.toBeNull();
    expect(own.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(own.pragma('busy_timeout', { simple: true })).toBe(5_000);
    expect(own.pragma('foreign_keys', { simple: true })).toBe(1);
    await journal.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const row = db.prepare('SELECT payment_id, final, state, provider FROM payments').get();
    expect(row).toEqual({ payment_id: 'p1', final: 0, state: 'unknown', provider: null });
    db.close();
  });

  it('reopening an up-to-date file migrates nothing and keeps the data', async () => {
    const path = freshPath();
    const first = createSqliteJournal({ path });
    await first.create(payment('p1'));
    await first.close();
    const second = createSqliteJournal({ path });
    expect((await second.get('p1'))?.paymentId).toBe('p1');
    await second.close();
  });

  it('has one identity per file: shared by every handle on it, kept across reopens, drawn on upgrade', async () => {
    const path = freshPath();
    const first = createSqliteJournal({ path });
    const second = createSqliteJournal({ path });
    expect(first.identity).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(second.identity).toBe(first.identity);
    const other = createSqliteJournal({ path: freshPath() });
    expect(other.identity).not.toBe(first.identity);
    await Promise.all([first.close(), second.close(), other.close()]);
    const reopened = createSqliteJournal({ path });
    expect(reopened.identity).toBe(first.identity);
    await reopened.create(payment('p1'));
    await reopened.close();
    // A file from before the identity (schema version 2) gets one when it is upgraded, data intact.
    const db = new Database(path);
    // (and so before the history of version 4)
    db.exec(
      'DROP TABLE journal_identity; DROP TABLE payment_history; DROP TABLE registry_submissions; PRAGMA user_version = 2;',
    );
    db.close();
    const upgraded = createSqliteJournal({ path });
    expect(upgraded.identity).toMatch(/^[0-9a-f-]{36}$/);
    expect(upgraded.identity).not.toBe(first.identity);
    expect((await upgraded.get('p1'))?.paymentId).toBe('p1');
    await upgraded.close();
  });

  it('refuses a file written by a newer schema version', () => {
    const path = freshPath();
    createSqliteJournal({ path }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = configError(() => createSqliteJournal({ path }));
    expect(error.option).toBe('path');
    expect(error.message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}.*upgrade`));
  });

  it('refuses a database that belongs to something else', () => {
    const foreign = freshPath();
    const db = new Database(foreign);
    db.exec('CREATE TABLE users (id INTEGER); PRAGMA user_version = 7;');
    db.close();
    expect(configError(() => createSqliteJournal({ path: foreign })).message).toMatch(/not a tolem journal/);
    const other = freshPath();
    const db2 = new Database(other);
    db2.pragma('application_id = 42');
    db2.close();
    expect(configError(() => createSqliteJournal({ path: other })).message).toMatch(/another application/);
    const garbage = freshPath();
    writeFileSync(garbage, 'this is not a database, just text long enough to have a header.............');
    expect(() => createSqliteJournal({ path: garbage })).toThrow();
  });

  it('throws after close instead of touching a closed handle', async () => {
    const journal = createSqliteJournal({ path: ':memory:' });
    await journal.close();
    await journal.close();
    await expect(journal.get('p1')).rejects.toThrow(/closed/);
    await expect(journal.create(payment('p1'))).rejects.toThrow(/closed/);
  });
});

describe('errors from create (the journal port: only a conflict or a validation error says "not written")', () => {
  it('a file locked by another process: SQLite’s own error (never a conflict), nothing written; create again succeeds', async () => {
    const path = freshPath();
    const journal = createSqliteJournal({ path, busyTimeoutMs: 0 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const error = await journal.create(payment('p1')).catch((e: unknown) => e);
    expect((error as { code?: unknown }).code).toBe('SQLITE_BUSY');
    expect(JournalConflictError.is(error) || ValidationError.is(error) || ConfigError.is(error)).toBe(false);
    other.exec('ROLLBACK');
    other.close();
    expect(await journal.get('p1')).toBeNull();
    expect((await journal.create(payment('p1'))).created).toBe(true);
    await journal.close();
  });
});

describe('two journal instances on one file', () => {
  it('claim concurrently without claiming any payment twice, and allocate distinct ids', async () => {
    const path = freshPath();
    const a = createSqliteJournal({ path });
    const b = createSqliteJournal({ path });
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const journal = i % 2 ? a : b;
        const { record } = await journal.create(payment(`p${i}`));
        const next = await journal.openAttempt(record.paymentId, record.version, {
          provider: 'vf-a',
          serviceId: '7',
        });
        return next.attempts[0]!.transactionId;
      }),
    );
    expect(new Set(ids).size).toBe(20);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).claimDue({
          now: new Date('2030-01-02T00:00:00Z'),
          owner: `o${i}`,
          leaseMs: 60_000,
          limit: 3,
        }),
      ),
    );
    const claimed = claims.flat().map((r) => r.paymentId);
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed).size).toBe(20);
    // A write through one instance is visible to the other, and its stale version is refused there.
    const seen = await a.get('p0');
    await b.transition('p0', seen!.version, { payment: outcome('succeeded', null) });
    await expect(
      a.transition('p0', seen!.version, { payment: outcome('failed', 'timeout') }),
    ).rejects.toThrow(/version/);
    expect((await a.get('p0'))?.state).toBe('succeeded');
    await a.close();
    await b.close();
  });
});
