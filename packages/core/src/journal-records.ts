/**
 * Pure record logic shared by every journal implementation, so that a SQLite or PostgreSQL journal
 * only stores and indexes records: idempotent creation, attempts, compare-and-set transitions.
 */
import { JournalConflictError, ValidationError } from './errors.js';
import type {
  AttemptRecord,
  AttemptRoute,
  ListQuery,
  NewPayment,
  OpenGroup,
  PaymentDetails,
  PaymentRecord,
  SealedVoucher,
  Transition,
} from './journal.js';
import { canTransition, isFinal, NOTHING_SENT_REASONS, type PaymentState, type Reason } from './model.js';

/**
 * The record of a new payment. A malformed one is refused with ValidationError before a journal writes
 * anything (the journal port's promise for that class).
 */
export function newPaymentRecord(input: NewPayment): PaymentRecord {
  assertNewPayment(input);
  const at = input.createdAt.toISOString();
  return {
    paymentId: input.paymentId,
    service: input.service,
    account: input.account,
    amount: input.amount,
    currency: input.currency,
    details: normaliseDetails(input.details),
    state: 'unknown',
    final: false,
    reason: null,
    providerStatus: null,
    message: null,
    attempts: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
    finalAt: null,
    nextCheckAt: input.nextCheckAt.toISOString(),
    checks: 0,
    stuckAt: null,
    lease: null,
    voucher: null,
  };
}

function assertNewPayment(input: NewPayment): void {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError('payment', 'an object is required');
  for (const field of ['paymentId', 'service', 'account', 'amount', 'currency'] as const) {
    const value: unknown = input[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new ValidationError(field, 'a non-empty string is required');
    }
  }
  for (const field of ['createdAt', 'nextCheckAt'] as const) {
    const value: unknown = input[field];
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new ValidationError(field, 'a valid Date is required');
    }
  }
}

/** The fields that make a payment "the same" for idempotency, in a canonical string. */
export function paymentFingerprint(
  p: Pick<NewPayment, 'service' | 'account' | 'amount' | 'currency' | 'details'>,
): string {
  return JSON.stringify([p.service, p.account, p.amount, p.currency, normaliseDetails(p.details)]);
}

/** Throws JournalConflictError when `input` reuses `existing`'s payment id with other fields. */
export function assertSamePayment(existing: PaymentRecord, input: NewPayment): void {
  if (paymentFingerprint(existing) !== paymentFingerprint(input)) {
    const differing: string[] = (['service', 'account', 'amount', 'currency'] as const).filter(
      (key) => existing[key] !== input[key],
    );
    if (
      JSON.stringify(normaliseDetails(existing.details)) !== JSON.stringify(normaliseDetails(input.details))
    ) {
      differing.push('details');
    }
    throw new JournalConflictError(input.paymentId, `already exists with different ${differing.join(', ')}`, {
      fields: differing,
    });
  }
}

function normaliseDetails(details: PaymentDetails | undefined): PaymentDetails {
  const result: PaymentDetails = {};
  if (details?.invoiceId !== undefined) result.invoiceId = details.invoiceId;
  if (details?.services !== undefined) {
    result.services = details.services.map((line) => ({ serviceId: line.serviceId, amount: line.amount }));
  }
  if (details?.sendType !== undefined) result.sendType = details.sendType;
  return result;
}

export function assertVersion(record: PaymentRecord, expectedVersion: number): void {
  if (record.version !== expectedVersion) {
    throw new JournalConflictError(
      record.paymentId,
      `version is ${record.version}, expected ${expectedVersion} (written concurrently)`,
    );
  }
}

/** Ids allotted per millisecond of the clock floor: bursts up to this rate never run ahead of it. */
const IDS_PER_MS = 100n;

/**
 * Next transaction id for a provider: strictly above the last one, and never below the current time
 * in hundredths of a millisecond, so a journal recreated from scratch does not reuse ids a provider
 * already holds (an earlier journal runs ahead of the clock only when it allocated more than 100 ids
 * in one millisecond). 15 digits hold this floor until the year 2286.
 */
