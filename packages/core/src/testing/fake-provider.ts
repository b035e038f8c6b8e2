/**
 * An in-process PaymentProvider for tests of code that uses one (a router, an application, a
 * conformance suite): no network, and a ledger that behaves like a real provider's. It passes the
 * provider conformance suite as it is; each `flaw` breaks one rule of the port, so a test can prove
 * that its checks catch it.
 */
import * as z from 'zod';
import { UnsupportedOperationError, ValidationError } from '../errors.js';
import type { PaymentState, Reason } from '../model.js';
import type {
  AccountCheckRequest,
  AccountCheckResult,
  BalanceResult,
  CallbackNotice,
  PaymentListRange,
  PaymentListResult,
  PaymentRequest,
  PaymentResult,
  QuoteRequest,
  QuoteResult,
  ServiceInfo,
  ServicesResult,
  StatusRef,
} from '../operations.js';
import { type CallOptions, type Capabilities, type PaymentProvider, throwIfAborted } from '../port.js';
import { Secret } from '../secret.js';
import {
  accountSchema,
  amountSchema,
  currencySchema,
  parseInput,
  serviceIdSchema,
  transactionIdSchema,
} from '../validation.js';

/** How the fake answers one request: the outcome's fields, the rest is filled in. */
export interface FakeAnswer {
  state: PaymentState;
  /** Default for `failed` and `unknown`: `timeout`. */
  reason?: Reason | null;
  providerStatus?: string | null;
  /** A voucher code the answer carries (a `sendType: 'api'` payment); handed out as a `Secret`. */
  voucherCode?: string;
}

/** One rule of the port the fake breaks on purpose (to prove that a check catches it). */
export type FakeProviderFlaw =
  /** Reports a payment with no usable answer (`unknown`) as failed. */
  | 'unknown-as-failed'
  /** Counts a Payment as sent before validating it. */
  | 'sends-before-validating'
  /** Sends even when the call's signal is already aborted. */
  | 'ignores-aborted-signal'
  /** Throws the abort reason when a Payment already sent is aborted, instead of answering `unknown`. */
  | 'throws-after-sending-on-abort'
  /** Answers a resent Payment afresh instead of with its first answer. */
  | 'not-idempotent'
  /** Keeps its password as a plain string, and puts it in result messages. */
  | 'leaks-password'
  /** Offers `getBalance` although its capabilities say it has no balance. */
  | 'balance-without-capability'
  /** Declares a transaction it never saw final (`failed`). */
  | 'final-when-not-found'
  /** Reports its time zone as an offset (`+05:00`), which goes stale, instead of an IANA name. */
  | 'offset-time-zone';

export interface FakeProviderOptions {
  /**
   * Decides each Payment new to the ledger (`call` counts them from 1); default `succeeded`. A promise
   * that never settles is a provider that does not answer: an abort then ends the call with `unknown`.
   */
  pay?: (
    request: PaymentRequest,
    call: number,
    options: CallOptions | undefined,
  ) => FakeAnswer | Promise<FakeAnswer>;
  /** Replaces the whole answer to a Payment (ledger included), after validation: for throwing or odd answers. */
  payRaw?: (request: PaymentRequest, options: CallOptions | undefined) => Promise<PaymentResult>;
  /** Decides a Status; default: the ledger's answer, or `unknown` / `not_found`. */
  getStatus?: (ref: StatusRef, ledger: ReadonlyMap<string, FakeAnswer>) => FakeAnswer | Promise<FakeAnswer>;
  /** Decides an account check; default `succeeded`. */
  checkAccount?: (request: AccountCheckRequest) => FakeAnswer | Promise<FakeAnswer>;
  /**
   * Decides a quote (default `succeeded`, at rate 1). `false`: no `quote` method; `'unsupported'`: a
   * `quote` that throws UnsupportedOperationError. Either way `capabilities.operations.quote` is false.
   */
  quote?: false | 'unsupported' | ((request: QuoteRequest) => FakeAnswer | Promise<FakeAnswer>);
  /** The service list; without it, no `listServices`. */
  listServices?: () => ServiceInfo[] | Promise<ServiceInfo[]>;
  /** Answers `listPayments`; without it, no `listPayments`. */
  listPayments?: (range: PaymentListRange) => PaymentListResult | Promise<PaymentListResult>;
  /** Answers `getBalance` (called with the call's options); without it, no `getBalance`. */
  getBalance?: (options?: CallOptions) => Promise<BalanceResult>;
  /**
   * Parses a callback body; `false`: no `parseCallback`. Default: a VectraFin-like body's
   * `TransactinID` and `ResponseStatus` (10 succeeded, negative failed, else pending).
   */
  parseCallback?: false | ((body: string) => CallbackNotice);
  /** `capabilities.idempotentResend` (default true). The ledger answers a resend either way. */
  idempotentResend?: boolean;
  /** The provider's `timeZone` (an IANA name); without it, none (unless flawed). */
  timeZone?: string;
  /** `capabilities.registryChunkSize`; without it, none. */
  registryChunkSize?: number;
  /** An agent password the fake holds, as a `Secret`, like a real provider's (for secret checks). */
  password?: string;
  /** Rules to break on purpose. */
  flaws?: readonly FakeProviderFlaw[];
}

