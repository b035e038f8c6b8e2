import type { AttemptRecord, HistoryEntry, PaymentRecord, PaymentSnapshot } from '@tolem/core';
import { showTime } from '../time-input.js';
import type { Cell } from './table.js';

/**
 * A journal record as `--json` prints it. Never a voucher code: a kept (sealed) one shows only as
 * `voucher: { kept: true, keyId }`.
 */
export function paymentDocument(record: PaymentRecord): Record<string, unknown> {
  const latest = record.attempts.at(-1);
  return {
    paymentId: record.paymentId,
    service: record.service,
    account: record.account,
    amount: record.amount,
    currency: record.currency,
    state: record.state,
    final: record.final,
    reason: record.reason,
    providerStatus: record.providerStatus,
    message: record.message,
    provider: latest?.provider ?? null,
    transactionId: latest?.transactionId ?? null,
    attemptCount: record.attempts.length,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    finalAt: record.finalAt,
    stuck: record.stuckAt !== null,
    stuckAt: record.stuckAt,
    nextCheckAt: record.nextCheckAt,
    checks: record.checks,
    lease: record.lease,
    voucher: record.voucher === null ? null : { kept: true, keyId: record.voucher.keyId },
  };
}

export function attemptDocument(attempt: AttemptRecord): Record<string, unknown> {
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
    createdAt: attempt.createdAt,
    updatedAt: attempt.updatedAt,
  };
}

/** "unknown (timeout)", "succeeded". */
export function stateCell(state: string, reason: string | null | undefined): string {
  return reason ? `${state} (${reason})` : state;
}

/** What the provider said: its code and its own text, untouched. */
export function saidCell(
  providerStatus: string | null | undefined,
  message: string | null | undefined,
): Cell {
  const said = [providerStatus, message ? `«${message}»` : null].filter(Boolean).join(' ');
  return said === '' ? null : said;
}

function snapshotText(snapshot: PaymentSnapshot | null): string {
  if (snapshot === null) return '';
  return stateCell(snapshot.state, snapshot.reason);
}

/** One history entry's change, for people: "unknown → pending; attempt 1 at vf-a: sends 1 → 2". */
export function changeText(entry: HistoryEntry): string {
  const parts: string[] = [];
  const before = snapshotText(entry.payment.before);
  const after = snapshotText(entry.payment.after);
  if (entry.payment.before === null) parts.push(`→ ${after}`);
  else if (before !== after) parts.push(`${before} → ${after}`);
  if (entry.payment.before && !entry.payment.before.stuck && entry.payment.after.stuck) parts.push('stuck');
  if (entry.payment.before && entry.payment.after.checks > entry.payment.before.checks)
    parts.push(`check ${entry.payment.after.checks}`);
  if (entry.payment.before && !entry.payment.before.voucherKept && entry.payment.after.voucherKept)
    parts.push('voucher code kept (sealed)');
  for (const change of entry.attempts) {
    const at = `attempt ${change.no} at ${change.after.provider}`;
    if (change.before === null) {
      parts.push(
        `${at} (transaction ${change.after.transactionId}): ${stateCell(change.after.state, change.after.reason)}`,
      );
      continue;
    }
    const moves: string[] = [];
    const was = stateCell(change.before.state, change.before.reason);
    const now = stateCell(change.after.state, change.after.reason);
    if (was !== now) moves.push(`${was} → ${now}`);
    if (change.after.sends !== change.before.sends)
      moves.push(`sends ${change.before.sends} → ${change.after.sends}`);
    if (moves.length > 0) parts.push(`${at}: ${moves.join(', ')}`);
  }
  return parts.join('; ');
}

/** Why, who said what: the entry's reason, the provider's answer, a person's note and evidence. */
export function whyText(entry: HistoryEntry): string {
  const parts: string[] = [];
  if (entry.reason) parts.push(entry.reason);
  if (entry.answer) {
    const said = saidCell(entry.answer.providerStatus, entry.answer.message);
    parts.push(`answer ${stateCell(entry.answer.state, entry.answer.reason)}${said ? ` ${said}` : ''}`);
  }
  if (entry.note) parts.push(`note: ${entry.note}`);
  if (entry.evidence) parts.push(`evidence: ${entry.evidence}`);
  return parts.join(' · ');
}

export function historyRow(entry: HistoryEntry, zone: string | undefined): Cell[] {
  return [
    entry.seq,
    showTime(entry.at, zone, true),
    `${entry.actor.kind} ${entry.actor.name}`,
    entry.event,
    changeText(entry),
    whyText(entry),
  ];
}
