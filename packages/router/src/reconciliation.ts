import {
  type AttemptRecord,
  type DailyTotals,
  type ListQuery,
  Money,
  type Outcome,
  type PaymentJournal,
  type PaymentListRange,
  type PaymentRecord,
  type PaymentState,
  type ProviderPaymentRecord,
  type RegistryEntry,
  ValidationError,
  zonedParts,
} from '@tolem/core';

export type ReconcileIssue =
  /** Succeeded in the journal, absent from the provider's list. */
  | { kind: 'missing_at_provider'; paymentId: string; transactionId: string; journalState: PaymentState }
  /** In the provider's list, unknown to the journal. */
  | { kind: 'missing_in_journal'; transactionId: string; providerState: PaymentState; amount: string }
  | {
      kind: 'state_mismatch';
      paymentId: string;
      transactionId: string;
      journalState: PaymentState;
      providerState: PaymentState;
    }
  | {
      kind: 'amount_mismatch';
      paymentId: string;
      transactionId: string;
      journalAmount: string;
      providerAmount: string;
    };

export interface ReconcileReport {
  provider: string;
  from: string;
  to: string;
  /**
   * True only when the provider answered with its list. False for anything else — a status-only
   * answer (-300, -105, -1, …), a timeout, an unreadable page: `outcome` says why, and no issue is
   * listed, since an absent list proves nothing missing.
   */
  complete: boolean;
  /** The outcome of the list request (not of any payment): state, reason, providerStatus, message. */
  outcome: Outcome;
  /** Transactions found on both sides and in agreement. */
  matched: number;
  issues: ReconcileIssue[];
}

interface JournalAttempt {
  record: PaymentRecord;
  attempt: AttemptRecord;
}

const PAGE = 500;

/** Every payment the query matches, page by page. */
export async function listAll(journal: PaymentJournal, query: ListQuery): Promise<PaymentRecord[]> {
  const all: PaymentRecord[] = [];
  let after: ListQuery['after'];
  for (;;) {
    const page = await journal.list({ ...query, limit: PAGE, ...(after ? { after } : {}) });
    all.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) return all;
    after = { createdAt: last.createdAt, paymentId: last.paymentId };
  }
}

async function attemptsAt(
  journal: PaymentJournal,
  providerId: string,
  from: Date,
  to: Date,
): Promise<JournalAttempt[]> {
  const records = await listAll(journal, { from, to });
  return records.flatMap((record) =>
    record.attempts
      .filter((attempt) => attempt.provider === providerId)
      .map((attempt) => ({ record, attempt })),
  );
}

/**
 * Compares the journal with the provider's own list for a time range: payments missing on either
 * side, states and amounts that disagree. The journal side is read with a margin around the range
 * (clocks and zones differ), but only attempts inside the range are reported as missing.
 */