/** A call as the fake received it, before any validation. */
export interface RecordedCall {
  operation: string;
  transactionId?: string;
  request?: unknown;
  /** The per-call timeout passed, when one was. */
  timeoutMs?: number;
}

const paymentSchema = z.object({
  serviceId: serviceIdSchema,
  account: accountSchema,
  amount: amountSchema,
  currency: currencySchema,
  transactionId: transactionIdSchema,
});
const checkSchema = paymentSchema.omit({ transactionId: true });

/**
 * The ledger works like VectraFin's (protocol §4.4): a Payment with a transaction id it already has
 * returns the earlier answer and is never credited twice; Status reads the ledger. Every call is
 * recorded in `calls` as it arrives; `requests` counts those that passed validation and went on to the
 * "backend" (the conformance suite's `requestsSeen`).
 */
export class FakeProvider implements PaymentProvider {
  readonly capabilities: Capabilities;
  readonly timeZone?: string;
  /** Every call, recorded on arrival (after an already-aborted signal, before validation). */
  readonly calls: RecordedCall[] = [];
  /** Requests that reached the backend: validated, not aborted. */
  requests = 0;
  /** transaction id → the provider's current answer. */
  readonly ledger = new Map<string, FakeAnswer>();
  /** transaction id → how many times it was credited (a second credit would be paying twice). */
  readonly credits = new Map<string, number>();
  /** How many times `close()` was called. */
  closed = 0;
  /** The agent's password as the fake keeps it (a `Secret`, unless flawed), when one was given. */
  readonly credentials: { password: Secret | string } | null;
  /** The options, less the password (held only in `credentials`). */
  readonly #options: Omit<FakeProviderOptions, 'password'>;
  readonly #flaws: ReadonlySet<FakeProviderFlaw>;
  #payCalls = 0;
  #resends = 0;

  quote?: (request: QuoteRequest, options?: CallOptions) => Promise<QuoteResult>;
  listServices?: (options?: CallOptions) => Promise<ServicesResult>;
  listPayments?: (range: PaymentListRange, options?: CallOptions) => Promise<PaymentListResult>;
  getBalance?: (options?: CallOptions) => Promise<BalanceResult>;
  parseCallback?: (body: string | Uint8Array) => CallbackNotice;

