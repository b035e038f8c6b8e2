import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  JournalConflictError,
  JournalUnavailableError,
  type NewPayment,
  outcome,
  type PaymentJournal,
  type PaymentRecord,
  replayHistory,
  replayTarget,
} from '@tolem/core';
import { runJournalConformance } from '@tolem/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PG_PASSWORD, type PgCluster, startPgCluster } from '../test/pg-cluster.js';
import type { PostgresJournalOptions } from './options.js';
import { createPostgresJournal } from './postgres-journal.js';
import { SCHEMA_VERSION, VERSION_TABLE } from './schema.js';

let cluster: PgCluster;
/** The test's own pool, for looking at the database behind the journals' backs. */
let admin: pg.Pool;
/** A pool injected into journals (the caller owns it). */
let shared: pg.Pool;

beforeAll(async () => {
  cluster = await startPgCluster();
  admin = new pg.Pool({ connectionString: cluster.connectionString, max: 4 });
  shared = new pg.Pool({ connectionString: cluster.connectionString, max: 10 });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([admin?.end(), shared?.end()]);
  await cluster?.stop();
}, 120_000);

let schemas = 0;
/** A fresh schema name: each journal starts empty. */
const freshSchema = () => `t${process.pid}_${schemas++}`;
const schemaOf = new WeakMap<PaymentJournal, PostgresJournalOptions>();

async function open(options: PostgresJournalOptions): Promise<PaymentJournal> {
  const journal = await createPostgresJournal(options);
  schemaOf.set(journal, options);
  return journal;
}
async function reopen(journal: PaymentJournal): Promise<PaymentJournal> {
  await journal.close();
  return open(schemaOf.get(journal)!);
}

runJournalConformance({
  name: 'postgres (own pool from a connection string)',
  createJournal: () =>
    open({ connectionString: cluster.connectionString, schema: freshSchema(), poolSize: 12 }),
  reopen,
});

runJournalConformance({
  name: 'postgres (injected pool)',
  createJournal: () => open({ pool: shared, schema: freshSchema() }),
  reopen,
});

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
function payment(paymentId: string, overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: at(1_000),
    ...overrides,
  };
}

async function configError(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createPostgresJournal options', () => {
  it('names the option that is wrong, before connecting', async () => {
    const url = 'postgresql://nobody@127.0.0.1:1/none';
    const cases: [unknown, string][] = [
      [undefined, 'options'],
      [[], 'options'],
      [{}, 'pool'],
      [{ pool: {} }, 'pool'],
      [{ pool: shared, connectionString: url }, 'connectionString'],
      [{ connectionString: '' }, 'connectionString'],
      [{ connectionString: 42 }, 'connectionString'],
      [{ connectionString: url, schema: 'Tolem' }, 'schema'],
      [{ connectionString: url, schema: 'a-b' }, 'schema'],
      [{ connectionString: url, schema: '1abc' }, 'schema'],
      [{ connectionString: url, schema: 'pg_journal' }, 'schema'],
      [{ connectionString: url, schema: 'x'.repeat(64) }, 'schema'],
      [{ connectionString: url, clock: {} }, 'clock'],
      [{ connectionString: url, poolSize: 0 }, 'poolSize'],
      [{ connectionString: url, poolSize: 2.5 }, 'poolSize'],
      [{ pool: shared, poolSize: 5 }, 'poolSize'],
      [null, 'options'],
      [5, 'options'],
      [{ connectionString: 'postgresql://x\0y' }, 'connectionString'],
      [{ connectionString: url, schema: 5 }, 'schema'],
      [{ connectionString: url, poolSize: '5' }, 'poolSize'],
      [{ connectionString: url, clock: null }, 'clock'],
    ];
    for (const [i, [options, option]] of cases.entries()) {
      const error = await configError(() => createPostgresJournal(options as PostgresJournalOptions));
      expect(error.option, `case ${i}`).toBe(option);
    }
  });

  it.each([
    ['max', { max: 5 }],
    ['connectionURL', { connectionURL: 'postgresql://x' }],
    ['host', { host: 'localhost' }],
    ['ssl', { ssl: true }],
  ])('refuses the unknown option %s, naming it, instead of ignoring it', async (name, extra) => {
    const error = await configError(() =>
      createPostgresJournal({ pool: shared, ...extra } as PostgresJournalOptions),
    );
    expect(error.option).toBe(name);
    expect(error.rule).toContain('unknown option');
  });

  it('never quotes the connection string (it holds the password), in its own errors or the server’s', async () => {
    const error = await configError(() =>
      createPostgresJournal({ connectionString: cluster.connectionString, schema: 'Bad' }),
    );
    expect(`${error.message} ${String(error.stack)}`).not.toContain(PG_PASSWORD);
    const wrong = cluster.connectionString.replace(PG_PASSWORD, 'wrong-Zq9-secret');
    const refused = await createPostgresJournal({ connectionString: wrong, schema: freshSchema() }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(refused?.message).toMatch(/password authentication failed/);
    expect(`${refused?.message} ${String(refused?.stack)}`).not.toContain('wrong-Zq9-secret');
  });

  it('uses the injected clock for write times and the transaction-id floor', async () => {
    const now = new Date('2031-05-05T05:05:05.005Z');
    const journal = await createPostgresJournal({
      pool: shared,
      schema: freshSchema(),
      clock: { now: () => now },
    });
    const { record } = await journal.create(payment('p1'));
    const next = await journal.openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' });
    expect(next.attempts[0]?.createdAt).toBe(now.toISOString());
    expect(BigInt(next.attempts[0]!.transactionId)).toBeGreaterThan(BigInt(now.getTime()) * 100n);
    const changed = await journal.transition('p1', next.version, { countCheck: true });
    expect(changed.updatedAt).toBe(now.toISOString());
    await journal.close();
  });
});

