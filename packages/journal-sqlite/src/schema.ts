import { baselineEntry, type Clock, ConfigError, fromStoredRecord, type StoredRecord } from '@tolem/core';
import type { Database } from 'better-sqlite3';

/** Marks the file as a tolem journal (`PRAGMA application_id`): "tolm". */
export const APPLICATION_ID = 0x746f6c6d;

/** SQL, or a step that needs the journal's rules (run inside the same transaction). */
type Migration = string | ((db: Database, clock: Clock) => void);

/**
 * Migrations, in order: migration `i` takes the schema from version `i` to `i + 1`. Append only; never
 * edit one that has shipped. `PRAGMA user_version` holds the version a file is at.
 */
const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE payments (
    payment_id    TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    final         INTEGER NOT NULL CHECK (final IN (0, 1)),
    state         TEXT NOT NULL,
    next_check_at TEXT,
    lease_until   TEXT,
    provider      TEXT,
    version       INTEGER NOT NULL,
    record        TEXT NOT NULL
  );
  CREATE INDEX payments_by_created ON payments (created_at, payment_id);
  CREATE INDEX payments_by_provider ON payments (provider, created_at, payment_id);
  CREATE INDEX payments_due ON payments (next_check_at) WHERE final = 0 AND next_check_at IS NOT NULL;
  CREATE TABLE attempts_by_tx (
    provider       TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    payment_id     TEXT NOT NULL REFERENCES payments (payment_id),
    PRIMARY KEY (provider, transaction_id)
  ) WITHOUT ROWID;
  CREATE TABLE tx_sequence (
    provider            TEXT PRIMARY KEY,
    last_transaction_id TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: a payment's sealed voucher code (JSON of core's SealedVoucher), kept apart from the record so a
  // retention job can clear it (UPDATE payments SET voucher = NULL ...) without touching the money.
  `
  ALTER TABLE payments ADD COLUMN voucher TEXT;
  `,
  // 3: the journal's identity (PaymentJournal.identity): a random id drawn once, when the file is created
  // or upgraded, so every process on the file reports the same one.
  `
  CREATE TABLE journal_identity (
    id TEXT PRIMARY KEY
  ) WITHOUT ROWID;
  INSERT INTO journal_identity (id) VALUES (lower(
    hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' ||
    hex(randomblob(2)) || '-' || hex(randomblob(6))
  ));
  `,
  // 4: the audit trail (architecture §4.8) — each payment's append-only history, one row per entry in
  // (payment, seq) order, guarded by triggers against UPDATE and DELETE — and the registry submissions
  // of end of day. Payments already in the file get one `baseline` entry: their state at the upgrade.
  (db, clock) => {
    db.exec(`
    CREATE TABLE payment_history (
      payment_id TEXT NOT NULL REFERENCES payments (payment_id),
      seq        INTEGER NOT NULL,
      at         TEXT NOT NULL,
      event      TEXT NOT NULL,
      entry      TEXT NOT NULL,
      PRIMARY KEY (payment_id, seq)
    ) WITHOUT ROWID;
    CREATE TRIGGER payment_history_append_only_update BEFORE UPDATE ON payment_history
    BEGIN SELECT RAISE(ABORT, 'payment_history is append-only'); END;
    CREATE TRIGGER payment_history_append_only_delete BEFORE DELETE ON payment_history
    BEGIN SELECT RAISE(ABORT, 'payment_history is append-only'); END;
    CREATE TABLE registry_submissions (
      provider TEXT NOT NULL,
      date     TEXT NOT NULL,
      kind     TEXT NOT NULL,
      revision INTEGER NOT NULL,
      version  INTEGER NOT NULL,
      record   TEXT NOT NULL,
      PRIMARY KEY (provider, date, kind, revision)
    ) WITHOUT ROWID;
    `);
    const insert = db.prepare(
      'INSERT INTO payment_history (payment_id, seq, at, event, entry) VALUES (?, ?, ?, ?, ?)',
    );
    // Pages by key: better-sqlite3 runs no other statement while an iterator is open.
    const page = db.prepare<[string], StoredRecord & { payment_id: string }>(
      'SELECT payment_id, record, voucher FROM payments WHERE payment_id > ? ORDER BY payment_id LIMIT 500',
    );
    const at = clock.now();
    for (let after = ''; ; ) {
      const rows = page.all(after);
      for (const row of rows) {
        const entry = baselineEntry(fromStoredRecord(row), at);
        insert.run(entry.paymentId, entry.seq, entry.at, entry.event, JSON.stringify(entry));
      }
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      after = last.payment_id;
    }
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION in one IMMEDIATE transaction; refuses a newer or foreign file. */
export function migrate(db: Database, path: string, clock: Clock): void {
  db.transaction(() => {
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
      throw new ConfigError('path', `${path} is an SQLite file of another application, not a tolem journal`);
    }
    if (applicationId === 0 && version !== 0) {
      throw new ConfigError('path', `${path} already holds a database that is not a tolem journal`);
    }
    if (version > SCHEMA_VERSION) {
      throw new ConfigError(
        'path',
        `${path} has journal schema version ${version}; this @tolem/journal-sqlite knows up to ${SCHEMA_VERSION}: upgrade it`,
      );
    }
    for (let next = version; next < SCHEMA_VERSION; next++) {
      const migration = MIGRATIONS[next]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db, clock);
    }
    if (version !== SCHEMA_VERSION) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}
