import { baselineEntry, type Clock, ConfigError, fromStoredRecord, type StoredRecord } from '@tolem/core';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './transaction.js';

/** The table that marks a schema as a tolem journal and records which migrations ran. */
export const VERSION_TABLE = 'tolem_journal_version';

/**
 * Migrations, in order: migration `i` takes the schema from version `i` to `i + 1`. Append only; never
 * edit one that has shipped. `s` is the quoted schema name.
 *
 * Ids compare in byte order (`COLLATE "C"`), as core's `compareKeys` does in JavaScript; times are
 * `timestamptz` columns for the indexes, while the record itself is the exact JSON text every other
 * journal stores (JSONB would refuse a `\u0000` in a provider's message and reorder keys).
 */
type Migration =
  | ((s: string) => string)
  /** A step that needs the journal's rules, run in the migration's transaction. */
  | { run(client: PoolClient, s: string, clock: Clock): Promise<void> };

const MIGRATIONS: readonly Migration[] = [
  (s) => `
  CREATE TABLE ${s}.payments (
    payment_id    text COLLATE "C" PRIMARY KEY,
    created_at    timestamptz NOT NULL,
    final         boolean NOT NULL,
    state         text NOT NULL,
    next_check_at timestamptz,
    lease_until   timestamptz,
    provider      text COLLATE "C",
    version       bigint NOT NULL,
    record        text NOT NULL
  );
  CREATE INDEX payments_by_created ON ${s}.payments (created_at, payment_id);
  CREATE INDEX payments_by_provider ON ${s}.payments (provider, created_at, payment_id);
  CREATE INDEX payments_due ON ${s}.payments (next_check_at) WHERE NOT final AND next_check_at IS NOT NULL;
  CREATE INDEX payments_open ON ${s}.payments (created_at) WHERE NOT final;
  CREATE TABLE ${s}.attempts_by_tx (
    provider       text COLLATE "C" NOT NULL,
    transaction_id text COLLATE "C" NOT NULL,
    payment_id     text COLLATE "C" NOT NULL REFERENCES ${s}.payments (payment_id),
    PRIMARY KEY (provider, transaction_id)
  );
  CREATE TABLE ${s}.tx_sequence (
    name                text PRIMARY KEY CHECK (name = '*'),
    last_transaction_id text
  );
  INSERT INTO ${s}.tx_sequence (name, last_transaction_id) VALUES ('*', NULL);
  `,
  // 2: a payment's sealed voucher code (JSON of core's SealedVoucher), kept apart from the record so a
  // retention job can clear it without touching the money. Nullable, no default: no table rewrite.
  (s) => `
  ALTER TABLE ${s}.payments ADD COLUMN voucher text;
  `,
  // 3: the journal's identity (PaymentJournal.identity): a random id drawn once, when the schema is
  // created or upgraded, so every instance on it, on any host, reports the same one.
  (s) => `
  CREATE TABLE ${s}.journal_identity (
    id text COLLATE "C" PRIMARY KEY
  );
  INSERT INTO ${s}.journal_identity (id) VALUES (gen_random_uuid()::text);
  `,
  // 4: the audit trail (architecture §4.8) — each payment's append-only history, one row per entry in
  // (payment, seq) order, guarded by a trigger against UPDATE, DELETE and TRUNCATE — and the registry
  // submissions of end of day. Payments already in the schema get one `baseline` entry: their state at
  // the upgrade.
  {
    async run(client, s, clock) {
      await client.query(`
      CREATE TABLE ${s}.payment_history (
        payment_id text COLLATE "C" NOT NULL REFERENCES ${s}.payments (payment_id),
        seq        integer NOT NULL,
        at         timestamptz NOT NULL,
        event      text NOT NULL,
        entry      text NOT NULL,
        PRIMARY KEY (payment_id, seq)
      );
      CREATE FUNCTION ${s}.payment_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        RAISE EXCEPTION 'payment_history is append-only' USING ERRCODE = 'raise_exception';
      END
      $body$;
      CREATE TRIGGER payment_history_append_only BEFORE UPDATE OR DELETE ON ${s}.payment_history
        FOR EACH ROW EXECUTE FUNCTION ${s}.payment_history_append_only();
      CREATE TRIGGER payment_history_no_truncate BEFORE TRUNCATE ON ${s}.payment_history
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.payment_history_append_only();
      CREATE TABLE ${s}.registry_submissions (
        provider text COLLATE "C" NOT NULL,
        day      text COLLATE "C" NOT NULL,
        kind     text COLLATE "C" NOT NULL,
        revision integer NOT NULL,
        version  bigint NOT NULL,
        record   text NOT NULL,
        PRIMARY KEY (provider, day, kind, revision)
      );
      `);
      const at = clock.now();
      for (let after = ''; ; ) {
        const page = await client.query<StoredRecord & { payment_id: string }>(
          `SELECT payment_id, record, voucher FROM ${s}.payments WHERE payment_id > $1 ORDER BY payment_id LIMIT 500`,
          [after],
        );
        const entries = page.rows.map((row) => baselineEntry(fromStoredRecord(row), at));
        if (entries.length > 0) {
          await client.query(
            `INSERT INTO ${s}.payment_history (payment_id, seq, at, event, entry)
             SELECT * FROM unnest($1::text[], $2::integer[], $3::timestamptz[], $4::text[], $5::text[])`,
            [
              entries.map((e) => e.paymentId),
              entries.map((e) => e.seq),
              entries.map((e) => e.at),
              entries.map((e) => e.event),
              entries.map((e) => JSON.stringify(e)),
            ],
          );
        }
        const last = page.rows[page.rows.length - 1];
        if (last === undefined) break;
        after = last.payment_id;
      }
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** `"name"`: only ever called with a name that passed the options' identifier check. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Brings `schema` to SCHEMA_VERSION in one transaction, under a transaction-scoped advisory lock keyed
 * on the schema name: several instances starting together migrate once, the others wait and then find
 * nothing to do. Refuses a schema from a newer package, or one holding tables that are not a journal.
 */
export async function migrate(pool: Pool, schema: string, clock: Clock): Promise<void> {
  const s = quoteIdentifier(schema);
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tolem.journal'), hashtext($1))", [schema]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // Created only when missing: CREATE SCHEMA IF NOT EXISTS would still need the CREATE right.
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    const marked = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
      `${s}.${VERSION_TABLE}`,
    ]);
    let version = 0;
    if (marked.rows[0]?.found == null) {
      const tables = await client.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 LIMIT 1', [schema]);
      if (tables.rowCount !== 0) {
        throw new ConfigError(
          'schema',
          `schema ${schema} already holds tables that are not a tolem journal: choose another schema`,
        );
      }
      await client.query(
        `CREATE TABLE ${s}.${VERSION_TABLE} (
           version    integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
    } else {
      const row = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${s}.${VERSION_TABLE}`,
      );
      version = row.rows[0]?.version ?? 0;
    }
    if (version > SCHEMA_VERSION) {
      throw new ConfigError(
        'schema',
        `schema ${schema} has journal schema version ${version}; this @tolem/journal-postgres knows up to ${SCHEMA_VERSION}: upgrade it`,
      );
    }
    for (let next = version; next < SCHEMA_VERSION; next++) {
      const migration = MIGRATIONS[next]!;
      if (typeof migration === 'function') await client.query(migration(s));
      else await migration.run(client, s, clock);
      await client.query(`INSERT INTO ${s}.${VERSION_TABLE} (version) VALUES ($1)`, [next + 1]);
    }
  });
}