export function nextTransactionId(last: string | null, now: Date): string {
  const floor = BigInt(Math.max(now.getTime(), 0)) * IDS_PER_MS + 1n;
  const candidate = last === null ? floor : BigInt(last) + 1n;
  const id = candidate > floor ? candidate : floor;
  const text = id.toString();
  if (text.length > 15) throw new RangeError('transaction id space (15 digits) exhausted');
  return text;
}

export function withAttempt(
  record: PaymentRecord,
  attempt: { provider: string; serviceId: string; transactionId: string; at: Date; route?: AttemptRoute },
): PaymentRecord {
  // Checked first: a malformed decision is refused before anything else is decided or written.
  const route = attempt.route === undefined ? undefined : attemptRoute(attempt.route);
  if (record.final) {
    throw new JournalConflictError(record.paymentId, `is final (${record.state}); no new attempt`);
  }
  // Safety net under the router's failover rules (architecture §4.3): a second provider may be tried only when
  // no earlier attempt can have moved money, whatever the caller believes.
  const open = record.attempts.find((a) => !movedNoMoney(a));
  if (open !== undefined) {
    throw new JournalConflictError(
      record.paymentId,
      `attempt ${open.no} at ${open.provider} is ${open.state}${open.reason ? ` (${open.reason})` : ''}: it may have moved money, so no new attempt`,
    );
  }
  const at = attempt.at.toISOString();
  const entry: AttemptRecord = {
    no: record.attempts.length + 1,
    provider: attempt.provider,
    serviceId: attempt.serviceId,
    transactionId: attempt.transactionId,
    state: 'unknown',
    final: false,
    reason: null,
    providerStatus: null,
    message: null,
    providerRequestId: null,
    sends: 1,
    createdAt: at,
    updatedAt: at,
  };
  if (route !== undefined) entry.route = route;
  return {
    ...record,
    attempts: [...record.attempts, entry],
    state: 'unknown',
    reason: null,
    providerStatus: null,
    message: null,
    version: record.version + 1,
    updatedAt: at,
  };
}

/**
 * An attempt that provably moved no money: finally failed, or unknown because its only send was never
 * delivered (a refused connection).
 */
export function movedNoMoney(attempt: Pick<AttemptRecord, 'state' | 'reason' | 'sends'>): boolean {
  if (attempt.state === 'failed') return true;
  return (
    attempt.state === 'unknown' &&
    attempt.reason !== null &&
    NOTHING_SENT_REASONS.has(attempt.reason) &&
    attempt.sends === 1
  );
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Far above any voucher code: a bigger "ciphertext" is not one of ours. */
const MAX_SEALED_CHARS = 8_192;

/**
 * Checks that `value` has the shape of a SealedVoucher (key id, base64 iv, ciphertext and tag) and
 * returns a plain copy; ValidationError on `voucher.<field>` otherwise. Journals store what passes as
 * it is: opening it is the router's business.
 */
export function sealedVoucher(value: unknown): SealedVoucher {
  if (typeof value !== 'object' || value === null)
    throw new ValidationError('voucher', 'a sealed voucher { keyId, iv, ciphertext, tag } is required');
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields).sort().join(',');
  if (keys !== 'ciphertext,iv,keyId,tag')
    throw new ValidationError('voucher', 'exactly keyId, iv, ciphertext and tag are required');
  if (typeof fields.keyId !== 'string' || !KEY_ID.test(fields.keyId))
    throw new ValidationError('voucher.keyId', '1 to 64 letters, digits, ".", "_" or "-"');
  for (const name of ['iv', 'ciphertext', 'tag'] as const) {
    const text = fields[name];
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SEALED_CHARS || !BASE64.test(text))
      throw new ValidationError(`voucher.${name}`, 'non-empty base64 text is required');
  }
  return {
    keyId: fields.keyId,
    iv: fields.iv as string,
    ciphertext: fields.ciphertext as string,
    tag: fields.tag as string,
  };
}

const STRATEGY = /^[a-z][a-z-]{0,31}$/;
const SKIP_REASON = /^[a-z][a-z_]{0,39}$/;
/** More than any route has providers: a longer list is not one of the router's decisions. */
const MAX_ROUTE_ENTRIES = 100;

