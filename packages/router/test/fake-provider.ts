import {
  type AccountCheckRequest,
  type AccountCheckResult,
  type CallbackNotice,
  type CallOptions,
  type Capabilities,
  type PaymentListRange,
  type PaymentListResult,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentResult,
  type PaymentState,
  type QuoteRequest,
  type QuoteResult,
  type Reason,
  Secret,
  type StatusRef,
  ValidationError,
} from '@tolem/core';

export type Answer = {
  state: PaymentState;
  reason?: Reason | null;
  providerStatus?: string | null;
  /** A voucher code the answer carries (sendType api), as VectraFin's Extras.Code. */
  voucherCode?: string;
};

export interface FakeBehaviour {
  /** Decides each Payment that is new to the fake ledger; default: succeeded. */
  pay?: (request: PaymentRequest, call: number) => Answer | Promise<Answer>;
  /** Replaces the whole pay (including the idempotent ledger): for throwing or odd answers. */
  payRaw?: (request: PaymentRequest, options: CallOptions | undefined) => Promise<PaymentResult>;
  /** Decides a Status; default: the ledger's answer, or unknown/not_found. */
  getStatus?: (ref: StatusRef, ledger: ReadonlyMap<string, Answer>) => Answer | Promise<Answer>;
  checkAccount?: (request: AccountCheckRequest) => Answer | Promise<Answer>;
  quote?: false | ((request: QuoteRequest) => Answer | Promise<Answer>);
  listPayments?: (range: PaymentListRange) => PaymentListResult | Promise<PaymentListResult>;
  parseCallback?: false | ((body: string) => CallbackNotice);
  idempotentResend?: boolean;
}

export interface RecordedCall {
  operation: string;
  transactionId?: string;
  request?: unknown;
  /** The per-call timeout the router passed, when it passed one. */
  timeoutMs?: number;
}

/** The timeout of a call's options, as a RecordedCall field (absent when none was passed). */
function timeoutOf(options: CallOptions | undefined): { timeoutMs?: number } {
  return options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
}

/**
 * A provider double with a ledger that behaves like VectraFin's: a Payment with a known transaction
 * id returns the earlier result and never pays twice (protocol §4.4); Status reads the ledger.
 */
export class FakeProvider implements PaymentProvider {
  readonly capabilities: Capabilities;
  readonly calls: RecordedCall[] = [];
  /** transaction id → the provider's current answer. */
  readonly ledger = new Map<string, Answer>();
  /** transaction id → how many times it was credited (a second credit would be paying twice). */
  readonly credits = new Map<string, number>();
  closed = 0;
  #payCalls = 0;

  constructor(
    readonly id: string,
    private readonly behaviour: FakeBehaviour = {},
  ) {
    this.capabilities = {
      serviceKinds: ['direct'],
      currencies: ['KZT'],
      operations: {
        balance: false,
        quote: behaviour.quote !== false,
        listServices: false,
        listPayments: behaviour.listPayments !== undefined,
        registry: false,
        dailyTotals: false,
        callbacks: behaviour.parseCallback !== false,
      },
      idempotentResend: behaviour.idempotentResend ?? true,
      transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
    };
    if (behaviour.quote === false) this.quote = undefined;
    if (behaviour.listPayments === undefined) this.listPayments = undefined;
    if (behaviour.parseCallback === false) this.parseCallback = undefined;
  }

