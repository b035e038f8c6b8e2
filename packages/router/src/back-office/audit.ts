import type {
  Audit,
  AuditActorKind,
  ChunkUpdate,
  ClaimOptions,
  CreateResult,
  HistoryEntry,
  HistoryNote,
  ListQuery,
  NewAttempt,
  NewPayment,
  NewSubmission,
  OpenGroup,
  Outcome,
  PaymentJournal,
  PaymentRecord,
  RegistrySubmission,
  SubmissionKey,
  SubmissionQuery,
  Transition,
} from '@tolem/core';
import type { RouterContext } from '../lifecycle/context.js';

/**
 * The router's journal as a writer sees it: every write that carries no audit of its own is signed with
 * `audit()` — who writes (this instance as router, finalizer or callback intake) and, when the writer
 * knows it, the provider answer behind the write. Reads and everything else pass straight through.
 */
class AuditedJournal implements PaymentJournal {
  readonly inner: PaymentJournal;
  readonly #audit: () => Audit;

  constructor(inner: PaymentJournal, audit: () => Audit) {
    this.inner = inner;
    this.#audit = audit;
  }

  get identity(): string | undefined {
    return this.inner.identity;
  }

  create(payment: NewPayment): Promise<CreateResult> {
    return this.inner.create(payment.audit === undefined ? { ...payment, audit: this.#audit() } : payment);
  }

  openAttempt(paymentId: string, expectedVersion: number, attempt: NewAttempt): Promise<PaymentRecord> {
    const signed = attempt.audit === undefined ? { ...attempt, audit: this.#audit() } : attempt;
    return this.inner.openAttempt(paymentId, expectedVersion, signed);
  }

  transition(paymentId: string, expectedVersion: number, change: Transition): Promise<PaymentRecord> {
    const signed = change.audit === undefined ? { ...change, audit: this.#audit() } : change;
    return this.inner.transition(paymentId, expectedVersion, signed);
  }

  get(paymentId: string): Promise<PaymentRecord | null> {
    return this.inner.get(paymentId);
  }
  findByTransaction(provider: string, transactionId: string): Promise<PaymentRecord | null> {
    return this.inner.findByTransaction(provider, transactionId);
  }
  claimDue(options: ClaimOptions): Promise<PaymentRecord[]> {
    return this.inner.claimDue(options);
  }
  list(query?: ListQuery): Promise<PaymentRecord[]> {
    return this.inner.list(query);
  }
  openSummary(): Promise<OpenGroup[]> {
    return this.inner.openSummary();
  }
  history(paymentId: string): Promise<HistoryEntry[]> {
    return this.inner.history(paymentId);
  }
  appendHistory(paymentId: string, note: HistoryNote): Promise<HistoryEntry> {
    return this.inner.appendHistory(paymentId, note);
  }
  startSubmission(input: NewSubmission): Promise<{ submission: RegistrySubmission; created: boolean }> {
    return this.inner.startSubmission(input);
  }
  updateSubmission(
    key: SubmissionKey & { revision: number },
    expectedVersion: number,
    update: ChunkUpdate,
  ): Promise<RegistrySubmission> {
    return this.inner.updateSubmission(key, expectedVersion, update);
  }
  submissions(query?: SubmissionQuery): Promise<RegistrySubmission[]> {
    return this.inner.submissions(query);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `journal` with every unsigned write signed by `audit()`. */
export function auditedJournal(journal: PaymentJournal, audit: () => Audit): PaymentJournal {
  const inner = journal instanceof AuditedJournal ? journal.inner : journal;
  return new AuditedJournal(inner, audit);
}

/** What a writer learns while it works and its writes should carry: the answer behind them, and why. */
export interface AuditFrame {
  reason?: string;
  answer?: Outcome;
}

/**
 * The router's context for one kind of writer: the same context, its journal's writes signed as this
 * instance acting as `kind`, with what `frame` holds at the moment of each write.
 */
export function asActor(ctx: RouterContext, kind: AuditActorKind, frame: AuditFrame = {}): RouterContext {
  const actor = { kind, name: ctx.options.instanceId };
  return {
    ...ctx,
    journal: auditedJournal(ctx.journal, () => {
      const audit: Audit = { actor };
      if (frame.reason !== undefined) audit.reason = frame.reason;
      if (frame.answer !== undefined) audit.answer = frame.answer;
      return audit;
    }),
  };
}

/** The longest provider message an entry quotes: an HTML error page is not kept whole. */
const ANSWER_MESSAGE_CHARS = 1_000;

/** A provider's answer as an entry quotes it: the outcome only (no ids, no voucher code). */
export function answerOf(result: Outcome): Outcome {
  const message =
    result.message !== null && result.message.length > ANSWER_MESSAGE_CHARS
      ? `${result.message.slice(0, ANSWER_MESSAGE_CHARS)}…`
      : result.message;
  return {
    state: result.state,
    final: result.final,
    reason: result.reason,
    providerStatus: result.providerStatus,
    message,
  };
}
