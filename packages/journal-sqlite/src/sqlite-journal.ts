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
  ConfigError,
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
import Database from 'better-sqlite3';
import { nativeModuleError } from './native-module.js';
import { parseOptions, type SqliteJournalOptions } from './options.js';
import { migrate } from './schema.js';

/**
 * One sequence for the whole journal (row key in tx_sequence): ids are unique across providers too, so
 * two provider instances configured on the same agent can never hand one TransactionID to two payments.
 */
const JOURNAL_SEQUENCE = '*';

type PaymentRow = StoredRecord;

/**
 * The embedded default journal (architecture §1): one SQLite file in WAL mode. Every write runs in an
 * IMMEDIATE transaction, so several processes on one file never double-claim a payment or allocate
 * the same transaction id; the record logic is core's (journal-records), this class only stores and
 * indexes it.
 *
 * Durability: `synchronous = FULL`. In WAL mode NORMAL survives a process crash but may lose the last
 * commits on power loss or an OS crash; losing an attempt written before a send could let a recovered
 * router pay again under a new transaction id. One fsync per write costs far less than the provider
 * round trip it protects.
 */
export function createSqliteJournal(options: SqliteJournalOptions): PaymentJournal {
  const parsed = parseOptions(options);
  return new SqliteJournal(parsed.path, parsed.clock ?? systemClock, parsed.busyTimeoutMs);
}

/** The journal's own SQLite connection, or null for another journal: for tests of per-connection settings. */
export function connectionOf(journal: PaymentJournal): Database.Database | null {
  return SqliteJournal.connectionOf(journal);
}

/**
 * Opens the file, turning what better-sqlite3 throws into a typed error: its native module unusable →
 * JournalUnavailableError; a bad path (a folder, no rights) → ConfigError.
 */
function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  try {
    return new Database(path, { timeout: busyTimeoutMs });
  } catch (error) {
    const native = nativeModuleError(error);
    if (native !== null) throw native;
    const code = (error as { code?: unknown }).code;
    const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    throw new ConfigError('path', `cannot open ${path} as a database file (${detail})`, { cause: error });
  }
}

function readIdentity(db: Database.Database): string {
  const row = db.prepare<[], { id: string }>('SELECT id FROM journal_identity').get();
  if (row === undefined) throw new Error('the journal has no identity row (a damaged file?)');
  return row.id;
}

class SqliteJournal implements PaymentJournal {
  readonly identity: string;
  readonly #db: Database.Database;
  readonly #statements;
  readonly #clock: Clock;

  /** The journal's own connection: per-connection settings can only be read on it (tests). */
  static connectionOf(journal: PaymentJournal): Database.Database | null {
    return journal instanceof SqliteJournal ? journal.#db : null;
  }

  constructor(path: string, clock: Clock, busyTimeoutMs: number) {
    this.#clock = clock;
    this.#db = openDatabase(path, busyTimeoutMs);
    try {
      if (path !== ':memory:') this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('foreign_keys = ON');
      migrate(this.#db, path, clock);
      this.identity = readIdentity(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const db = this.#db;
    this.#statements = {
      get: db.prepare<[string], PaymentRow>('SELECT record, voucher FROM payments WHERE payment_id = ?'),
      insert: db.prepare(
        `INSERT INTO payments (payment_id, created_at, final, state, next_check_at, lease_until, provider, version, record, voucher)
         VALUES (@paymentId, @createdAt, @final, @state, @nextCheckAt, @leaseUntil, @provider, @version, @record, @voucher)`,
      ),
      update: db.prepare(
        `UPDATE payments SET final = @final, state = @state, next_check_at = @nextCheckAt,
           lease_until = @leaseUntil, provider = @provider, version = @version, record = @record,
           voucher = @voucher
         WHERE payment_id = @paymentId AND version = @expectedVersion`,
      ),
      byTransaction: db.prepare<[string, string], { payment_id: string }>(
        'SELECT payment_id FROM attempts_by_tx WHERE provider = ? AND transaction_id = ?',
      ),
      insertTransaction: db.prepare(
        'INSERT INTO attempts_by_tx (provider, transaction_id, payment_id) VALUES (?, ?, ?)',
      ),
      lastTransaction: db.prepare<[string], { last_transaction_id: string }>(
        'SELECT last_transaction_id FROM tx_sequence WHERE provider = ?',
      ),
      saveTransaction: db.prepare(
        `INSERT INTO tx_sequence (provider, last_transaction_id) VALUES (?, ?)
         ON CONFLICT (provider) DO UPDATE SET last_transaction_id = excluded.last_transaction_id`,
      ),
      due: db.prepare<[string, string, number], PaymentRow>(
        `SELECT record, voucher FROM payments
         WHERE final = 0 AND next_check_at IS NOT NULL AND next_check_at <= ?
           AND (lease_until IS NULL OR lease_until <= ?)
         ORDER BY next_check_at, created_at, payment_id LIMIT ?`,
      ),
      open: db.prepare<[], PaymentRow>('SELECT record, voucher FROM payments WHERE final = 0'),
      history: db.prepare<[string], { entry: string }>(
        'SELECT entry FROM payment_history WHERE payment_id = ? ORDER BY seq',
      ),
      nextSeq: db.prepare<[string], { seq: number }>(
        'SELECT coalesce(max(seq), 0) + 1 AS seq FROM payment_history WHERE payment_id = ?',
      ),
      appendHistory: db.prepare(
        'INSERT INTO payment_history (payment_id, seq, at, event, entry) VALUES (?, ?, ?, ?, ?)',
      ),
      submission: db.prepare<[string, string, string, number], { record: string }>(
        'SELECT record FROM registry_submissions WHERE provider = ? AND date = ? AND kind = ? AND revision = ?',
      ),
      insertSubmission: db.prepare(
        'INSERT INTO registry_submissions (provider, date, kind, revision, version, record) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateSubmission: db.prepare(
        `UPDATE registry_submissions SET version = ?, record = ?
         WHERE provider = ? AND date = ? AND kind = ? AND revision = ? AND version = ?`,
      ),
    };
  }

  async create(payment: NewPayment): Promise<CreateResult> {
    return this.#write(() => {
      const existing = this.#read(payment.paymentId);
      if (existing) {
        assertSamePayment(existing, payment);
        return { record: existing, created: false };
      }
      const record = newPaymentRecord(payment);
      const entry = createdEntry(record, checkedAudit(payment.audit));
      this.#statements.insert.run(columns(record));
      this.#append(entry);
      return { record, created: true };
    });
  }

