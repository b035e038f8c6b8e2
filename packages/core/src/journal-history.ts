/**
 * The history rules every journal shares (architecture §4.8): which entry a write appends, from the
 * record before and after it, so that a SQLite or PostgreSQL journal only stores rows. A journal calls
 * these before it writes (a malformed audit is refused, nothing written) and inserts the entry in the
 * same transaction as the record.
 */
import {
  type AttemptChange,
  type AttemptSnapshot,
  AUDIT_ACTOR_KINDS,
  type Audit,
  type AuditActor,
  HISTORY_EVENTS,
  HISTORY_NOTE_EVENTS,
  type HistoryEntry,
  type HistoryEvent,
  type HistoryNote,
  type PaymentSnapshot,
  UNATTRIBUTED,
} from './audit.js';
import { ValidationError } from './errors.js';
import type { AttemptRecord, PaymentRecord } from './journal.js';
import { isFinal, isReason, type Outcome, PAYMENT_STATES } from './model.js';

/** Longest actor name, reason word, and note or evidence text an entry keeps. */
export const AUDIT_LIMITS = Object.freeze({ name: 128, reason: 64, text: 4_000 });

export function paymentSnapshot(record: PaymentRecord): PaymentSnapshot {
  return {
    state: record.state,
    final: record.final,
    reason: record.reason,
    providerStatus: record.providerStatus,
    message: record.message,
    checks: record.checks,
    stuck: record.stuckAt !== null,
    attempts: record.attempts.length,
    voucherKept: (record.voucher ?? null) !== null,
  };
}

export function attemptSnapshot(attempt: AttemptRecord): AttemptSnapshot {
  return {
    no: attempt.no,
    provider: attempt.provider,
    serviceId: attempt.serviceId,
    transactionId: attempt.transactionId,
    state: attempt.state,
    final: attempt.final,
    reason: attempt.reason,
    providerStatus: attempt.providerStatus,
    message: attempt.message,
    providerRequestId: attempt.providerRequestId,
    sends: attempt.sends,
  };
}

const AUDIT_FIELDS: readonly string[] = ['actor', 'reason', 'note', 'evidence', 'answer'];

/** A copy of `audit` checked field by field; ValidationError naming `audit.<field>` otherwise. */
export function checkedAudit(audit: unknown): Audit {
  if (audit === undefined) return { actor: UNATTRIBUTED };
  if (typeof audit !== 'object' || audit === null)
    throw new ValidationError('audit', 'an object { actor, reason?, note?, evidence?, answer? } is required');
  const fields = audit as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!AUDIT_FIELDS.includes(key)) throw new ValidationError(`audit.${key}`, 'unknown field');
  }
  const result: Audit = { actor: checkedActor(fields.actor, 'audit.actor') };
  const reason = text(fields.reason, 'audit.reason', AUDIT_LIMITS.reason, true);
  if (reason !== undefined) {
    if (!/^[a-z][a-z0-9_]*$/.test(reason))
      throw new ValidationError('audit.reason', 'a snake_case word like "status_check"');
    result.reason = reason;
  }
  const note = text(fields.note, 'audit.note', AUDIT_LIMITS.text);
  if (note !== undefined) result.note = note;
  const evidence = text(fields.evidence, 'audit.evidence', AUDIT_LIMITS.text);
  if (evidence !== undefined) result.evidence = evidence;
  if (fields.answer !== undefined) result.answer = checkedAnswer(fields.answer);
  return result;
}

export function checkedActor(value: unknown, field = 'actor'): AuditActor {
  if (typeof value !== 'object' || value === null)
    throw new ValidationError(field, 'an object { kind, name } is required');
  const { kind, name } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !(AUDIT_ACTOR_KINDS as readonly string[]).includes(kind))
    throw new ValidationError(`${field}.kind`, `one of ${AUDIT_ACTOR_KINDS.join(', ')}`);
  const checkedName = text(name, `${field}.name`, AUDIT_LIMITS.name, true);
  if (checkedName === undefined) throw new ValidationError(`${field}.name`, 'a name is required');
  return { kind: kind as AuditActor['kind'], name: checkedName };
}

/**
 * A non-empty string of at most `max` characters without control characters; line breaks and tabs are
 * allowed in free text (notes, evidence), not in a `singleLine` one (names, reason words).
 */
