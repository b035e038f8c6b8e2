import {
  applyChunkUpdate,
  applyTransition,
  assertSamePayment,
  assertSameSubmission,
  assertSubmissionKey,
  assertVersion,
  type ChunkUpdate,
  type ClaimOptions,
  type Clock,
  type CreateResult,
  checkedAudit,
  checkedNote,
  compareKeys,
  compareSubmissions,
  createdEntry,
  fromStoredRecord,
  type HistoryEntry,
  type HistoryNote,
  isClaimable,
  JournalConflictError,
  type ListQuery,
  matchesQuery,
  type NewAttempt,
  type NewPayment,
  type NewSubmission,
  newPaymentRecord,
  newSubmissionRecord,
  nextTransactionId,
  noteEntry,
  type OpenGroup,
  type PaymentJournal,
  type PaymentRecord,
  type RegistrySubmission,
  type StoredRecord,
  type SubmissionKey,
  type SubmissionQuery,
  submissionId,
  summarise,
  systemClock,
  type Transition,
  toStoredRow,
  withAttempt,
  withLease,
  writeEntry,
} from '@tolem/core';
import pg from 'pg';
import { connectError } from './connect-error.js';
import { type PostgresJournalOptions, parseOptions } from './options.js';
import { migrate, quoteIdentifier } from './schema.js';
import { inTransaction, isConcurrencyFailure } from './transaction.js';

/**
 * One sequence for the whole journal (the single row of tx_sequence): ids are unique across providers
 * too, so two provider instances configured on the same agent can never hand one TransactionID to two
 * payments — and one row lock serialises allocation across every router instance.
 */
const JOURNAL_SEQUENCE = '*';

type Queryable = Pick<pg.Pool, 'query'>;

/** A payments row as read: the record's JSON and the sealed voucher's, if any. */
type PaymentRow = StoredRecord;

/**
 * The shared journal (architecture §1): every router instance, on any host, points at the same PostgreSQL
 * schema. Each write is one transaction that locks the payment row (`SELECT … FOR UPDATE`) and
 * compare-and-sets its version; `claimDue` skips rows another instance is claiming (`SKIP LOCKED`);
 * transaction ids come from one row-locked sequence. The record logic is core's (journal-records):
 * this class only stores and indexes records.
 *
 * Connects and runs pending migrations before it resolves, so a wrong address, bad credentials or a
 * schema from a newer package fail at start-up, not at the first payment: a server that refuses
 * (nothing listening, login refused, no such database) is a JournalUnavailableError naming the fix.
 */
export async function createPostgresJournal(options: PostgresJournalOptions): Promise<PaymentJournal> {
  const parsed = parseOptions(options);
  const owned = parsed.pool === undefined;
  const pool =
    parsed.pool ??
    new pg.Pool({
      connectionString: parsed.connectionString,
      max: parsed.poolSize,
      application_name: 'tolem-journal',
    });
  // An idle connection that drops (server restart, network) is replaced by the pool; without a listener
  // its 'error' event would crash the process. An injected pool's listeners are its owner's business.
  if (owned) pool.on('error', () => {});
  let identity: string;
  try {
    await migrate(pool, parsed.schema, parsed.clock ?? systemClock);
    identity = await readIdentity(pool, parsed.schema);
  } catch (error) {
    if (owned) await pool.end().catch(() => {});
    // A server that refuses the first connection: one line with the cause and the fix.
    throw connectError(error) ?? error;
  }
  return new PostgresJournal(pool, owned, parsed.schema, parsed.clock ?? systemClock, identity);
}