  async get(paymentId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    return this.#read(paymentId);
  }

  async findByTransaction(provider: string, transactionId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    const row = this.#statements.byTransaction.get(provider, transactionId);
    return row ? this.#read(row.payment_id) : null;
  }

  async openAttempt(paymentId: string, expectedVersion: number, attempt: NewAttempt): Promise<PaymentRecord> {
    return this.#write(() => {
      const record = this.#require(paymentId);
      if (record.attempts.some((a) => a.provider === attempt.provider)) return record;
      assertVersion(record, expectedVersion);
      const audit = checkedAudit(attempt.audit);
      const now = this.#clock.now();
      const last = this.#statements.lastTransaction.get(JOURNAL_SEQUENCE)?.last_transaction_id ?? null;
      const transactionId = nextTransactionId(last, now);
      const next = withAttempt(record, {
        provider: attempt.provider,
        serviceId: attempt.serviceId,
        transactionId,
        at: attempt.at ?? now,
      });
      this.#save(next, record.version);
      this.#append(writeEntry(record, next, audit, this.#nextSeq(paymentId)));
      this.#statements.insertTransaction.run(attempt.provider, transactionId, paymentId);
      this.#statements.saveTransaction.run(JOURNAL_SEQUENCE, transactionId);
      return next;
    });
  }

  async transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord> {
    return this.#write(() => {
      const record = this.#require(paymentId);
      assertVersion(record, expectedVersion);
      const audit = checkedAudit(change.audit);
      const next = applyTransition(record, change, this.#clock.now());
      this.#save(next, record.version);
      this.#append(writeEntry(record, next, audit, this.#nextSeq(paymentId)));
      return next;
    });
  }

  async history(paymentId: string): Promise<HistoryEntry[]> {
    this.#assertOpen();
    return this.#statements.history.all(paymentId).map((row) => JSON.parse(row.entry) as HistoryEntry);
  }

  async appendHistory(paymentId: string, note: HistoryNote): Promise<HistoryEntry> {
    const checked = checkedNote(note);
    return this.#write(() => {
      const record = this.#require(paymentId);
      const entry = noteEntry(record, checked, this.#nextSeq(paymentId), this.#clock.now());
      this.#append(entry);
      return entry;
    });
  }

  async startSubmission(input: NewSubmission): Promise<{ submission: RegistrySubmission; created: boolean }> {
    const record = newSubmissionRecord(input);
    return this.#write(() => {
      const existing = this.#readSubmission(record);
      if (existing !== null) {
        assertSameSubmission(existing, input);
        return { submission: existing, created: false };
      }
      this.#statements.insertSubmission.run(
        record.provider,
        record.date,
        record.kind,
        record.revision,
        record.version,
        JSON.stringify(record),
      );
      return { submission: record, created: true };
    });
  }

  async updateSubmission(
    key: SubmissionKey & { revision: number },
    expectedVersion: number,
    update: ChunkUpdate,
  ): Promise<RegistrySubmission> {
    const checked = { ...assertSubmissionKey(key), revision: key.revision };
    return this.#write(() => {
      const current = this.#readSubmission(checked);
      if (current === null) throw new JournalConflictError(submissionId(checked), 'does not exist');
      if (current.version !== expectedVersion) {
        throw new JournalConflictError(
          submissionId(checked),
          `version is ${current.version}, expected ${expectedVersion} (written concurrently)`,
        );
      }
      const next = applyChunkUpdate(current, update);
      this.#statements.updateSubmission.run(
        next.version,
        JSON.stringify(next),
        next.provider,
        next.date,
        next.kind,
        next.revision,
        expectedVersion,
      );
      return next;
    });
  }

  async submissions(query: SubmissionQuery = {}): Promise<RegistrySubmission[]> {
    this.#assertOpen();
    const where: string[] = [];
    const params: string[] = [];
    for (const [column, value] of [
      ['provider', query.provider],
      ['date', query.date],
      ['kind', query.kind],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const sql = `SELECT record FROM registry_submissions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return this.#db
      .prepare<string[], { record: string }>(sql)
      .all(...params)
      .map((row) => JSON.parse(row.record) as RegistrySubmission)
      .sort(compareSubmissions);
  }

  async claimDue(options: ClaimOptions): Promise<PaymentRecord[]> {
    return this.#write(() => {
      const now = options.now.toISOString();
      const rows = this.#statements.due.all(now, now, Math.max(0, Math.floor(options.limit)));
      const claimed: PaymentRecord[] = [];
      for (const row of rows) {
        const record = fromStoredRecord(row);
        if (!isClaimable(record, options.now)) continue;
        const leased = withLease(record, options.owner, options.now, options.leaseMs);
        this.#save(leased, record.version);
        claimed.push(leased);
      }
      return claimed;
    });
  }

  async list(query: ListQuery = {}): Promise<PaymentRecord[]> {
    this.#assertOpen();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.from) {
      where.push('created_at >= ?');
      params.push(query.from.toISOString());
    }
    if (query.to) {
      where.push('created_at < ?');
      params.push(query.to.toISOString());
    }
    if (query.provider !== undefined) {
      where.push('provider = ?');
      params.push(query.provider);
    }
    if (query.final !== undefined) {
      where.push('final = ?');
      params.push(query.final ? 1 : 0);
    }
    if (query.after) {
      where.push('(created_at, payment_id) > (?, ?)');
      params.push(query.after.createdAt, query.after.paymentId);
    }
    const limit = query.limit === undefined ? -1 : Math.max(0, Math.floor(query.limit));
    const sql = `SELECT record, voucher FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at, payment_id LIMIT ?`;
    const rows = this.#db.prepare<(string | number)[], PaymentRow>(sql).all(...params, limit);
    // The SQL does the filtering; core's predicate double-checks it with the same rules as every journal.
    return rows
      .map(fromStoredRecord)
      .filter((record) => matchesQuery(record, query))
      .sort(compareKeys);
  }

  async openSummary(): Promise<OpenGroup[]> {
    this.#assertOpen();
    return summarise(this.#statements.open.all().map(fromStoredRecord));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `body` in an IMMEDIATE transaction: the write lock is taken before the first read. */
  #write<T>(body: () => T): T {
    this.#assertOpen();
    return this.#db.transaction(body).immediate();
  }

  #read(paymentId: string): PaymentRecord | null {
    const row = this.#statements.get.get(paymentId);
    return row ? fromStoredRecord(row) : null;
  }

  #readSubmission(key: SubmissionKey & { revision: number }): RegistrySubmission | null {
    const row = this.#statements.submission.get(key.provider, key.date, key.kind, key.revision);
    return row === undefined ? null : (JSON.parse(row.record) as RegistrySubmission);
  }

  #nextSeq(paymentId: string): number {
    return this.#statements.nextSeq.get(paymentId)?.seq ?? 1;
  }

  /** Inserts a history entry; call only inside the write's transaction. */
  #append(entry: HistoryEntry | null): void {
    if (entry === null) return;
    this.#statements.appendHistory.run(
      entry.paymentId,
      entry.seq,
      entry.at,
      entry.event,
      JSON.stringify(entry),
    );
  }

  #require(paymentId: string): PaymentRecord {
    const record = this.#read(paymentId);
    if (!record) throw new JournalConflictError(paymentId, 'does not exist');
    return record;
  }

  #save(record: PaymentRecord, expectedVersion: number): void {
    const result = this.#statements.update.run({ ...columns(record), expectedVersion });
    // Unreachable inside an IMMEDIATE transaction that read the row; kept as the last line of defence.
    if (result.changes !== 1) {
      throw new JournalConflictError(
        record.paymentId,
        `version changed under the write (expected ${expectedVersion})`,
      );
    }
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error('journal is closed');
  }
}

/** The row's parameters: the stored row, with SQLite's 0/1 for a boolean. */
function columns(record: PaymentRecord) {
  const row = toStoredRow(record);
  return { ...row, final: row.final ? 1 : 0 };
}