function providerId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new ValidationError(field, 'a provider id of 1 to 200 characters is required');
  return value;
}

/**
 * Checks that `value` has the shape of an AttemptRoute (a strategy name, the ranked provider ids, the
 * skipped ones with a reason code, whether it explored) and returns a plain copy; ValidationError on
 * `route.<field>` otherwise. Journals store what passes as it is.
 */
export function attemptRoute(value: unknown): AttemptRoute {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(
      'route',
      'a routing decision { strategy, ranked, skipped, explored } is required',
    );
  const fields = value as Record<string, unknown>;
  if (Object.keys(fields).sort().join(',') !== 'explored,ranked,skipped,strategy')
    throw new ValidationError('route', 'exactly strategy, ranked, skipped and explored are required');
  if (typeof fields.strategy !== 'string' || !STRATEGY.test(fields.strategy))
    throw new ValidationError('route.strategy', 'a strategy name of lower-case letters and "-" is required');
  if (typeof fields.explored !== 'boolean')
    throw new ValidationError('route.explored', 'a boolean is required');
  const { ranked, skipped } = fields;
  if (!Array.isArray(ranked) || ranked.length > MAX_ROUTE_ENTRIES)
    throw new ValidationError(
      'route.ranked',
      `an array of at most ${MAX_ROUTE_ENTRIES} provider ids is required`,
    );
  if (!Array.isArray(skipped) || skipped.length > MAX_ROUTE_ENTRIES)
    throw new ValidationError(
      'route.skipped',
      `an array of at most ${MAX_ROUTE_ENTRIES} entries is required`,
    );
  return {
    strategy: fields.strategy,
    ranked: ranked.map((entry, index) => providerId(entry, `route.ranked.${index}`)),
    skipped: skipped.map((entry: unknown, index) => {
      const field = `route.skipped.${index}`;
      if (typeof entry !== 'object' || entry === null)
        throw new ValidationError(field, 'a { provider, reason } entry is required');
      const { provider, reason, ...rest } = entry as Record<string, unknown>;
      if (Object.keys(rest).length > 0)
        throw new ValidationError(field, 'only provider and reason are allowed');
      if (typeof reason !== 'string' || !SKIP_REASON.test(reason))
        throw new ValidationError(
          `${field}.reason`,
          'a reason code of lower-case letters and "_" is required',
        );
      return { provider: providerId(provider, `${field}.provider`), reason };
    }),
    explored: fields.explored,
  };
}

/** Applies a transition; throws JournalConflictError for a stale version or a change to a final state. */
export function applyTransition(record: PaymentRecord, change: Transition, now: Date): PaymentRecord {
  // Checked before anything else: a refused transition changes nothing.
  const voucher = change.voucher === undefined ? undefined : sealedVoucher(change.voucher);
  const at = (change.at ?? now).toISOString();
  let attempts = record.attempts;
  const touchAttempt = (no: number, edit: (a: AttemptRecord) => AttemptRecord) => {
    const index = attempts.findIndex((a) => a.no === no);
    const current = attempts[index];
    if (index < 0 || current === undefined) {
      throw new JournalConflictError(record.paymentId, `has no attempt ${no}`);
    }
    attempts = attempts.map((a, i) => (i === index ? edit(current) : a));
  };
  if (change.resend) {
    touchAttempt(change.resend.no, (a) => {
      if (a.final) throw new JournalConflictError(record.paymentId, `attempt ${a.no} is final; no resend`);
      return { ...a, sends: a.sends + 1, updatedAt: at };
    });
  }
  if (change.attempt) {
    const { update } = change.attempt;
    touchAttempt(change.attempt.no, (a) => {
      const state = update.state ?? a.state;
      if (!canTransition(a.state, state)) {
        throw new JournalConflictError(
          record.paymentId,
          `attempt ${a.no} is final (${a.state}); refused change to ${state}`,
        );
      }
      if (a.final) return a; // same final state again: a late confirmation, nothing to change
      return {
        ...a,
        state,
        final: isFinal(state),
        reason: reasonFor(state, update.reason !== undefined ? update.reason : a.reason),
        providerStatus: update.providerStatus !== undefined ? update.providerStatus : a.providerStatus,
        message: update.message !== undefined ? update.message : a.message,
        providerRequestId:
          update.providerRequestId !== undefined && update.providerRequestId !== null
            ? update.providerRequestId
            : a.providerRequestId,
        updatedAt: at,
      };
    });
  }
  let next: PaymentRecord = { ...record, attempts, version: record.version + 1, updatedAt: at };
  if (change.payment) {
    if (!canTransition(record.state, change.payment.state)) {
      throw new JournalConflictError(
        record.paymentId,
        `is final (${record.state}); refused change to ${change.payment.state}`,
      );
    }
    if (!record.final) {
      // `final` and `reason` follow the state, whatever the caller passed: a journal never stores an
      // inconsistent outcome.
      const final = isFinal(change.payment.state);
      next = {
        ...next,
        state: change.payment.state,
        final,
        reason: reasonFor(change.payment.state, change.payment.reason),
        providerStatus: change.payment.providerStatus,
        message: change.payment.message,
        finalAt: final ? at : null,
      };
    }
  }
  if (change.countCheck) next.checks = record.checks + 1;
  if (change.stuck && next.stuckAt === null) next.stuckAt = at;
  if (change.nextCheckAt !== undefined) next.nextCheckAt = change.nextCheckAt?.toISOString() ?? null;
  if (next.final) next.nextCheckAt = null;
  if (change.releaseLease !== undefined && record.lease?.owner === change.releaseLease) next.lease = null;
  if (next.final) next.lease = null;
  // Written once: the first code kept is the code.
  if (voucher !== undefined && (record.voucher ?? null) === null) next.voucher = voucher;
  return next;
}

