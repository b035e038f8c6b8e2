import * as z from 'zod';
import type { HistoryEntry, HistoryNote } from './audit.js';
import { JournalConflictError } from './errors.js';
import type {
  ClaimOptions,
  CreateResult,
  ListQuery,
  NewAttempt,
  NewPayment,
  OpenGroup,
  PaymentJournal,
  PaymentRecord,
  Transition,
} from './journal.js';
import { checkedAudit, checkedNote, createdEntry, noteEntry, writeEntry } from './journal-history.js';
import {
  applyTransition,
  assertSamePayment,
  assertVersion,
  compareKeys,
  isClaimable,
  matchesQuery,
  newPaymentRecord,
  nextTransactionId,
  summarise,
  withAttempt,
  withLease,
} from './journal-records.js';
import {
  applyChunkUpdate,
  assertSameSubmission,
  assertSubmissionKey,
  compareSubmissions,
  matchesSubmission,
  newSubmissionRecord,
  submissionId,
} from './journal-submissions.js';
import type {
  ChunkUpdate,
  NewSubmission,
  RegistrySubmission,
  SubmissionKey,
  SubmissionQuery,
} from './registry-submission.js';
import { type Clock, systemClock } from './tokens.js';
import { clockSchema, parseConfig } from './validation.js';

export interface MemoryJournalOptions {
  clock?: Clock;
}

const optionsSchema = z.object({ clock: clockSchema.default(systemClock) }).strict();

/**
 * A journal in process memory: for tests, examples and single-process tools. It loses everything on
 * exit, so production uses @tolem/journal-sqlite (or a shared journal for several instances).
 */
export function createMemoryJournal(options: MemoryJournalOptions = {}): PaymentJournal {
  const { clock } = parseConfig(optionsSchema, options);
  return new MemoryJournal(clock);
}

class MemoryJournal implements PaymentJournal {
  /** One per journal object: routers sharing this object share its identity. */
  readonly identity: string = globalThis.crypto.randomUUID();
  readonly #payments = new Map<string, PaymentRecord>();
  readonly #byTransaction = new Map<string, string>();
  /** Append-only: entries are pushed, never changed or removed. */
  readonly #histories = new Map<string, HistoryEntry[]>();
  readonly #submissionsByKey = new Map<string, RegistrySubmission>();
  /** One sequence for the whole journal: unique across providers (two instances may share an agent). */
  #lastTransactionId: string | null = null;
  #closed = false;

  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async create(payment: NewPayment): Promise<CreateResult> {
    this.#assertOpen();
    const existing = this.#payments.get(payment.paymentId);
    if (existing) {
      assertSamePayment(existing, payment);
      return { record: clone(existing), created: false };
    }
    const record = newPaymentRecord(payment);
    const entry = createdEntry(record, checkedAudit(payment.audit));
    this.#payments.set(record.paymentId, record);
    this.#histories.set(record.paymentId, [entry]);
    return { record: clone(record), created: true };
  }

  async get(paymentId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    const record = this.#payments.get(paymentId);
    return record ? clone(record) : null;
  }

  async findByTransaction(provider: string, transactionId: string): Promise<PaymentRecord | null> {
    this.#assertOpen();
    const paymentId = this.#byTransaction.get(key(provider, transactionId));
    return paymentId === undefined ? null : this.get(paymentId);
  }

