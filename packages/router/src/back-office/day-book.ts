import {
  type AttemptRecord,
  type DailyTotals,
  Money,
  movedNoMoney,
  type Outcome,
  type PaymentJournal,
  type PaymentListResult,
  type PaymentRecord,
  parseCurrency,
  parseZonedDateTime,
  type RegistryEntry,
  ValidationError,
  zonedParts,
} from '@tolem/core';
import { listAll } from '../reconciliation.js';
import type { EndOfDayIssue } from './types.js';

/**
 * One provider's day, as end of day sees it: the provider's lists, the journal's payments, what does
 * not add up, and the registry and totals built from the journal.
 *
 * Which day a payment is on: the day the provider registered it, in its zone (protocol §6, §9: the
 * reporting period is the payment organisation's registration time) — learnt from GetPaymentsByDate,
 * whose windows filter by registration time. A payment tolem sent at 23:59:59.999 that the provider
 * registered at 00:00:00.2, or a resend after midnight of a payment first sent the day before, is on
 * the provider's next day; so the lists of the margins before and after the day are read too, and a
 * payment listed there belongs to that neighbouring day. A payment no list mentions (missing at the
 * provider, or no list at all) is placed by tolem's own time of its attempt (its RequestDate).
 */

export interface DayWindow {
  date: string;
  timeZone: string;
  /** [from, to): the day's first instant and the next day's. */
  from: Date;
  to: Date;
  year: number;
  month: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day `date` (yyyy-MM-dd) in `timeZone` as instants; ValidationError on `date` otherwise. */
export function dayWindow(date: unknown, timeZone: string): DayWindow {
  const match = typeof date === 'string' ? DATE.exec(date) : null;
  if (match === null) throw new ValidationError('date', 'a calendar day like "2024-07-09" is required');
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const noon = new Date(Date.UTC(year, month - 1, day, 12));
  if (noon.getUTCMonth() !== month - 1 || noon.getUTCDate() !== day || year < 2000)
    throw new ValidationError('date', `not a real day: ${JSON.stringify(date)}`);
  const next = new Date(Date.UTC(year, month - 1, day + 1, 12));
  const from = parseZonedDateTime(`${date} 00:00:00`, timeZone, 'date');
  const to = parseZonedDateTime(`${next.toISOString().slice(0, 10)} 00:00:00`, timeZone, 'date');
  return { date: date as string, timeZone, from, to, year, month };
}

export interface DayMember {
  record: PaymentRecord;
  attempt: AttemptRecord;
  /** The journal's, or the provider's list's when the journal has none. */
  providerRequestId: string | null;
}

export interface DayLists {
  before: PaymentListResult;
  day: PaymentListResult;
  after: PaymentListResult;
}

export interface DayBook {
  complete: boolean;
  outcomes: { before: Outcome; day: Outcome; after: Outcome };
  matched: number;
  issues: EndOfDayIssue[];
  /** The day's succeeded payments at the provider, by the time their attempt was opened. */
  members: DayMember[];
}

const outcomeOf = ({ payments: _payments, ...outcome }: PaymentListResult): Outcome => outcome;

/** Compares the provider's lists with the journal and finds the day's payments (see the file's comment). */
export async function readDay(
  journal: PaymentJournal,
  providerId: string,
  window: DayWindow,
  lists: DayLists,
  marginMs: number,
): Promise<DayBook> {
  const complete = [lists.before, lists.day, lists.after].every((list) => list.state === 'succeeded');
  const book: DayBook = {
    complete,
    outcomes: { before: outcomeOf(lists.before), day: outcomeOf(lists.day), after: outcomeOf(lists.after) },
    matched: 0,
    issues: [],
    members: [],
  };
  // A payment's attempt opens after the payment was created: a day earlier covers a late failover.
  const records = await listAll(journal, {
    from: new Date(window.from.getTime() - marginMs - 86_400_000),
    to: new Date(window.to.getTime() + marginMs),
  });
  const candidates = records.flatMap((record) =>
    record.attempts
      .filter((attempt) => attempt.provider === providerId)
      .map((attempt) => ({ record, attempt })),
  );
  const byTransaction = new Map(candidates.map((entry) => [entry.attempt.transactionId, entry]));
  const onDay = (attempt: AttemptRecord) =>
    zonedParts(new Date(attempt.createdAt), window.timeZone).date === window.date;
  const reported = new Set<string>();
  const listedElsewhere = new Set(
    complete ? [...lists.before.payments, ...lists.after.payments].map((p) => p.transactionId) : [],
  );
  const listedOnDay = new Set<string>();

  if (complete) {
    for (const remote of lists.day.payments) {
      listedOnDay.add(remote.transactionId);
      let local = byTransaction.get(remote.transactionId);
      if (local === undefined) {
        const record = await journal.findByTransaction(providerId, remote.transactionId);
        const attempt = record?.attempts.find(
          (a) => a.provider === providerId && a.transactionId === remote.transactionId,
        );
        if (record && attempt) local = { record, attempt };
      }
      if (local === undefined) {
        book.issues.push({
          kind: 'missing_in_journal',
          transactionId: remote.transactionId,
          providerState: remote.state,
          amount: remote.amount,
        });
        continue;
      }
      const { record, attempt } = local;
      let agrees = true;
      if (attempt.state !== remote.state) {
        agrees = false;
        reported.add(attempt.transactionId);
        book.issues.push({
          kind: 'state_mismatch',
          paymentId: record.paymentId,
          transactionId: attempt.transactionId,
          journalState: attempt.state,
          providerState: remote.state,
        });
      }
      if (!sameAmount(record.amount, remote.amount, record.currency)) {
        agrees = false;
        book.issues.push({
          kind: 'amount_mismatch',
          paymentId: record.paymentId,
          transactionId: attempt.transactionId,
          journalAmount: record.amount,
          providerAmount: remote.amount,
        });
      }
      if (agrees) book.matched += 1;
      if (attempt.state === 'succeeded') {
        book.members.push({
          record,
          attempt,
          providerRequestId: attempt.providerRequestId ?? remote.providerRequestId,
        });
      }
    }
  }
  for (const { record, attempt } of candidates) {
    const id = attempt.transactionId;
    if (listedOnDay.has(id) || listedElsewhere.has(id) || !onDay(attempt)) continue;
    if (attempt.state === 'succeeded') {
      if (complete) {
        book.issues.push({
          kind: 'missing_at_provider',
          paymentId: record.paymentId,
          transactionId: id,
          journalState: 'succeeded',
        });
      }
      book.members.push({ record, attempt, providerRequestId: attempt.providerRequestId });
    } else if (!attempt.final && !movedNoMoney(attempt) && !reported.has(id)) {
      book.issues.push({
        kind: 'open_payment',
        paymentId: record.paymentId,
        transactionId: id,
        journalState: attempt.state,
      });
    }
  }
  book.members.sort(
    (a, b) =>
      a.attempt.createdAt.localeCompare(b.attempt.createdAt) ||
      a.attempt.transactionId.length - b.attempt.transactionId.length ||
      a.attempt.transactionId.localeCompare(b.attempt.transactionId),
  );
  for (const member of book.members) {
    if (member.providerRequestId === null) {
      book.issues.push({
        kind: 'no_request_id',
        paymentId: member.record.paymentId,
        transactionId: member.attempt.transactionId,
      });
    }
  }
  const currencies = [...new Set(book.members.map((member) => member.record.currency))].sort();
  if (currencies.length > 1) book.issues.push({ kind: 'mixed_currencies', currencies });
  return book;
}

function sameAmount(journal: string, provider: string, currency: string): boolean {
  try {
    return Money.exact(journal, currency).equals(Money.exact(provider, currency));
  } catch {
    return false;
  }
}

/** PostPayments entries: every member with a request id, AgentRequestCreatedOn as the RequestDate sent. */
export function registryOf(book: DayBook, window: DayWindow): RegistryEntry[] {
  return book.members.flatMap(({ record, attempt, providerRequestId }) =>
    providerRequestId === null
      ? []
      : [
          {
            transactionId: attempt.transactionId,
            providerRequestId,
            agentCreatedAt: zonedParts(new Date(attempt.createdAt), window.timeZone).text,
            account: record.account,
            amount: record.amount,
            serviceId: attempt.serviceId,
            year: window.year,
            month: window.month,
          },
        ],
  );
}

/** PostTotalAmount: the members summed exactly per service; null with more than one currency. */
export function totalsOf(book: DayBook, window: DayWindow): DailyTotals | null {
  const currencies = new Set(book.members.map((member) => member.record.currency));
  if (currencies.size > 1) return null;
  const currency = parseCurrency([...currencies][0] ?? 'KZT');
  const lines = new Map<string, { amounts: Money[]; count: number }>();
  for (const { record, attempt } of book.members) {
    const line = lines.get(attempt.serviceId) ?? { amounts: [], count: 0 };
    line.amounts.push(Money.exact(record.amount, currency));
    line.count += 1;
    lines.set(attempt.serviceId, line);
  }
  const services = [...lines.entries()]
    .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
    .map(([serviceId, line]) => ({
      serviceId,
      amount: Money.sum(line.amounts, currency),
      count: line.count,
    }));
  return {
    date: window.date,
    totalAmount: Money.sum(
      services.map((line) => line.amount),
      currency,
    ).format(),
    totalCount: services.reduce((sum, line) => sum + line.count, 0),
    services: services.map((line) => ({ ...line, amount: line.amount.format() })),
  };
}