  constructor(
    readonly id: string,
    options: FakeProviderOptions = {},
  ) {
    const { password, ...rest } = options;
    this.#options = rest;
    this.#flaws = new Set(options.flaws ?? []);
    const quote = options.quote;
    this.capabilities = {
      serviceKinds: ['direct'],
      currencies: ['KZT'],
      operations: {
        balance: options.getBalance !== undefined,
        quote: quote !== false && quote !== 'unsupported',
        listServices: options.listServices !== undefined,
        listPayments: options.listPayments !== undefined,
        registry: false,
        dailyTotals: false,
        callbacks: options.parseCallback !== false,
      },
      idempotentResend: options.idempotentResend ?? true,
      transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
      ...(options.registryChunkSize === undefined ? {} : { registryChunkSize: options.registryChunkSize }),
    };
    const timeZone = this.#has('offset-time-zone') ? '+05:00' : options.timeZone;
    if (timeZone !== undefined) this.timeZone = timeZone;
    this.credentials =
      password === undefined
        ? null
        : { password: this.#has('leaks-password') ? password : new Secret(password) };
    if (quote !== false) this.quote = (request, callOptions) => this.#quote(request, callOptions);
    if (options.listServices !== undefined) this.listServices = (o) => this.#listServices(o);
    if (options.listPayments !== undefined) this.listPayments = (r, o) => this.#listPayments(r, o);
    if (options.getBalance !== undefined || this.#has('balance-without-capability')) {
      this.getBalance = (o) => this.#getBalance(o);
    }
    if (options.parseCallback !== false) this.parseCallback = (body) => this.#parseCallback(body);
  }

  /** The calls of one operation, in order. */
  calledWith(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult> {
    this.#arrive({ operation: 'checkAccount', request }, options);
    parseInput(checkSchema, request);
    this.requests += 1;
    const answer = (await this.#options.checkAccount?.(request)) ?? { state: 'succeeded' };
    return {
      ...this.#outcome(answer),
      transactionId: null,
      providerRequestId: '638405063993273260',
      serviceId: request.serviceId,
      account: request.account,
      amount: request.amount,
      currency: request.currency,
      kind: 'direct',
      exchangeRate: '1',
      serviceCurrency: 'KZT',
    };
  }

  async pay(request: PaymentRequest, options?: CallOptions): Promise<PaymentResult> {
    this.#arrive({ operation: 'pay', transactionId: request?.transactionId, request }, options);
    if (this.#has('sends-before-validating')) this.requests += 1;
    parseInput(paymentSchema, request);
    if (!this.#has('sends-before-validating')) this.requests += 1;
    if (this.#options.payRaw) return this.#options.payRaw(request, options);
    const known = this.ledger.get(request.transactionId);
    if (known && !this.#has('not-idempotent')) return this.#result(request.transactionId, known, request);
    const call = ++this.#payCalls;
    const decided = this.#options.pay?.(request, call, options) ?? { state: 'succeeded' };
    const answer = await this.#untilAborted(decided, options?.signal);
    const result = this.#result(request.transactionId, answer, request);
    if (known) {
      // Answered afresh (the not-idempotent flaw): a new request id, as a second payment would get.
      result.providerRequestId = `${result.providerRequestId ?? '9'}${++this.#resends}`;
    }
    return result;
  }

  async getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult> {
    this.#arrive({ operation: 'getStatus', transactionId: ref?.transactionId }, options);
    parseInput(transactionIdSchema, ref?.transactionId, 'transactionId');
    this.requests += 1;
    const notFound: FakeAnswer = this.#has('final-when-not-found')
      ? { state: 'failed', reason: 'account_not_found', providerStatus: '-4' }
      : { state: 'unknown', reason: 'not_found', providerStatus: '-4' };
    const answer = this.#options.getStatus
      ? await this.#options.getStatus(ref, this.ledger)
      : (this.ledger.get(ref.transactionId) ?? notFound);
    return {
      ...this.#outcome(answer),
      transactionId: ref.transactionId,
      providerRequestId: answer.state === 'unknown' ? null : `9${ref.transactionId}`,
      amount: ref.expected?.amount ?? null,
      currency: 'KZT',
      account: ref.expected?.account ?? null,
      amountOnClient: null,
      exchangeRate: null,
      serviceCurrency: null,
      ...voucherOf(answer),
    };
  }

  /** Records a Payment in the ledger (the provider has it) without answering the caller properly. */
  accept(transactionId: string, answer: FakeAnswer): void {
    this.ledger.set(transactionId, answer);
    if (answer.state === 'succeeded') this.#credit(transactionId);
  }

  /** Moves a ledger entry on (a pending payment turning final at the provider). */
  settleLedger(transactionId: string, answer: FakeAnswer): void {
    const before = this.ledger.get(transactionId);
    this.ledger.set(transactionId, answer);
    if (answer.state === 'succeeded' && before?.state !== 'succeeded') this.#credit(transactionId);
  }

  async close(): Promise<void> {
    this.closed += 1;
  }

  async #quote(request: QuoteRequest, options?: CallOptions): Promise<QuoteResult> {
    this.calls.push({ operation: 'quote', request, ...timeoutOf(options) });
    const behaviour = this.#options.quote;
    if (behaviour === 'unsupported') throw new UnsupportedOperationError('quote', { providerId: this.id });
    this.requests += 1;
    const answer = (typeof behaviour === 'function' ? await behaviour(request) : undefined) ?? {
      state: 'succeeded',
    };
    return {
      ...this.#outcome(answer),
      amount: request.amount,
      payAmount: request.amount,
      exchangeRate: '1',
      expectedAmount: request.amount,
      expectedCurrency: 'KZT',
    };
  }

  async #listServices(options?: CallOptions): Promise<ServicesResult> {
    this.#arrive({ operation: 'listServices' }, options);
    this.requests += 1;
    const services = (await this.#options.listServices?.()) ?? [];
    return { ...this.#outcome({ state: 'succeeded' }), services };
  }

  async #listPayments(range: PaymentListRange, options?: CallOptions): Promise<PaymentListResult> {
    this.calls.push({ operation: 'listPayments', ...timeoutOf(options) });
    const list = this.#options.listPayments;
    if (!list) throw new Error('no listPayments');
    this.requests += 1;
    return list(range);
  }

  /** Not async: the answer is the behaviour's own promise, settling exactly when it does. */
  #getBalance(options?: CallOptions): Promise<BalanceResult> {
    this.calls.push({ operation: 'getBalance', ...timeoutOf(options) });
    this.requests += 1;
    const balance = this.#options.getBalance;
    if (balance) return balance(options);
    return Promise.resolve({ ...this.#outcome({ state: 'succeeded' }), balances: [] });
  }

  #parseCallback(body: string | Uint8Array): CallbackNotice {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    const parse = this.#options.parseCallback;
    if (typeof parse === 'function') return parse(text);
    const match = /"TransactinID"\s*:\s*(\d+).*"ResponseStatus"\s*:\s*(-?\d+)/s.exec(text);
    if (!match) throw new ValidationError('body', 'not a callback');
    const code = match[2];
    const state: PaymentState = code === '10' ? 'succeeded' : code?.startsWith('-') ? 'failed' : 'pending';
    return {
      ...this.#outcome({
        state,
        reason: state === 'failed' ? 'operator_error' : null,
        providerStatus: code ?? null,
      }),
      transactionId: match[1] ?? '',
      providerRequestId: null,
    };
  }

  #has(flaw: FakeProviderFlaw): boolean {
    return this.#flaws.has(flaw);
  }

  /** An already-aborted call throws before anything is recorded or sent (unless flawed). */
  #arrive(call: RecordedCall, options: CallOptions | undefined): void {
    if (!this.#has('ignores-aborted-signal')) throwIfAborted(options?.signal);
    this.calls.push({ ...call, ...timeoutOf(options) });
  }

  /**
   * Waits for the backend's answer; an abort meanwhile ends the wait like a real client's: the request
   * was sent, so the answer is `unknown` / `aborted` (the flawed fake throws instead).
   */
  #untilAborted(
    answer: FakeAnswer | Promise<FakeAnswer>,
    signal: AbortSignal | undefined,
  ): Promise<FakeAnswer> {
    if (signal === undefined || !(answer instanceof Promise)) return Promise.resolve(answer);
    return new Promise<FakeAnswer>((resolve, reject) => {
      const onAbort = () => {
        if (this.#has('throws-after-sending-on-abort')) reject(signal.reason);
        else resolve({ state: 'unknown', reason: 'aborted' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      answer.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #result(transactionId: string, given: FakeAnswer, request: PaymentRequest): PaymentResult {
    const answer: FakeAnswer =
      given.state === 'unknown' && this.#has('unknown-as-failed')
        ? { state: 'failed', reason: 'provider_technical' }
        : given;
    // Only answers the provider could have kept enter its ledger: transport faults never do here.
    if (answer.state !== 'unknown' && (!this.ledger.has(transactionId) || this.#has('not-idempotent'))) {
      this.accept(transactionId, answer);
    }
    return {
      ...this.#outcome(answer),
      transactionId,
      providerRequestId: answer.state === 'unknown' ? null : `9${transactionId}`,
      amount: request.amount,
      currency: request.currency,
      account: request.account,
      amountOnClient: null,
      exchangeRate: null,
      serviceCurrency: null,
      ...voucherOf(answer),
    };
  }

  #outcome(answer: FakeAnswer) {
    const state = answer.state;
    const final = state === 'succeeded' || state === 'failed';
    const reason = state === 'succeeded' || state === 'pending' ? null : (answer.reason ?? 'timeout');
    const password = this.credentials?.password;
    // The leaks-password flaw: what a provider that pastes its request into error text would send back.
    const message = this.#has('leaks-password') && typeof password === 'string' ? `agent ${password}` : null;
    return { state, final, reason, providerStatus: answer.providerStatus ?? null, message };
  }

  #credit(transactionId: string): void {
    this.credits.set(transactionId, (this.credits.get(transactionId) ?? 0) + 1);
  }
}

/** The timeout of a call's options, as a RecordedCall field (absent when none was passed). */
function timeoutOf(options: CallOptions | undefined): { timeoutMs?: number } {
  return options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
}

function voucherOf(answer: FakeAnswer): { voucherCode?: Secret } {
  return answer.voucherCode === undefined ? {} : { voucherCode: new Secret(answer.voucherCode) };
}