function text(value: unknown, field: string, max: number, singleLine = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new ValidationError(field, 'a non-empty string is required');
  if (value.length > max) throw new ValidationError(field, `at most ${max} characters`);
  const control = singleLine
    ? // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      /[\u0000-\u001f\u007f]/
    : // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
  if (control.test(value)) throw new ValidationError(field, 'must not contain control characters');
  return value;
}

function checkedAnswer(value: unknown): Outcome {
  if (typeof value !== 'object' || value === null)
    throw new ValidationError('audit.answer', 'an outcome { state, final, reason, providerStatus, message }');
  const { state, reason, providerStatus, message } = value as Record<string, unknown>;
  if (typeof state !== 'string' || !(PAYMENT_STATES as readonly string[]).includes(state))
    throw new ValidationError('audit.answer.state', `one of ${PAYMENT_STATES.join(', ')}`);
  if (reason !== null && !isReason(reason))
    throw new ValidationError('audit.answer.reason', 'a canonical reason or null');
  for (const [name, field] of [
    ['providerStatus', providerStatus],
    ['message', message],
  ] as const) {
    if (field !== null && (typeof field !== 'string' || field.length > AUDIT_LIMITS.text))
      throw new ValidationError(
        `audit.answer.${name}`,
        `a string of at most ${AUDIT_LIMITS.text} characters, or null`,
      );
  }
  const outcomeState = state as Outcome['state'];
  return {
    state: outcomeState,
    final: isFinal(outcomeState),
    reason: reason as Outcome['reason'],
    providerStatus: providerStatus as string | null,
    message: message as string | null,
  };
}