/** Pending and succeeded carry no reason (architecture §2). */
function reasonFor(state: PaymentState, reason: Reason | null): Reason | null {
  return state === 'pending' || state === 'succeeded' ? null : reason;
}

/** Whether the finalizer may claim this record at `now`. */
export function isClaimable(record: PaymentRecord, now: Date): boolean {
  if (record.final || record.nextCheckAt === null) return false;
  if (Date.parse(record.nextCheckAt) > now.getTime()) return false;
  return record.lease === null || Date.parse(record.lease.until) <= now.getTime();
}

export function withLease(record: PaymentRecord, owner: string, now: Date, leaseMs: number): PaymentRecord {
  return {
    ...record,
    lease: { owner, until: new Date(now.getTime() + leaseMs).toISOString() },
    version: record.version + 1,
  };
}

export function latestAttempt(record: PaymentRecord): AttemptRecord | undefined {
  return record.attempts[record.attempts.length - 1];
}

export function matchesQuery(record: PaymentRecord, query: ListQuery): boolean {
  const created = Date.parse(record.createdAt);
  if (query.from && created < query.from.getTime()) return false;
  if (query.to && created >= query.to.getTime()) return false;
  if (query.provider !== undefined && latestAttempt(record)?.provider !== query.provider) return false;
  if (query.final !== undefined && record.final !== query.final) return false;
  if (query.after) {
    const key = compareKeys(record, query.after);
    if (key <= 0) return false;
  }
  return true;
}

export function compareKeys(
  a: { createdAt: string; paymentId: string },
  b: { createdAt: string; paymentId: string },
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.paymentId === b.paymentId) return 0;
  return a.paymentId < b.paymentId ? -1 : 1;
}

export function summarise(records: Iterable<PaymentRecord>): OpenGroup[] {
  const groups = new Map<string, OpenGroup>();
  for (const record of records) {
    if (record.final) continue;
    const provider = latestAttempt(record)?.provider ?? null;
    const key = `${provider}\u0000${record.state}`;
    const group = groups.get(key);
    if (group) {
      group.count += 1;
      if (record.stuckAt) group.stuck += 1;
      if (record.createdAt < group.oldestCreatedAt) group.oldestCreatedAt = record.createdAt;
    } else {
      groups.set(key, {
        provider,
        state: record.state,
        count: 1,
        stuck: record.stuckAt ? 1 : 0,
        oldestCreatedAt: record.createdAt,
      });
    }
  }
  return [...groups.values()];
}