async function readIdentity(pool: pg.Pool, schema: string): Promise<string> {
  const result = await pool.query<{ id: string }>(
    `SELECT id FROM ${quoteIdentifier(schema)}.journal_identity LIMIT 1`,
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error(`schema ${schema} has no journal identity row (a damaged journal?)`);
  return id;
}

class PostgresJournal implements PaymentJournal {
  #closed = false;
  readonly #sql;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #clock: Clock;

  constructor(
    pool: pg.Pool,
    ownsPool: boolean,
    schema: string,
    clock: Clock,
    readonly identity: string,
  ) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#clock = clock;
    const s = quoteIdentifier(schema);
    this.#sql = {
      get: `SELECT record, voucher FROM ${s}.payments WHERE payment_id = $1`,
      getForUpdate: `SELECT record, voucher FROM ${s}.payments WHERE payment_id = $1 FOR UPDATE`,
      // One statement: the payment and its `created` entry, both or neither.
      insert: `WITH inserted AS (
                 INSERT INTO ${s}.payments
                   (payment_id, created_at, final, state, next_check_at, lease_until, provider, version, record, voucher)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (payment_id) DO NOTHING
                 RETURNING payment_id)
               INSERT INTO ${s}.payment_history (payment_id, seq, at, event, entry)
               SELECT payment_id, 1, $11, $12, $13 FROM inserted`,
      update: `UPDATE ${s}.payments SET created_at = $2, final = $3, state = $4, next_check_at = $5,
                 lease_until = $6, provider = $7, version = $8, record = $9, voucher = $10
               WHERE payment_id = $1 AND version = $11`,
      byTransaction: `SELECT p.record, p.voucher FROM ${s}.attempts_by_tx t JOIN ${s}.payments p USING (payment_id)
                      WHERE t.provider = $1 AND t.transaction_id = $2`,
      insertTransaction: `INSERT INTO ${s}.attempts_by_tx (provider, transaction_id, payment_id) VALUES ($1, $2, $3)`,
      lockSequence: `SELECT last_transaction_id FROM ${s}.tx_sequence WHERE name = $1 FOR UPDATE`,
      saveSequence: `UPDATE ${s}.tx_sequence SET last_transaction_id = $2 WHERE name = $1`,
      due: `SELECT record, voucher FROM ${s}.payments
            WHERE NOT final AND next_check_at IS NOT NULL AND next_check_at <= $1::timestamptz
              AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
            ORDER BY next_check_at, created_at, payment_id
            LIMIT $2
            FOR UPDATE SKIP LOCKED`,
      lease: `UPDATE ${s}.payments AS p SET lease_until = u.lease_until, version = u.version, record = u.record
              FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::text[], $5::bigint[])
                AS u (payment_id, lease_until, version, record, expected)
              WHERE p.payment_id = u.payment_id AND p.version = u.expected`,
      open: `SELECT record, voucher FROM ${s}.payments WHERE NOT final`,
      list: `SELECT record, voucher FROM ${s}.payments`,
      history: `SELECT entry FROM ${s}.payment_history WHERE payment_id = $1 ORDER BY seq`,
      nextSeq: `SELECT coalesce(max(seq), 0) + 1 AS seq FROM ${s}.payment_history WHERE payment_id = $1`,
      appendHistory: `INSERT INTO ${s}.payment_history (payment_id, seq, at, event, entry) VALUES ($1, $2, $3, $4, $5)`,
      insertSubmission: `INSERT INTO ${s}.registry_submissions (provider, day, kind, revision, version, record)
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      submission: `SELECT record FROM ${s}.registry_submissions
                   WHERE provider = $1 AND day = $2 AND kind = $3 AND revision = $4`,
      submissionForUpdate: `SELECT record FROM ${s}.registry_submissions
                            WHERE provider = $1 AND day = $2 AND kind = $3 AND revision = $4 FOR UPDATE`,
      updateSubmission: `UPDATE ${s}.registry_submissions SET version = $5, record = $6
                         WHERE provider = $1 AND day = $2 AND kind = $3 AND revision = $4 AND version = $7`,
      submissions: `SELECT record FROM ${s}.registry_submissions`,
    };
  }

  async create(payment: NewPayment): Promise<CreateResult> {
    this.#assertOpen();
    const record = newPaymentRecord(payment);
    const entry = createdEntry(record, checkedAudit(payment.audit));
    // One statement: of two instances creating the same id at once, PostgreSQL lets one insert and
    // makes the other wait for it, then do nothing.
    const inserted = await this.#pool.query(this.#sql.insert, [
      ...columns(record),
      entry.at,
      entry.event,
      JSON.stringify(entry),
    ]);
    if (inserted.rowCount === 1) return { record, created: true };
    const existing = await this.#read(this.#pool, payment.paymentId);
    if (existing === null) {
      // Unreachable (rows are never deleted); refuse rather than report a payment that is not there.
      throw new Error(`payment ${payment.paymentId}: neither inserted nor found`);
    }
    assertSamePayment(existing, payment);
    return { record: existing, created: false };
  }

  async get(paymentId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    return this.#read(this.#pool, paymentId);
  }

  async findByTransaction(provider: string, transactionId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    const result = await this.#pool.query<PaymentRow>(this.#sql.byTransaction, [provider, transactionId]);
    const row = result.rows[0];
    return row ? fromStoredRecord(row) : null;
  }

  async openAttempt(paymentId: string, expectedVersion: number, attempt: NewAttempt): Promise<PaymentRecord> {
    const audit = checkedAudit(attempt.audit);
    return this.#write(paymentId, async (client) => {
      const record = await this.#require(client, paymentId);
      if (record.attempts.some((a) => a.provider === attempt.provider)) return record;
      assertVersion(record, expectedVersion);
      // The sequence row lock is taken after the payment's, in every transaction: no lock-order cycle.
      const locked = await client.query<{ last_transaction_id: string | null }>(this.#sql.lockSequence, [
        JOURNAL_SEQUENCE,
      ]);
      const last = locked.rows[0]?.last_transaction_id ?? null;
      // The id floor follows the journal's clock (read after the lock), not a caller-supplied time.
      const now = this.#clock.now();
      const transactionId = nextTransactionId(last, now);
      const next = withAttempt(record, {
        provider: attempt.provider,
        serviceId: attempt.serviceId,
        transactionId,
        at: attempt.at ?? now,
      });
      await this.#save(client, next, record.version);
      await client.query(this.#sql.insertTransaction, [attempt.provider, transactionId, paymentId]);
      await client.query(this.#sql.saveSequence, [JOURNAL_SEQUENCE, transactionId]);
      await this.#append(client, (seq) => writeEntry(record, next, audit, seq), paymentId);
      return next;
    });
  }

  async transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord> {
    const audit = checkedAudit(change.audit);
    return this.#write(paymentId, async (client) => {
      const record = await this.#require(client, paymentId);
      assertVersion(record, expectedVersion);
      const next = applyTransition(record, change, this.#clock.now());
      await this.#save(client, next, record.version);
      await this.#append(client, (seq) => writeEntry(record, next, audit, seq), paymentId);
      return next;
    });
  }

  async history(paymentId: string): Promise<HistoryEntry[]> {
    this.#assertOpen();
    const result = await this.#pool.query<{ entry: string }>(this.#sql.history, [paymentId]);
    return result.rows.map((row) => JSON.parse(row.entry) as HistoryEntry);
  }

  async appendHistory(paymentId: string, note: HistoryNote): Promise<HistoryEntry> {
    const checked = checkedNote(note);
    return this.#write(paymentId, async (client) => {
      // The row lock serialises sequence numbers with every other write to the payment.
      const record = await this.#require(client, paymentId);
      const now = this.#clock.now();
      const entry = await this.#append(client, (seq) => noteEntry(record, checked, seq, now), paymentId);
      return entry as HistoryEntry;
    });
  }

  async startSubmission(input: NewSubmission): Promise<{ submission: RegistrySubmission; created: boolean }> {
    this.#assertOpen();
    const record = newSubmissionRecord(input);
    const inserted = await this.#pool.query(this.#sql.insertSubmission, [
      record.provider,
      record.date,
      record.kind,
      record.revision,
      record.version,
      JSON.stringify(record),
    ]);
    if (inserted.rowCount === 1) return { submission: record, created: true };
    const existing = await this.#readSubmission(this.#pool, record, false);
    if (existing === null) throw new Error(`submission ${submissionId(record)}: neither inserted nor found`);
    assertSameSubmission(existing, input);
    return { submission: existing, created: false };
  }

  async updateSubmission(
    key: SubmissionKey & { revision: number },
    expectedVersion: number,
    update: ChunkUpdate,
  ): Promise<RegistrySubmission> {
    const checked = { ...assertSubmissionKey(key), revision: key.revision };
    return this.#write(submissionId(checked), async (client) => {
      const current = await this.#readSubmission(client, checked, true);
      if (current === null) throw new JournalConflictError(submissionId(checked), 'does not exist');
      if (current.version !== expectedVersion) {
        throw new JournalConflictError(
          submissionId(checked),
          `version is ${current.version}, expected ${expectedVersion} (written concurrently)`,
        );
      }
      const next = applyChunkUpdate(current, update);
      await client.query(this.#sql.updateSubmission, [
        next.provider,
        next.date,
        next.kind,
        next.revision,
        next.version,
        JSON.stringify(next),
        expectedVersion,
      ]);
      return next;
    });
  }

  async submissions(query: SubmissionQuery = {}): Promise<RegistrySubmission[]> {
    this.#assertOpen();
    const where: string[] = [];
    const params: string[] = [];
    for (const [column, value] of [
      ['provider', query.provider],
      ['day', query.date],
      ['kind', query.kind],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    const sql = `${this.#sql.submissions} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const result = await this.#pool.query<{ record: string }>(sql, params);
    return result.rows.map((row) => JSON.parse(row.record) as RegistrySubmission).sort(compareSubmissions);
  }

  async claimDue(options: ClaimOptions): Promise<PaymentRecord[]> {
    return this.#write(null, async (client) => {
      const limit = Math.max(0, Math.floor(options.limit));
      // SKIP LOCKED: rows another instance is claiming right now are left to it, never waited for.
      const due = await client.query<PaymentRow>(this.#sql.due, [options.now.toISOString(), limit]);
      const leased = due.rows
        .map(fromStoredRecord)
        .filter((record) => isClaimable(record, options.now))
        .map((record) => withLease(record, options.owner, options.now, options.leaseMs));
      if (leased.length === 0) return [];
      const updated = await client.query(this.#sql.lease, [
        leased.map((r) => r.paymentId),
        leased.map((r) => r.lease?.until ?? null),
        leased.map((r) => r.version),
        // The voucher column is not touched by a claim: the record's JSON never holds it.
        leased.map((r) => toStoredRow(r).record),
        leased.map((r) => r.version - 1),
      ]);
      // Unreachable with the rows locked; the last line of defence against leasing a changed record.
      if (updated.rowCount !== leased.length) {
        throw new JournalConflictError(leased[0]!.paymentId, 'changed while being claimed');
      }
      return leased;
    });
  }

  async list(query: ListQuery = {}): Promise<PaymentRecord[]> {
    this.#assertOpen();
    const where: string[] = [];
    const params: (string | boolean | number)[] = [];
    const param = (value: string | boolean | number) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.from) where.push(`created_at >= ${param(query.from.toISOString())}::timestamptz`);
    if (query.to) where.push(`created_at < ${param(query.to.toISOString())}::timestamptz`);
    if (query.provider !== undefined) where.push(`provider = ${param(query.provider)}`);
    if (query.final !== undefined) where.push(`final = ${param(query.final)}`);
    if (query.after) {
      const createdAt = param(query.after.createdAt);
      where.push(`(created_at, payment_id) > (${createdAt}::timestamptz, ${param(query.after.paymentId)})`);
    }
    const limit = query.limit === undefined ? 'ALL' : param(Math.max(0, Math.floor(query.limit)));
    const sql = `${this.#sql.list} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at, payment_id LIMIT ${limit}`;
    const result = await this.#pool.query<PaymentRow>(sql, params);
    // The SQL does the filtering; core's predicate double-checks it with the same rules as every journal.
    return result.rows
      .map(fromStoredRecord)
      .filter((record) => matchesQuery(record, query))
      .sort(compareKeys);
  }

  async openSummary(): Promise<OpenGroup[]> {
    this.#assertOpen();
    const result = await this.#pool.query<PaymentRow>(this.#sql.open);
    return summarise(result.rows.map(fromStoredRecord));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // An injected pool belongs to the caller, who may share it with other work.
    if (this.#ownsPool) await this.#pool.end();
  }

  /**
   * One transaction. A write PostgreSQL rolled back because of a concurrent writer (serialization
   * failure, deadlock, unique violation) is a JournalConflictError: nothing was written, re-read and
   * retry. Anything else (a lost connection, even at COMMIT) is rethrown as it is: the write may or may
   * not have happened.
   */
  async #write<T>(paymentId: string | null, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await inTransaction(this.#pool, body);
    } catch (error) {
      if (isConcurrencyFailure(error)) {
        throw new JournalConflictError(paymentId ?? '(claim)', 'written concurrently (rolled back)', {
          cause: error,
        });
      }
      throw error;
    }
  }

  async #read(db: Queryable, paymentId: string): Promise<PaymentRecord | null> {
    const result = await db.query<PaymentRow>(this.#sql.get, [paymentId]);
    const row = result.rows[0];
    return row ? fromStoredRecord(row) : null;
  }

  async #readSubmission(
    db: Queryable,
    key: SubmissionKey & { revision: number },
    lock: boolean,
  ): Promise<RegistrySubmission | null> {
    const result = await db.query<{ record: string }>(
      lock ? this.#sql.submissionForUpdate : this.#sql.submission,
      [key.provider, key.date, key.kind, key.revision],
    );
    const row = result.rows[0];
    return row === undefined ? null : (JSON.parse(row.record) as RegistrySubmission);
  }

  /**
   * Inserts the entry `build` makes from the payment's next sequence number, inside the write's
   * transaction (the payment's row is locked, so numbers never collide); nothing for a null entry.
   */
  async #append(
    client: pg.PoolClient,
    build: (seq: number) => HistoryEntry | null,
    paymentId: string,
  ): Promise<HistoryEntry | null> {
    // A bookkeeping write appends nothing: no need to ask for a number.
    if (build(0) === null) return null;
    const next = await client.query<{ seq: number }>(this.#sql.nextSeq, [paymentId]);
    const entry = build(Number(next.rows[0]?.seq ?? 1));
    if (entry === null) return null;
    await client.query(this.#sql.appendHistory, [
      entry.paymentId,
      entry.seq,
      entry.at,
      entry.event,
      JSON.stringify(entry),
    ]);
    return entry;
  }

  /** Reads and locks the payment's row until the transaction ends. */
  async #require(client: pg.PoolClient, paymentId: string): Promise<PaymentRecord> {
    const result = await client.query<PaymentRow>(this.#sql.getForUpdate, [paymentId]);
    const row = result.rows[0];
    if (!row) throw new JournalConflictError(paymentId, 'does not exist');
    return fromStoredRecord(row);
  }

  async #save(client: pg.PoolClient, record: PaymentRecord, expectedVersion: number): Promise<void> {
    const result = await client.query(this.#sql.update, [...columns(record), expectedVersion]);
    // Unreachable with the row locked FOR UPDATE; kept as the last line of defence.
    if (result.rowCount !== 1) {
      throw new JournalConflictError(
        record.paymentId,
        `version changed under the write (expected ${expectedVersion})`,
      );
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('journal is closed');
  }
}

/** The stored row, in the order of the insert and update statements. */
function columns(record: PaymentRecord): (string | number | boolean | null)[] {
  const row = toStoredRow(record);
  return [
    row.paymentId,
    row.createdAt,
    row.final,
    row.state,
    row.nextCheckAt,
    row.leaseUntil,
    row.provider,
    row.version,
    row.record,
    row.voucher,
  ];
}