export async function compareWithProvider(
  journal: PaymentJournal,
  providerId: string,
  range: PaymentListRange,
  listed: { outcome: Outcome; payments: readonly ProviderPaymentRecord[] },
  marginMs = 3_600_000,
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    provider: providerId,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    // Only a list is a list: a status-only answer maps to pending or failed too, never to succeeded.
    complete: listed.outcome.state === 'succeeded',
    outcome: listed.outcome,
    matched: 0,
    issues: [],
  };
  if (!report.complete) return report;
  const wide = await attemptsAt(
    journal,
    providerId,
    new Date(range.from.getTime() - marginMs),
    new Date(range.to.getTime() + marginMs),
  );
  const byTransaction = new Map(wide.map((entry) => [entry.attempt.transactionId, entry]));
  const seen = new Set<string>();
  for (const remote of listed.payments) {
    seen.add(remote.transactionId);
    let local = byTransaction.get(remote.transactionId);
    if (local === undefined) {
      const record = await journal.findByTransaction(providerId, remote.transactionId);
      const attempt = record?.attempts.find(
        (a) => a.provider === providerId && a.transactionId === remote.transactionId,
      );
      if (record && attempt) local = { record, attempt };
    }
    if (local === undefined) {
      report.issues.push({
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
      report.issues.push({
        kind: 'state_mismatch',
        paymentId: record.paymentId,
        transactionId: attempt.transactionId,
        journalState: attempt.state,
        providerState: remote.state,
      });
    }
    if (!sameAmount(record.amount, remote.amount, record.currency)) {
      agrees = false;
      report.issues.push({
        kind: 'amount_mismatch',
        paymentId: record.paymentId,
        transactionId: attempt.transactionId,
        journalAmount: record.amount,
        providerAmount: remote.amount,
      });
    }
    if (agrees) report.matched += 1;
  }
  for (const { record, attempt } of wide) {
    if (seen.has(attempt.transactionId) || attempt.state !== 'succeeded') continue;
    const created = Date.parse(attempt.createdAt);
    if (created < range.from.getTime() || created >= range.to.getTime()) continue;
    report.issues.push({
      kind: 'missing_at_provider',
      paymentId: record.paymentId,
      transactionId: attempt.transactionId,
      journalState: attempt.state,
    });
  }
  return report;
}

function sameAmount(journal: string, provider: string, currency: string): boolean {
  try {
    return Money.exact(journal, currency).equals(Money.exact(provider, currency));
  } catch {
    return false;
  }
}

export interface RegistryOptions {
  /** IANA zone of `AgentRequestCreatedOn` (the one the provider's RequestDate uses). */
  timeZone: string;
  /** Reconciliation year and month; default: those of `range.from` in `timeZone`. */
  year?: number;
  month?: number;
}

export interface RegistryBuild {
  entries: RegistryEntry[];
  /** Succeeded payments that cannot be listed: the provider never gave a request id. */
  incomplete: string[];
}

/** Registry entries (PostPayments) from the journal: every succeeded attempt at the provider in the range. */
export async function buildRegistryEntries(
  journal: PaymentJournal,
  providerId: string,
  range: PaymentListRange,
  options: RegistryOptions,
): Promise<RegistryBuild> {
  const start = zonedParts(range.from, options.timeZone);
  const year = options.year ?? start.year;
  const month = options.month ?? start.month;
  const result: RegistryBuild = { entries: [], incomplete: [] };
  for (const { record, attempt } of await attemptsAt(journal, providerId, range.from, range.to)) {
    if (attempt.state !== 'succeeded') continue;
    if (attempt.providerRequestId === null) {
      result.incomplete.push(record.paymentId);
      continue;
    }
    result.entries.push({
      transactionId: attempt.transactionId,
      providerRequestId: attempt.providerRequestId,
      agentCreatedAt: zonedParts(new Date(attempt.createdAt), options.timeZone).text,
      account: record.account,
      amount: record.amount,
      serviceId: attempt.serviceId,
      year,
      month,
    });
  }
  return result;
}

/**
 * The day's totals (PostTotalAmount) from the journal: succeeded attempts at the provider whose
 * creation falls on `date` in `timeZone`, summed exactly per service.
 */
export async function buildDailyTotals(
  journal: PaymentJournal,
  providerId: string,
  date: string,
  options: { timeZone: string; currency?: string },
): Promise<DailyTotals> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new ValidationError('date', 'a date like "2024-07-09" is required');
  const noon = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12);
  // A zone is at most 14 h away from UTC: a 2-day window around noon holds the whole local day.
  const candidates = await attemptsAt(
    journal,
    providerId,
    new Date(noon - 36 * 3_600_000),
    new Date(noon + 36 * 3_600_000),
  );
  const perService = new Map<string, { amounts: Money[]; count: number }>();
  let currency = options.currency;
  for (const { record, attempt } of candidates) {
    if (attempt.state !== 'succeeded') continue;
    if (zonedParts(new Date(attempt.createdAt), options.timeZone).date !== date) continue;
    currency ??= record.currency;
    const amount = Money.parse(record.amount, record.currency);
    if (amount.currency !== currency) {
      throw new ValidationError(
        'currency',
        `payments in ${amount.currency} and ${currency} on one day: pass currency`,
      );
    }
    const line = perService.get(attempt.serviceId) ?? { amounts: [], count: 0 };
    line.amounts.push(amount);
    line.count += 1;
    perService.set(attempt.serviceId, line);
  }
  const code = currency ?? 'KZT';
  const services = [...perService.entries()]
    .sort(([a], [b]) => (a.length === b.length ? a.localeCompare(b) : a.length - b.length))
    .map(([serviceId, line]) => ({
      serviceId,
      amount: Money.sum(line.amounts, code).format(),
      count: line.count,
    }));
  const total = Money.sum(
    services.map((line) => Money.parse(line.amount, code, 'amount', { allowZero: true })),
    code,
  );
  return {
    date,
    totalAmount: total.format(),
    totalCount: services.reduce((sum, line) => sum + line.count, 0),
    services,
  };
}
