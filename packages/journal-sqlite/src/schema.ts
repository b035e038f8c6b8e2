import { ConfigError } from '@tolem/core';
import type { Database } from 'better-sqlite3';

/** Marks the file as a tolem journal (`PRAGMA application_id`): "tolm". */
export const APPLICATION_ID = 0x746f6c6d;

/**
 * Migrations, in order: migration `i` takes the schema from version `i` to `i + 1`. Append only; never
 * edit one that has shipped. `PRAGMA user_version` holds the version a file is at.
 */
const MIGRATIONS: readonly string[] = [
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION in one IMMEDIATE transaction; refuses a newer or foreign file. */
export function migrate(db: Database, path: string): void {
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
    for (let next = version; next < SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next]!);
    if (version !== SCHEMA_VERSION) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  }).immediate();
}