  calledWith(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  async checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult> {
    options?.signal?.throwIfAborted();
    this.calls.push({ operation: 'checkAccount', request, ...timeoutOf(options) });
    const answer = (await this.behaviour.checkAccount?.(request)) ?? { state: 'succeeded' };
    return {
      ...outcomeOf(answer),
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
    options?.signal?.throwIfAborted();
    this.calls.push({
      operation: 'pay',
      transactionId: request.transactionId,
      request,
      ...timeoutOf(options),
    });
    if (this.behaviour.payRaw) return this.behaviour.payRaw(request, options);
    const known = this.ledger.get(request.transactionId);
    if (known) return this.result(request.transactionId, known, request);
    const answer = (await this.behaviour.pay?.(request, ++this.#payCalls)) ?? { state: 'succeeded' };
    return this.result(request.transactionId, answer, request);
  }

  /** Records a Payment in the ledger (the provider has it) without answering the caller properly. */
  accept(transactionId: string, answer: Answer): void {
    this.ledger.set(transactionId, answer);
    if (answer.state === 'succeeded')
      this.credits.set(transactionId, (this.credits.get(transactionId) ?? 0) + 1);
  }

  /** Moves a ledger entry on (a pending payment turning final at the provider). */
  settleLedger(transactionId: string, answer: Answer): void {
    const before = this.ledger.get(transactionId);
    this.ledger.set(transactionId, answer);
    if (answer.state === 'succeeded' && before?.state !== 'succeeded') {
      this.credits.set(transactionId, (this.credits.get(transactionId) ?? 0) + 1);
    }
  }

  private result(transactionId: string, answer: Answer, request: PaymentRequest): PaymentResult {
    // Only answers the provider could have kept enter its ledger: transport faults never do here.
    if (answer.state !== 'unknown' && !this.ledger.has(transactionId)) this.accept(transactionId, answer);
    return {
      ...outcomeOf(answer),
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

  async getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult> {
    options?.signal?.throwIfAborted();
    this.calls.push({ operation: 'getStatus', transactionId: ref.transactionId, ...timeoutOf(options) });
    const answer = this.behaviour.getStatus
      ? await this.behaviour.getStatus(ref, this.ledger)
      : (this.ledger.get(ref.transactionId) ?? {
          state: 'unknown',
          reason: 'not_found',
          providerStatus: '-4',
        });
    return {
      ...outcomeOf(answer),
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

  quote?: (request: QuoteRequest, options?: CallOptions) => Promise<QuoteResult> = async (
    request,
    options,
  ) => {
    this.calls.push({ operation: 'quote', request, ...timeoutOf(options) });
    const behaviour = this.behaviour.quote;
    const answer = (typeof behaviour === 'function' ? await behaviour(request) : undefined) ?? {
      state: 'succeeded',
    };
    return {
      ...outcomeOf(answer),
      amount: request.amount,
      payAmount: request.amount,
      exchangeRate: '1',
      expectedAmount: request.amount,
      expectedCurrency: 'KZT',
    };
  };

  listPayments?: (range: PaymentListRange, options?: CallOptions) => Promise<PaymentListResult> = async (
    range,
    options,
  ) => {
    this.calls.push({ operation: 'listPayments', ...timeoutOf(options) });
    const list = this.behaviour.listPayments;
    if (!list) throw new Error('no listPayments');
    return list(range);
  };

  parseCallback?: (body: string | Uint8Array) => CallbackNotice = (body) => {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    const parse = this.behaviour.parseCallback;
    if (typeof parse === 'function') return parse(text);
    const match = /"TransactinID"\s*:\s*(\d+).*"ResponseStatus"\s*:\s*(-?\d+)/s.exec(text);
    if (!match) throw new ValidationError('body', 'not a callback');
    const code = match[2];
    const state: PaymentState = code === '10' ? 'succeeded' : code?.startsWith('-') ? 'failed' : 'pending';
    return {
      ...outcomeOf({
        state,
        reason: state === 'failed' ? 'operator_error' : null,
        providerStatus: code ?? null,
      }),
      transactionId: match[1] ?? '',
      providerRequestId: null,
    };
  };

  async close(): Promise<void> {
    this.closed += 1;
  }
}

function voucherOf(answer: Answer): { voucherCode?: Secret } {
  return answer.voucherCode === undefined ? {} : { voucherCode: new Secret(answer.voucherCode) };
}

export function outcomeOf(answer: Answer) {
  const state = answer.state;
  const final = state === 'succeeded' || state === 'failed';
  const reason = state === 'succeeded' || state === 'pending' ? null : (answer.reason ?? 'timeout');
  return { state, final, reason, providerStatus: answer.providerStatus ?? null, message: null };
}

/** A clock tests move by hand. */
export class ManualClock {
  #now: number;
  constructor(start = Date.parse('2024-07-09T09:00:00.000Z')) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Moves the clock to `ms` since the epoch (forward or back). */
  set(ms: number): void {
    this.#now = ms;
  }
}