async function unavailable(run: () => Promise<unknown>): Promise<JournalUnavailableError> {
  try {
    await run();
  } catch (error) {
    if (JournalUnavailableError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a JournalUnavailableError');
}

describe('a server that refuses the journal: JournalUnavailableError, one line with the fix', () => {
  const FIX = 'connectionString (or your pool’s settings)';
  const url = (change: (url: URL) => void) => {
    const parsed = new URL(cluster.connectionString);
    change(parsed);
    return parsed.toString();
  };

  it('nothing listens on the port: server_refused naming the address', async () => {
    const port = await freePort();
    const error = await unavailable(() =>
      createPostgresJournal({ connectionString: url((u) => (u.port = String(port))), schema: freshSchema() }),
    );
    expect(error.code).toBe('TOLEM_JOURNAL_UNAVAILABLE');
    expect(error.reason).toBe('server_refused');
    expect(error.message).toBe(
      `PostgreSQL at 127.0.0.1:${port} refused the connection (ECONNREFUSED: nothing listens there): start the server, or fix the host and port in ${FIX}`,
    );
    // The same through a pool the caller owns (and keeps: the journal does not end it).
    const pool = new pg.Pool({ connectionString: url((u) => (u.port = String(port))) });
    try {
      const viaPool = await unavailable(() => createPostgresJournal({ pool, schema: freshSchema() }));
      expect(viaPool.reason).toBe('server_refused');
    } finally {
      await pool.end();
    }
  });

  it('a wrong password: auth_failed with the server’s reason, never the password', async () => {
    const error = await unavailable(() =>
      createPostgresJournal({
        connectionString: url((u) => (u.password = 'wrong-Kp4-secret')),
        schema: freshSchema(),
      }),
    );
    expect(error.reason).toBe('auth_failed');
    expect(error.message).toBe(
      `PostgreSQL refused the login (28P01 password authentication failed for user "postgres"): fix the user and password in ${FIX}`,
    );
    expect(`${error.message} ${String(error.stack)}`).not.toContain('wrong-Kp4-secret');
    expect(`${error.message} ${String(error.stack)}`).not.toContain(PG_PASSWORD);
  });

  it('no password where the server asks for one: auth_failed saying so', async () => {
    const error = await unavailable(() =>
      createPostgresJournal({ connectionString: url((u) => (u.password = '')), schema: freshSchema() }),
    );
    expect(error.reason).toBe('auth_failed');
    expect(error.message).toBe(`PostgreSQL asks for a password and none was given: add it to ${FIX}`);
  });

  it('a database that does not exist: database_missing naming it and how to create it', async () => {
    const error = await unavailable(() =>
      createPostgresJournal({
        connectionString: url((u) => (u.pathname = '/no_such_journal_db')),
        schema: freshSchema(),
      }),
    );
    expect(error.reason).toBe('database_missing');
    expect(error.message).toBe(
      `PostgreSQL has no database "no_such_journal_db" (3D000): create it (\`createdb no_such_journal_db\`), or fix the database name in ${FIX}`,
    );
  });

  it('a host that does not resolve: server_refused naming the host', async () => {
    const error = await unavailable(() =>
      createPostgresJournal({
        connectionString: url((u) => (u.hostname = 'no-such-host.invalid')),
        schema: freshSchema(),
      }),
    );
    expect(error.reason).toBe('server_refused');
    expect(error.message).toMatch(
      /^the PostgreSQL host no-such-host\.invalid cannot be resolved \((ENOTFOUND|EAI_AGAIN)\): fix the host in connectionString/,
    );
  });
});

describe('pools', () => {
  const connections = async (applicationName: string) =>
    Number(
      (
        await admin.query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        )
      ).rows[0]?.n,
    );

  it('an injected pool stays open after close(); the journal refuses further calls', async () => {
    const pool = new pg.Pool({ connectionString: cluster.connectionString, max: 2 });
    try {
      const journal = await createPostgresJournal({ pool, schema: freshSchema() });
      await journal.create(payment('p1'));
      await journal.close();
      await journal.close();
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      await expect(journal.get('p1')).rejects.toThrow(/closed/);
      await expect(journal.create(payment('p2'))).rejects.toThrow(/closed/);
      await expect(journal.transition('p1', 1, { countCheck: true })).rejects.toThrow(/closed/);
    } finally {
      await pool.end();
    }
  });

  it('its own pool is ended by close(): no connection is left behind', async () => {
    const journal = await createPostgresJournal({
      connectionString: cluster.connectionString,
      schema: freshSchema(),
      poolSize: 3,
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => journal.create(payment(`p${i}`))));
    expect(await connections('tolem-journal')).toBeGreaterThan(0);
    await journal.close();
    await expect.poll(() => connections('tolem-journal'), { timeout: 10_000 }).toBe(0);
    await expect(journal.list()).rejects.toThrow(/closed/);
  });
});

describe('migrations', () => {
  it('create the schema with its version table at SCHEMA_VERSION; reopening migrates nothing', async () => {
    const schema = freshSchema();
    const first = await createPostgresJournal({ pool: shared, schema });
    await first.create(payment('p1'));
    await first.close();
    const second = await createPostgresJournal({ pool: shared, schema });
    expect((await second.get('p1'))?.paymentId).toBe('p1');
    await second.close();
    const versions = await admin.query(`SELECT version FROM "${schema}".${VERSION_TABLE} ORDER BY version`);
    expect(versions.rows).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
    const tables = await admin.query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
      [schema],
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      'attempts_by_tx',
      'journal_identity',
      'payment_history',
      'payments',
      'registry_submissions',
      'tolem_journal_version',
      'tx_sequence',
    ]);
    // One journal-wide sequence row, as in the SQLite journal.
    expect((await admin.query(`SELECT name FROM "${schema}".tx_sequence`)).rows).toEqual([{ name: '*' }]);
  });

  it('several instances starting together on a new schema migrate it once (advisory lock)', async () => {
    const schema = freshSchema();
    const journals = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2
          ? createPostgresJournal({ pool: shared, schema })
          : createPostgresJournal({ connectionString: cluster.connectionString, schema, poolSize: 2 }),
      ),
    );
    const versions = await admin.query(`SELECT version FROM "${schema}".${VERSION_TABLE}`);
    expect(versions.rowCount).toBe(SCHEMA_VERSION);
    // One identity for the schema, whichever instance created it; another schema has its own.
    expect(new Set(journals.map((journal) => journal.identity))).toEqual(new Set([journals[0]!.identity]));
    expect(journals[0]!.identity).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const other = await createPostgresJournal({ pool: shared, schema: freshSchema() });
    expect(other.identity).not.toBe(journals[0]!.identity);
    await other.close();
    await journals[0]!.create(payment('p1'));
    expect((await journals[5]!.get('p1'))?.paymentId).toBe('p1');
    await Promise.all(journals.map((j) => j.close()));
  });

  it('refuses a schema written by a newer package, and one holding somebody else’s tables', async () => {
    const schema = freshSchema();
    await (await createPostgresJournal({ pool: shared, schema })).close();
    await admin.query(`INSERT INTO "${schema}".${VERSION_TABLE} (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    const newer = await configError(() => createPostgresJournal({ pool: shared, schema }));
    expect(newer.option).toBe('schema');
    expect(newer.message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}.*upgrade`));

    const foreign = freshSchema();
    await admin.query(`CREATE SCHEMA "${foreign}"; CREATE TABLE "${foreign}".payments (id int)`);
    const error = await configError(() => createPostgresJournal({ pool: shared, schema: foreign }));
    expect(error.option).toBe('schema');
    expect(error.message).toMatch(/not a tolem journal/);
    // Nothing was added to it.
    const tables = await admin.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [foreign]);
    expect(tables.rows).toEqual([{ tablename: 'payments' }]);
  });

  it('a schema written at version 1 is migrated in place: every payment intact, vouchers keepable', async () => {
    // test/fixtures/journal-v1.sql: pg_dump --inserts of schema tolem_v1 as the version-1 package wrote
    // it (five payments in every shape); journal-v1.json is what its list() returned then.
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures');
    const dump = readFileSync(join(fixtures, 'journal-v1.sql'), 'utf8')
      .split('\n')
      // psql meta-commands (\restrict) are not SQL.
      .filter((line) => !line.startsWith('\\'))
      .join('\n');
    const before = JSON.parse(readFileSync(join(fixtures, 'journal-v1.json'), 'utf8')) as PaymentRecord[];
    const client = await admin.connect();
    try {
      await client.query(dump);
    } finally {
      // The dump changes the session's search_path: this connection is not given back to the pool.
      client.release(true);
    }
    const clock = { now: () => new Date('2024-07-09T09:00:10.000Z') };
    const journal = await createPostgresJournal({ pool: shared, schema: 'tolem_v1', clock });
    try {
      expect(await journal.list()).toEqual(before.map((record) => ({ ...record, voucher: null })));
      for (const record of before) {
        for (const attempt of record.attempts) {
          expect((await journal.findByTransaction(attempt.provider, attempt.transactionId))?.paymentId).toBe(
            record.paymentId,
          );
        }
      }
      const claimed = await journal.claimDue({
        now: clock.now(),
        owner: 'router-b',
        leaseMs: 60_000,
        limit: 10,
      });
      expect(claimed.map((record) => record.paymentId).sort()).toEqual(['v1-failed-over', 'v1-nothing-sent']);
      const nothing = claimed.find((record) => record.paymentId === 'v1-nothing-sent')!;
      const opened = await journal.openAttempt(nothing.paymentId, nothing.version, {
        provider: 'vf-a',
        serviceId: '7',
      });
      expect(BigInt(opened.attempts[0]!.transactionId) > 172051560300001n).toBe(true);
      const pending = (await journal.get('v1-voucher-pending'))!;
      const sealed = {
        keyId: 'k1',
        iv: 'AAECAwQFBgcICQoL',
        ciphertext: 'q83vASNFZ4mrze8BI0VniavN7wE=',
        tag: 'EBESExQVFhcYGRobHB0eHw==',
      };
      const done = await journal.transition(pending.paymentId, pending.version, {
        attempt: { no: 1, update: outcome('succeeded', null, '10') },
        payment: outcome('succeeded', null, '10'),
        voucher: sealed,
      });
      expect(done.voucher).toEqual(sealed);
      expect((await journal.get('v1-succeeded'))?.voucher).toBeNull();
    } finally {
      await journal.close();
    }
    const versions = await admin.query('SELECT version FROM tolem_v1.tolem_journal_version ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
    const column = await admin.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = 'tolem_v1' AND table_name = 'payments' AND column_name = 'voucher'",
    );
    expect(column.rowCount).toBe(1);
  });

  it('a schema written at version 3 gains a history in place: payments intact, each with a baseline entry', async () => {
    // test/fixtures/journal-v3.sql: pg_dump --inserts of schema tolem_v3 as the version-3 package wrote
    // it (vouchers and the identity, no history; six payments in every shape); journal-v3.json is what
    // its list() returned then.
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures');
    const dump = readFileSync(join(fixtures, 'journal-v3.sql'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n');
    const before = JSON.parse(readFileSync(join(fixtures, 'journal-v3.json'), 'utf8')) as PaymentRecord[];
    expect(before).toHaveLength(6);
    const client = await admin.connect();
    try {
      await client.query(dump);
    } finally {
      client.release(true);
    }
    const upgradedAt = new Date('2024-07-10T06:00:00.000Z');
    const journal = await createPostgresJournal({
      pool: shared,
      schema: 'tolem_v3',
      clock: { now: () => upgradedAt },
    });
    try {
      expect(journal.identity).toBe('6985d101-9526-4ebd-ae43-421b6eaaf118');
      expect(await journal.list()).toEqual(before);
      for (const record of before) {
        const entries = await journal.history(record.paymentId);
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          seq: 1,
          event: 'baseline',
          at: upgradedAt.toISOString(),
          actor: { kind: 'router', name: 'schema-migration' },
          version: record.version,
        });
        expect(replayHistory(entries)).toEqual(replayTarget(record));
      }
      const stuck = (await journal.get('v3-failed-over'))!;
      await journal.transition(stuck.paymentId, stuck.version, {
        resend: { no: 2 },
        audit: { actor: { kind: 'finalizer', name: 'router-b' }, reason: 'resend_not_found' },
      });
      const history = await journal.history('v3-failed-over');
      expect(history.map((entry) => [entry.seq, entry.event])).toEqual([
        [1, 'baseline'],
        [2, 'resent'],
      ]);
      expect(replayHistory(history)).toEqual(replayTarget((await journal.get('v3-failed-over'))!));
    } finally {
      await journal.close();
    }
    const versions = await admin.query('SELECT version FROM tolem_v3.tolem_journal_version ORDER BY version');
    expect(versions.rows.map((row) => row.version)).toEqual([1, 2, 3, 4]);
    // The history is append-only for anyone connected, not only for tolem.
    for (const statement of [
      "UPDATE tolem_v3.payment_history SET event = 'note'",
      'DELETE FROM tolem_v3.payment_history',
      'TRUNCATE tolem_v3.payment_history',
    ]) {
      await expect(admin.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await admin.query('SELECT count(*)::int AS n FROM tolem_v3.payment_history')).rows).toEqual([
      { n: 7 },
    ]);
  });

  it('an existing empty schema is used without CREATE SCHEMA', async () => {
    const schema = freshSchema();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const journal = await createPostgresJournal({ pool: shared, schema });
    expect((await journal.create(payment('p1'))).created).toBe(true);
    await journal.close();
  });
});