/** A history-only entry's input, checked; ValidationError naming the field otherwise. */
export function checkedNote(note: unknown): HistoryNote {
  if (typeof note !== 'object' || note === null)
    throw new ValidationError('entry', 'an object { event, actor, reason?, note?, evidence?, answer?, at? }');
  const { event, at } = note as Record<string, unknown>;
  if (typeof event !== 'string' || !(HISTORY_NOTE_EVENTS as readonly string[]).includes(event))
    throw new ValidationError('entry.event', `one of ${HISTORY_NOTE_EVENTS.join(', ')}`);
  if (at !== undefined && (!(at instanceof Date) || Number.isNaN(at.getTime())))
    throw new ValidationError('entry.at', 'a valid Date is required');
  const { event: _event, at: _at, ...rest } = note as Record<string, unknown>;
  if (rest.actor === undefined)
    throw new ValidationError('entry.actor', 'an actor { kind, name } is required');
  const audit = checkedAudit(rest);
  const result: HistoryNote = { ...audit, event: event as HistoryNote['event'] };
  if (at !== undefined) result.at = at as Date;
  return result;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function entry(
  after: PaymentRecord,
  seq: number,
  at: string,
  event: HistoryEvent,
  audit: Audit,
  before: PaymentSnapshot | null,
  attempts: AttemptChange[],
): HistoryEntry {
  return {
    paymentId: after.paymentId,
    seq,
    at,
    event,
    actor: { ...audit.actor },
    version: after.version,
    payment: { before, after: paymentSnapshot(after) },
    attempts,
    reason: audit.reason ?? null,
    note: audit.note ?? null,
    evidence: audit.evidence ?? null,
    answer: audit.answer === undefined ? null : { ...audit.answer },
  };
}

/** The entry of a new payment (`create` that created it). */
export function createdEntry(record: PaymentRecord, audit: Audit, seq = 1): HistoryEntry {
  return entry(record, seq, record.createdAt, 'created', audit, null, []);
}

/**
 * The entry of a write from `before` to `after` (`openAttempt`, `transition`), or null when the write
 * changed only bookkeeping (a lease, a schedule): such writes append nothing.
 */
export function writeEntry(
  before: PaymentRecord,
  after: PaymentRecord,
  audit: Audit,
  seq: number,
): HistoryEntry | null {
  const attempts: AttemptChange[] = [];
  for (const attempt of after.attempts) {
    const previous = before.attempts.find((a) => a.no === attempt.no);
    const was = previous === undefined ? null : attemptSnapshot(previous);
    const now = attemptSnapshot(attempt);
    if (!same(was, now)) attempts.push({ no: attempt.no, before: was, after: now });
  }
  const was = paymentSnapshot(before);
  const now = paymentSnapshot(after);
  if (attempts.length === 0 && same(was, now)) return null;
  return entry(after, seq, after.updatedAt, eventOf(was, now, attempts, audit), audit, was, attempts);
}

function eventOf(
  before: PaymentSnapshot,
  after: PaymentSnapshot,
  attempts: AttemptChange[],
  audit: Audit,
): HistoryEvent {
  if (audit.actor.kind === 'operator' && !before.final && after.final) return 'resolved';
  if (attempts.some((change) => change.before === null)) return 'attempt_opened';
  if (attempts.some((change) => change.before !== null && change.after.sends > change.before.sends))
    return 'resent';
  const outcome = (s: PaymentSnapshot) => [s.state, s.reason, s.providerStatus, s.message];
  if (attempts.length > 0 || !same(outcome(before), outcome(after))) return 'outcome';
  if (!before.stuck && after.stuck) return 'escalated';
  if (after.checks !== before.checks) return 'checked';
  return 'voucher_kept';
}

/** A history-only entry: nothing about the payment changes (before equals after). */
export function noteEntry(record: PaymentRecord, note: HistoryNote, seq: number, now: Date): HistoryEntry {
  const snapshot = paymentSnapshot(record);
  const at = (note.at ?? now).toISOString();
  return entry(record, seq, at, note.event, note, snapshot, []);
}

/** The actor of the entries a schema migration writes for payments that predate the history. */
export const MIGRATION_ACTOR: AuditActor = Object.freeze({ kind: 'router', name: 'schema-migration' });

/**
 * The first entry of a payment that existed before its journal kept a history: the payment as it stood
 * then, every attempt included. What happened before is not known.
 */
export function baselineEntry(record: PaymentRecord, at: Date): HistoryEntry {
  const attempts = record.attempts.map((a) => ({ no: a.no, before: null, after: attemptSnapshot(a) }));
  return entry(record, 1, at.toISOString(), 'baseline', { actor: MIGRATION_ACTOR }, null, attempts);
}

export interface ReplayedPayment {
  payment: PaymentSnapshot;
  attempts: AttemptSnapshot[];
}

/** What a record looks like to its history: the state `replayHistory` must arrive at. */
export function replayTarget(record: PaymentRecord): ReplayedPayment {
  return { payment: paymentSnapshot(record), attempts: record.attempts.map(attemptSnapshot) };
}

/**
 * Replays a payment's history from its first entry and returns where it arrives. Throws when the
 * entries do not follow each other — a gap in `seq`, an entry whose `before` is not where the previous
 * one left the payment, an event that is not known — so a missing or reordered change cannot pass.
 */
export function replayHistory(entries: readonly HistoryEntry[]): ReplayedPayment {
  let current: ReplayedPayment | null = null;
  for (const [index, item] of entries.entries()) {
    const where = `history of ${item.paymentId}, entry ${item.seq}`;
    if (item.seq !== index + 1) throw new Error(`${where}: expected seq ${index + 1}`);
    if (!(HISTORY_EVENTS as readonly string[]).includes(item.event))
      throw new Error(`${where}: unknown event ${item.event}`);
    if (current === null) {
      if (item.payment.before !== null || (item.event !== 'created' && item.event !== 'baseline'))
        throw new Error(`${where}: a history starts with created or baseline`);
    } else if (!same(item.payment.before, current.payment)) {
      throw new Error(`${where} (${item.event}): before is not where entry ${item.seq - 1} left it`);
    }
    const attempts: AttemptSnapshot[] = current === null ? [] : [...current.attempts];
    for (const change of item.attempts) {
      const existing = attempts.find((a) => a.no === change.no) ?? null;
      if (!same(change.before, existing))
        throw new Error(`${where} (${item.event}): attempt ${change.no} before is not where it was`);
      if (existing === null) attempts.push(change.after);
      else attempts[attempts.indexOf(existing)] = change.after;
    }
    attempts.sort((a, b) => a.no - b.no);
    current = { payment: item.payment.after, attempts };
    if (item.payment.after.attempts !== attempts.length)
      throw new Error(`${where}: ${item.payment.after.attempts} attempts, ${attempts.length} recorded`);
  }
  if (current === null) throw new Error('an empty history replays to nothing');
  return current;
}
