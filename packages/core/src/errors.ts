/**
 * Errors tolem throws. They are thrown only when nothing was sent to a provider (architecture §2): anything
 * that may have reached a provider comes back as an outcome instead. The one exception says so in its
 * name: `PaymentUnconfirmedError` (the journal failed while recording a payment and could not be
 * reached to tell whether it did: the payment may exist and may still be sent).
 *
 * Each error carries a stable `code` (messages may change, codes may not) and a `Symbol.for` brand, so
 * `ValidationError.is(err)` works even when two copies of @tolem/core are loaded.
 */

import type { PaymentState, Reason } from './model.js';

const BRAND = Symbol.for('tolem.error');
const KIND = Symbol.for('tolem.error.kind');

export type TolemErrorCode =
  | 'TOLEM_VALIDATION'
  | 'TOLEM_CONFIG'
  | 'TOLEM_PROVIDER_UNAVAILABLE'
  | 'TOLEM_UNSUPPORTED_OPERATION'
  | 'TOLEM_JOURNAL_CONFLICT'
  | 'TOLEM_PAYMENT_UNCONFIRMED'
  | 'TOLEM_JOURNAL_UNAVAILABLE'
  | 'TOLEM_RESOLUTION_REFUSED';

export interface TolemErrorOptions {
  cause?: unknown;
  /** Provider instance id, when the error concerns one. */
  providerId?: string;
}

export abstract class TolemError extends Error {
  abstract readonly code: TolemErrorCode;
  readonly providerId: string | undefined;
  readonly [BRAND] = true;

  constructor(message: string, options: TolemErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.providerId = options.providerId;
  }

  /** True for any tolem error, from any copy of the package. */
  static isTolemError(value: unknown): value is TolemError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

function branded(value: unknown, kind: string): boolean {
  return TolemError.isTolemError(value) && (value as unknown as Record<symbol, unknown>)[KIND] === kind;
}

/** Bad input: names the field and the rule it broke. Nothing was sent. */
export class ValidationError extends TolemError {
  readonly code = 'TOLEM_VALIDATION' as const;
  readonly [KIND] = 'validation';
  /** Dotted path of the offending field, e.g. `amount` or `services.2.amount`. */
  readonly field: string;
  /** The rule that failed, in a few words: `at most two decimals`, `1 to 15 digits`. */
  readonly rule: string;

  constructor(field: string, rule: string, options: TolemErrorOptions = {}) {
    super(`${field}: ${rule}`, options);
    this.name = 'ValidationError';
    this.field = field;
    this.rule = rule;
  }

  static is(value: unknown): value is ValidationError {
    return branded(value, 'validation');
  }
}

/** Bad configuration of a provider, journal or router. Names the option. */
export class ConfigError extends TolemError {
  readonly code = 'TOLEM_CONFIG' as const;
  readonly [KIND] = 'config';
  readonly option: string;
  /** The option again, under the name ValidationError uses, so callers can read `err.field` on both. */
  readonly field: string;
  /** The rule that failed, in a few words. */
  readonly rule: string;

  constructor(option: string, rule: string, options: TolemErrorOptions = {}) {
    super(`${option}: ${rule}`, options);
    this.name = 'ConfigError';
    this.option = option;
    this.field = option;
    this.rule = rule;
  }

  static is(value: unknown): value is ConfigError {
    return branded(value, 'config');
  }
}

/** The provider cannot be used right now (breaker open, no route, closed): nothing was sent. */
export class ProviderUnavailableError extends TolemError {
  readonly code = 'TOLEM_PROVIDER_UNAVAILABLE' as const;
  readonly [KIND] = 'provider_unavailable';

  constructor(message: string, options: TolemErrorOptions = {}) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }

  static is(value: unknown): value is ProviderUnavailableError {
    return branded(value, 'provider_unavailable');
  }
}

/** The provider does not offer this operation (see its `capabilities`). Nothing was sent. */
export class UnsupportedOperationError extends TolemError {
  readonly code = 'TOLEM_UNSUPPORTED_OPERATION' as const;
  readonly [KIND] = 'unsupported_operation';
  readonly operation: string;

  constructor(operation: string, options: TolemErrorOptions = {}) {
    super(
      `${operation} is not supported${options.providerId ? ` by provider ${options.providerId}` : ''}`,
      options,
    );
    this.name = 'UnsupportedOperationError';
    this.operation = operation;
  }

  static is(value: unknown): value is UnsupportedOperationError {
    return branded(value, 'unsupported_operation');
  }
}

/**
 * A journal refused a write: the same payment id with different fields, or a compare-and-set whose
 * expected version no longer holds.
 */
export class JournalConflictError extends TolemError {
  readonly code = 'TOLEM_JOURNAL_CONFLICT' as const;
  readonly [KIND] = 'journal_conflict';
  readonly paymentId: string;
  /** For a reused payment id: the fields that differ (`amount`, `details`, ...); empty otherwise. */
  readonly fields: readonly string[];

  constructor(
    paymentId: string,
    message: string,
    options: TolemErrorOptions & { fields?: readonly string[] } = {},
  ) {
    super(`payment ${paymentId}: ${message}`, options);
    this.name = 'JournalConflictError';
    this.paymentId = paymentId;
    this.fields = options.fields ?? [];
  }

  static is(value: unknown): value is JournalConflictError {
    return branded(value, 'journal_conflict');
  }
}

