import * as z from 'zod';
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
    this.#payments.set(record.paymentId, record);
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
    const now = this.#clock.now();
    const at = attempt.at ?? now;
    // The id floor follows the journal's clock, not a caller-supplied time.
    const transactionId = nextTransactionId(this.#lastTransactionId, now);
    const next = withAttempt(record, { ...attempt, transactionId, at });
    this.#lastTransactionId = transactionId;
    this.#byTransaction.set(key(attempt.provider, transactionId), paymentId);
    this.#payments.set(paymentId, next);
    return clone(next);
  }

  async transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord> {
    const record = this.#require(paymentId);
    assertVersion(record, expectedVersion);
    const next = applyTransition(record, change, this.#clock.now());
    this.#payments.set(paymentId, next);
    return clone(next);
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

function key(provider: string, transactionId: string): string {
  return `${provider}\u0000${transactionId}`;
}

function clone(record: PaymentRecord): PaymentRecord {
  return structuredClone(record);
}