  async openAttempt(paymentId: string, expectedVersion: number, attempt: NewAttempt): Promise<PaymentRecord> {
    const record = this.#require(paymentId);
    if (record.attempts.some((a) => a.provider === attempt.provider)) return clone(record);
    assertVersion(record, expectedVersion);
    const audit = checkedAudit(attempt.audit);
    const now = this.#clock.now();
    const at = attempt.at ?? now;
    // The id floor follows the journal's clock, not a caller-supplied time.
    const transactionId = nextTransactionId(this.#lastTransactionId, now);
    const next = withAttempt(record, {
      provider: attempt.provider,
      serviceId: attempt.serviceId,
      transactionId,
      at,
    });
    this.#append(writeEntry(record, next, audit, this.#nextSeq(paymentId)));
    this.#lastTransactionId = transactionId;
    this.#byTransaction.set(key(attempt.provider, transactionId), paymentId);
    this.#payments.set(paymentId, next);
    return clone(next);
  }

  async transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord> {
    const record = this.#require(paymentId);
    assertVersion(record, expectedVersion);
    const audit = checkedAudit(change.audit);
    const next = applyTransition(record, change, this.#clock.now());
    this.#append(writeEntry(record, next, audit, this.#nextSeq(paymentId)));
    this.#payments.set(paymentId, next);
    return clone(next);
  }

  async history(paymentId: string): Promise<HistoryEntry[]> {
    this.#assertOpen();
    return structuredClone(this.#histories.get(paymentId) ?? []);
  }

  async appendHistory(paymentId: string, note: HistoryNote): Promise<HistoryEntry> {
    const checked = checkedNote(note);
    const record = this.#require(paymentId);
    const entry = noteEntry(record, checked, this.#nextSeq(paymentId), this.#clock.now());
    this.#append(entry);
    return structuredClone(entry);
  }

  async startSubmission(input: NewSubmission): Promise<{ submission: RegistrySubmission; created: boolean }> {
    this.#assertOpen();
    const record = newSubmissionRecord(input);
    const existing = this.#submissionsByKey.get(submissionKey(record));
    if (existing) {
      assertSameSubmission(existing, input);
      return { submission: structuredClone(existing), created: false };
    }
    this.#submissionsByKey.set(submissionKey(record), record);
    return { submission: structuredClone(record), created: true };
  }

  async updateSubmission(
    key: SubmissionKey & { revision: number },
    expectedVersion: number,
    update: ChunkUpdate,
  ): Promise<RegistrySubmission> {
    this.#assertOpen();
    const checked = { ...assertSubmissionKey(key), revision: key.revision };
    const current = this.#submissionsByKey.get(submissionKey(checked));
    if (current === undefined) throw new JournalConflictError(submissionId(checked), 'does not exist');
    if (current.version !== expectedVersion) {
      throw new JournalConflictError(
        submissionId(checked),
        `version is ${current.version}, expected ${expectedVersion} (written concurrently)`,
      );
    }
    const next = applyChunkUpdate(current, update);
    this.#submissionsByKey.set(submissionKey(next), next);
    return structuredClone(next);
  }

  async submissions(query: SubmissionQuery = {}): Promise<RegistrySubmission[]> {
    this.#assertOpen();
    return [...this.#submissionsByKey.values()]
      .filter((submission) => matchesSubmission(submission, query))
      .sort(compareSubmissions)
      .map((submission) => structuredClone(submission));
  }

  #nextSeq(paymentId: string): number {
    return (this.#histories.get(paymentId)?.length ?? 0) + 1;
  }

  #append(entry: HistoryEntry | null): void {
    if (entry === null) return;
    const entries = this.#histories.get(entry.paymentId) ?? [];
    entries.push(entry);
    this.#histories.set(entry.paymentId, entries);
  }

  async claimDue(options: ClaimOptions): Promise<PaymentRecord[]> {
    this.#assertOpen();
    const due = [...this.#payments.values()]
      .filter((record) => isClaimable(record, options.now))
      .sort((a, b) => (a.nextCheckAt ?? '').localeCompare(b.nextCheckAt ?? '') || compareKeys(a, b))
      .slice(0, options.limit);
    return due.map((record) => {
      const leased = withLease(record, options.owner, options.now, options.leaseMs);
      this.#payments.set(record.paymentId, leased);
      return clone(leased);
    });
  }

  async list(query: ListQuery = {}): Promise<PaymentRecord[]> {
    this.#assertOpen();
    return [...this.#payments.values()]
      .filter((record) => matchesQuery(record, query))
      .sort(compareKeys)
      .slice(0, query.limit ?? Number.POSITIVE_INFINITY)
      .map(clone);
  }

  async openSummary(): Promise<OpenGroup[]> {
    this.#assertOpen();
    return summarise(this.#payments.values());
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #require(paymentId: string): PaymentRecord {
    this.#assertOpen();
    const record = this.#payments.get(paymentId);
    if (!record) throw new JournalConflictError(paymentId, 'does not exist');
    return record;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('journal is closed');
  }
}

function submissionKey(key: SubmissionKey & { revision: number }): string {
  return `${key.provider}\u0000${key.date}\u0000${key.kind}\u0000${key.revision}`;
}

function key(provider: string, transactionId: string): string {
  return `${provider}\u0000${transactionId}`;
}

function clone(record: PaymentRecord): PaymentRecord {
  return structuredClone(record);
}