/** Two journal instances on one schema, each with its own pool: two router hosts, as far as PostgreSQL knows. */
async function twoInstances(): Promise<[PaymentJournal, PaymentJournal]> {
  const schema = freshSchema();
  const options = { connectionString: cluster.connectionString, schema, poolSize: 8 };
  return Promise.all([createPostgresJournal(options), createPostgresJournal(options)]);
}

describe('two journal instances on one database', () => {
  it('claim concurrently without ever claiming a payment twice', async () => {
    const [a, b] = await twoInstances();
    for (let i = 0; i < 40; i++) {
      const journal = i % 2 ? a : b;
      const { record } = await journal.create(
        payment(`p${String(i).padStart(2, '0')}`, { nextCheckAt: at(i) }),
      );
      await journal.openAttempt(record.paymentId, record.version, { provider: 'vf-a', serviceId: '7' });
    }
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).claimDue({ now: at(60_000), owner: `router-${i}`, leaseMs: 60_000, limit: 3 }),
      ),
    );
    const ids = batches.flat().map((r) => r.paymentId);
    expect(new Set(ids).size, 'no payment claimed twice').toBe(ids.length);
    expect(ids).toHaveLength(40);
    for (const [i, batch] of batches.entries()) {
      for (const record of batch) expect((await a.get(record.paymentId))?.lease?.owner).toBe(`router-${i}`);
    }
    // Leased everywhere: nothing left for either instance until the leases expire.
    expect(await a.claimDue({ now: at(60_000), owner: 'late', leaseMs: 1, limit: 50 })).toEqual([]);
    expect(await b.claimDue({ now: at(120_000), owner: 'late', leaseMs: 1, limit: 50 })).toHaveLength(40);
    await Promise.all([a.close(), b.close()]);
  });

  it('allocate transaction ids concurrently without a collision, across providers', async () => {
    const [a, b] = await twoInstances();
    const records = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const journal = i % 2 ? a : b;
        const provider = i % 3 ? 'vf-a' : 'vf-b';
        const { record } = await journal.create(payment(`x${i}`));
        return journal.openAttempt(record.paymentId, record.version, { provider, serviceId: '7' });
      }),
    );
    const ids = records.map((r) => r.attempts[0]!.transactionId);
    expect(new Set(ids).size).toBe(60);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{0,14}$/);
    // Every id is indexed once, and found from either instance.
    for (const record of records) {
      const attempt = record.attempts[0]!;
      expect((await b.findByTransaction(attempt.provider, attempt.transactionId))?.paymentId).toBe(
        record.paymentId,
      );
    }
    await Promise.all([a.close(), b.close()]);
  });

  it('create the same payment id concurrently: one is created, the other gets created: false', async () => {
    const [a, b] = await twoInstances();
    for (let i = 0; i < 15; i++) {
      const id = `same-${i}`;
      const results = await Promise.all([
        a.create(payment(id)),
        b.create(payment(id)),
        a.create(payment(id)),
      ]);
      expect(
        results.filter((r) => r.created),
        id,
      ).toHaveLength(1);
      for (const result of results) expect(result.record).toEqual(results[0]!.record);
    }
    // A different amount under a taken id is still a conflict naming the field.
    const conflict = await Promise.allSettled([
      a.create(payment('race')),
      b.create(payment('race', { amount: '5.00' })),
    ]);
    const refused = conflict.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason;
    expect(JournalConflictError.is(reason) && reason.fields).toEqual(['amount']);
    await Promise.all([a.close(), b.close()]);
  });

  it('a stale version written through one instance is refused through the other', async () => {
    const [a, b] = await twoInstances();
    const { record } = await a.create(payment('p1'));
    const opened = await a.openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' });
    const results = await Promise.allSettled([
      a.transition('p1', opened.version, { payment: outcome('succeeded', null) }),
      b.transition('p1', opened.version, { payment: outcome('failed', 'timeout') }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(JournalConflictError.is(loser.reason)).toBe(true);
    expect((await b.get('p1'))?.version).toBe(opened.version + 1);
    await Promise.all([a.close(), b.close()]);
  });
});

/**
 * A pool that behaves like `real` until armed; then a statement `failOn` matches throws `error`
 * instead of running (as PostgreSQL would, or as a broken connection would).
 */
function faultyPool(real: pg.Pool, failOn: RegExp, error: Error & { code: string }) {
  let armed = false;
  const wrapClient = (client: pg.PoolClient): pg.PoolClient =>
    new Proxy(client, {
      get(target, key, receiver) {
        if (key === 'query') {
          return (text: string, values?: unknown[]) =>
            armed && failOn.test(text) ? Promise.reject(error) : target.query(text, values);
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const pool = new Proxy(real, {
    get(target, key, receiver) {
      if (key === 'connect') return async () => wrapClient(await target.connect());
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    pool,
    arm: () => {
      armed = true;
    },
  };
}

describe('errors PostgreSQL raises inside a write', () => {
  const fail = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['23505', 'duplicate key value violates unique constraint'],
  ])('SQLSTATE %s (rolled back for a concurrent writer) is a JournalConflictError', async (code, message) => {
    const faulty = faultyPool(shared, /^UPDATE/, fail(code, message));
    const journal = await createPostgresJournal({ pool: faulty.pool, schema: freshSchema() });
    const { record } = await journal.create(payment('p1'));
    faulty.arm();
    const error = await journal
      .transition('p1', record.version, { countCheck: true })
      .catch((e: unknown) => e);
    expect(JournalConflictError.is(error)).toBe(true);
    expect((error as Error).cause).toMatchObject({ code });
    // Rolled back: nothing changed.
    expect(await journal.get('p1')).toEqual(record);
    await journal.close();
  });

  it('a lost connection is rethrown as it is, never as a conflict (the write may have happened)', async () => {
    const lost = fail('ECONNRESET', 'read ECONNRESET');
    const faulty = faultyPool(shared, /^COMMIT/, lost);
    const journal = await createPostgresJournal({ pool: faulty.pool, schema: freshSchema() });
    const { record } = await journal.create(payment('p1'));
    faulty.arm();
    const error = await journal
      .openAttempt('p1', record.version, { provider: 'vf-a', serviceId: '7' })
      .catch((e: unknown) => e);
    expect(error).toBe(lost);
    expect(JournalConflictError.is(error)).toBe(false);
    await journal.close();
  });
});