/**
 * `pay()` could not tell whether the payment was recorded: the journal failed while creating it, in a
 * way that may have written it (a connection lost around the commit), and stayed unreachable while
 * tolem tried to read it back. **The payment may have been recorded, and then it may still be sent**
 * (by the finalizer, once its in-flight window has passed). It is the one error thrown although
 * something may happen: never refund the customer on it, and never pay again under a new payment id.
 * The safe move is `pay()` again with the same `paymentId` (idempotent: it returns the payment if it
 * was recorded, or creates and sends it, once, if it was not) or `getPayment()`. `cause` is the
 * journal's first error.
 */
export class PaymentUnconfirmedError extends TolemError {
  readonly code = 'TOLEM_PAYMENT_UNCONFIRMED' as const;
  readonly [KIND] = 'payment_unconfirmed';
  readonly paymentId: string;

  constructor(paymentId: string, options: TolemErrorOptions = {}) {
    super(
      `payment ${paymentId}: the journal failed while recording it and could not be reached to confirm; ` +
        'it may have been recorded and may still be sent. Call pay() again with the same paymentId ' +
        '(idempotent) or getPayment() once the journal is back; do not refund or pay under a new id',
      options,
    );
    this.name = 'PaymentUnconfirmedError';
    this.paymentId = paymentId;
  }

  static is(value: unknown): value is PaymentUnconfirmedError {
    return branded(value, 'payment_unconfirmed');
  }
}

/** Why a journal cannot be opened (stable: branch on these, not on the message). */
export type JournalUnavailableReason =
  /** The SQLite native module was compiled for another Node.js version (another ABI). */
  | 'native_module_other_node'
  /** The SQLite native module was never compiled (no build toolchain, scripts not run). */
  | 'native_module_missing'
  /** The SQLite native module is there but this Node.js cannot load it (another platform, damaged). */
  | 'native_module_unloadable'
  /** The database server refused or could not be reached (nothing listening, host unknown). */
  | 'server_refused'
  /** The database server refused the login (wrong user or password, no access rule). */
  | 'auth_failed'
  /** The database named in the connection does not exist on the server. */
  | 'database_missing';

/**
 * The journal cannot be opened because of what surrounds it, not its data: a native module built for
 * another Node.js or never built, a database server that refuses. Thrown when the journal is created,
 * so nothing was sent. The message is one line that names the cause and the fix.
 */
export class JournalUnavailableError extends TolemError {
  readonly code = 'TOLEM_JOURNAL_UNAVAILABLE' as const;
  readonly [KIND] = 'journal_unavailable';
  readonly reason: JournalUnavailableReason;

  constructor(reason: JournalUnavailableReason, message: string, options: TolemErrorOptions = {}) {
    super(message, options);
    this.name = 'JournalUnavailableError';
    this.reason = reason;
  }

  static is(value: unknown): value is JournalUnavailableError {
    return branded(value, 'journal_unavailable');
  }
}

/**
 * Why a manual resolution was refused (architecture §4.8): `final` — the payment is already final ·
 * `contradicted` — the provider's answer contradicts the request (it says succeeded or pending, or has
 * the payment in a state that may have moved money, while `failed` was asked; a final failure while
 * `succeeded` was asked) · `evidence_required` — the provider could not confirm it (unreachable, breaker
 * open, "not found", no usable answer) and no evidence was given · `in_flight` — `failed` was asked
 * while a send of the payment may still be on its way to the provider (evidence cannot vouch for a
 * request that has not arrived yet) · `nothing_sent` — `succeeded` was asked for a payment nothing was
 * ever sent for, or whose every attempt provably moved no money.
 */
export type ResolutionRefusal = 'final' | 'contradicted' | 'evidence_required' | 'in_flight' | 'nothing_sent';

/** The provider's answer a refusal is based on, as an outcome, with the attempt it is about. */
export interface ResolutionAnswer {
  attemptNo: number;
  provider: string;
  state: PaymentState;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
}

/**
 * `router.resolve()` refused to make a payment final by hand: nothing was changed. `refusal` says why,
 * `answer` is the provider's answer behind it (null when there was none), `current` the payment's state.
 */
export class ResolutionRefusedError extends TolemError {
  readonly code = 'TOLEM_RESOLUTION_REFUSED' as const;
  readonly [KIND] = 'resolution_refused';
  readonly paymentId: string;
  /** The state that was asked for. */
  readonly requested: 'succeeded' | 'failed';
  readonly refusal: ResolutionRefusal;
  readonly answer: ResolutionAnswer | null;
  /** The payment's state in the journal. */
  readonly current: PaymentState;

  constructor(
    details: {
      paymentId: string;
      requested: 'succeeded' | 'failed';
      refusal: ResolutionRefusal;
      answer: ResolutionAnswer | null;
      current: PaymentState;
      why: string;
    },
    options: TolemErrorOptions = {},
  ) {
    super(`payment ${details.paymentId}: not resolved ${details.requested}: ${details.why}`, {
      ...options,
      ...(details.answer ? { providerId: details.answer.provider } : {}),
    });
    this.name = 'ResolutionRefusedError';
    this.paymentId = details.paymentId;
    this.requested = details.requested;
    this.refusal = details.refusal;
    this.answer = details.answer;
    this.current = details.current;
  }

  static is(value: unknown): value is ResolutionRefusedError {
    return branded(value, 'resolution_refused');
  }
}
