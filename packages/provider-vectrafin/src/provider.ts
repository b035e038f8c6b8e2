import {
  type AccountCheckRequest,
  type AccountCheckResult,
  type BalanceResult,
  type CallbackNotice,
  type CallOptions,
  type Capabilities,
  type ChunkResult,
  type DailyTotals,
  formatDecimal,
  type Outcome,
  outcome,
  type PaymentListRange,
  type PaymentListResult,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentResult,
  parseDecimal,
  type QuoteRequest,
  type QuoteResult,
  type RegistryEntry,
  type RegistryResult,
  SERVICE_KINDS,
  type ServiceKind,
  type ServicesResult,
  type StatusRef,
  scrub,
  ValidationError,
} from '@tolem/core';
import { parseCallbackBody } from './callback.js';
import { resolveConfig, type VectrafinConfig, type VectrafinOptions } from './config.js';
import * as form from './form-codec.js';
import type { WireValue } from './json-value.js';
import { checkRegistryEntries, dailyTotalsBody, registryBodies } from './registry.js';
import {
  checkAccountCheck,
  checkPayment,
  checkQuote,
  checkTransactionId,
  VECTRAFIN_CURRENCIES,
} from './request-validation.js';
import {
  type Answer,
  readBalances,
  readCalculatedSum,
  readPaymentList,
  readRegistryAck,
  readServiceList,
  readTransactionResponse,
} from './response-parser.js';
import { type PaymentBasis, paymentResult, transactionOutcome, unansweredPayment } from './results.js';
import { kindFromExtras, paymentExtraFields, readCheckDetails, roundUpToCents } from './service-kinds.js';
import { mapStatusCode } from './status-table.js';
import { type ContentType, VectrafinTransport } from './transport.js';
import { formatWireDateTime } from './wire-format.js';

const FORM_PATH = 'home/index';
const POST_PAYMENTS_PATH = 'home/postpayments';
const POST_TOTAL_AMOUNT_PATH = 'home/posttotalamount';

/** What VectraFin can do, as data (design §3). */
export const VECTRAFIN_CAPABILITIES: Capabilities = Object.freeze({
  serviceKinds: SERVICE_KINDS,
  currencies: VECTRAFIN_CURRENCIES,
  operations: Object.freeze({
    balance: true,
    quote: true,
    listServices: true,
    listPayments: true,
    registry: true,
    dailyTotals: true,
    callbacks: true,
  }),
  // Resending a Payment with the same TransactionID returns the earlier result (notes §4).
  idempotentResend: true,
  transactionId: Object.freeze({ pattern: /^[1-9]\d{0,14}$/, maxLength: 15 }),
});

type Reply<T> = { ok: true; value: T } | { ok: false; failure: Outcome };

/** The VectraFin adapter: every operation of the spec behind core's `PaymentProvider` port. */
export class VectrafinProvider implements PaymentProvider {
  readonly id: string;
  readonly capabilities: Capabilities = VECTRAFIN_CAPABILITIES;
  readonly #config: VectrafinConfig;
  readonly #transport: VectrafinTransport;
  readonly #credentials: form.Credentials;
  #sequence = 0;

  constructor(options: VectrafinOptions) {
    this.#config = resolveConfig(options);
    this.id = this.#config.id;
    this.#credentials = { agentId: this.#config.agentId, password: this.#config.password };
    this.#transport = new VectrafinTransport(this.#config);
  }

  /** The IANA zone RequestDate and GetPaymentsByDate use. */
  get timeZone(): string {
    return this.#config.timeZone;
  }

  /** How `serviceId` is paid, when configured (or one of the spec's own ids). */
  serviceKind(serviceId: string): ServiceKind | undefined {
    return this.#config.serviceKinds.get(serviceId);
  }

  async checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult> {
    const checked = checkAccountCheck(request, this.#config.accountPatterns);
    const transactionId = checked.transactionId ?? this.#nextCheckId();
    const amount = checked.amount.format();
    const body = form.encodeForm(
      form.accountCheckFields(this.#credentials, {
        serviceId: checked.serviceId,
        amount,
        currency: checked.currency,
        requestDate: this.#requestDate(checked.requestedAt),
        transactionId,
        account: checked.account,
      }),
    );
    const configured = this.#config.serviceKinds.get(checked.serviceId);
    const basis = {
      transactionId,
      providerRequestId: null,
      serviceId: checked.serviceId,
      account: checked.account,
      amount,
      currency: checked.currency,
      kind: configured ?? ('direct' as const),
      exchangeRate: null,
      serviceCurrency: null,
    };
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) => {
      const response = readTransactionResponse(document);
      const result = transactionOutcome(
        response,
        {
          transactionId,
          amount,
          account: checked.account,
          currency: checked.currency,
          serviceId: checked.serviceId,
        },
        [this.#config.password],
      );
      const extras = response.content?.extras ?? [];
      const kind = configured ?? kindFromExtras(extras) ?? 'direct';
      const details = result.state === 'succeeded' ? readCheckDetails(kind, extras, checked.currency) : {};
      return {
        ...result,
        ...basis,
        providerRequestId: response.requestId,
        account: response.content?.account ?? checked.account,
        amount: response.content?.amount ?? amount,
        currency: response.content?.currency ?? checked.currency,
        kind,
        exchangeRate: response.content?.exchangeRate ?? null,
        serviceCurrency: response.content?.serviceCurrency ?? null,
        ...details,
      };
    });
    return reply.ok ? reply.value : { ...reply.failure, ...basis };
  }

  async pay(request: PaymentRequest, options?: CallOptions): Promise<PaymentResult> {
    const checked = checkPayment(request, this.#config.accountPatterns);
    const kind =
      this.#config.serviceKinds.get(checked.serviceId) ??
      (checked.services ? 'invoice' : checked.invoiceId !== undefined ? 'dynamic_voucher' : 'direct');
    const extra = paymentExtraFields({
      kind,
      amount: checked.amount,
      invoiceId: checked.invoiceId,
      services: checked.services,
    });
    if (checked.sendType === 'api') extra.push(['SendType', 'api']);
    const amount = checked.amount.format();
    const body = form.encodeForm(
      form.paymentFields(this.#credentials, {
        serviceId: checked.serviceId,
        amount,
        currency: checked.currency,
        requestDate: this.#requestDate(checked.requestedAt),
        transactionId: checked.transactionId,
        account: checked.account,
        extra,
      }),
    );
    const basis: PaymentBasis = {
      transactionId: checked.transactionId,
      amount,
      currency: checked.currency,
      account: checked.account,
    };
    const expected = {
      transactionId: checked.transactionId,
      amount,
      account: checked.account,
      currency: checked.currency,
      serviceId: checked.serviceId,
    };
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) =>
      paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
    );
    return reply.ok ? reply.value : unansweredPayment(reply.failure, basis);
  }

  async getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult> {
    if (typeof ref !== 'object' || ref === null)
      throw new ValidationError('ref', 'a status reference is required');
    const transactionId = checkTransactionId(ref.transactionId);
    const expectedAmount =
      ref.expected?.amount === undefined
        ? undefined
        : formatDecimal(parseDecimal(ref.expected.amount, 'expected.amount', { maxDecimals: 2 }), 2);
    const expectedAccount = ref.expected?.account;
    if (expectedAccount !== undefined && typeof expectedAccount !== 'string') {
      throw new ValidationError('expected.account', 'must be a string');
    }
    const body = form.encodeForm(form.statusFields(this.#credentials, transactionId));
    const basis: PaymentBasis = {
      transactionId,
      amount: expectedAmount ?? null,
      currency: null,
      account: null,
    };
    const expected = {
      transactionId,
      amount: expectedAmount,
      account: expectedAccount,
      serviceId: ref.serviceId,
    };
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) =>
      paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
    );
    return reply.ok ? reply.value : unansweredPayment(reply.failure, basis);
  }

  async getBalance(options?: CallOptions): Promise<BalanceResult> {
    const body = form.encodeForm(form.checkBalanceFields(this.#credentials));
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) =>
      this.#answer(readBalances(document), (balances) => ({ balances }), { balances: [] }),
    );
    return reply.ok ? reply.value : { ...reply.failure, balances: [] };
  }

  async quote(request: QuoteRequest, options?: CallOptions): Promise<QuoteResult> {
    const checked = checkQuote(request, this.#config.accountPatterns);
    const body = form.encodeForm(
      form.calculatedSumFields(this.#credentials, {
        serviceId: checked.serviceId,
        amount: checked.amount.format(),
        currency: checked.currency,
        account: checked.account,
      }),
    );
    const empty: Omit<QuoteResult, keyof Outcome> = {
      amount: null,
      payAmount: null,
      exchangeRate: null,
      expectedAmount: null,
      expectedCurrency: null,
    };
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) => {
      const answer = readCalculatedSum(document);
      if (answer.kind === 'data') {
        const echoed = answer.data;
        if (
          (echoed.serviceId !== null && echoed.serviceId !== checked.serviceId) ||
          (echoed.currency !== null && echoed.currency !== checked.currency)
        ) {
          return {
            ...outcome('unknown', 'conflict', null, 'the answer is for another service or currency'),
            ...empty,
          };
        }
      }
      return this.#answer(
        answer,
        (sum) => ({
          amount: sum.amount,
          // CalculatedSum carries up to 9 decimals; a Payment needs it rounded up (notes §3.14).
          payAmount: roundUpToCents(sum.amount, checked.currency),
          exchangeRate: sum.exchangeRate,
          expectedAmount: sum.expectedAmount,
          expectedCurrency: sum.expectedCurrency,
        }),
        empty,
      );
    });
    return reply.ok ? reply.value : { ...reply.failure, ...empty };
  }

  async listServices(options?: CallOptions): Promise<ServicesResult> {
    const body = form.encodeForm(form.settingServicesFields(this.#credentials));
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) =>
      this.#answer(readServiceList(document), (services) => ({ services }), { services: [] }),
    );
    return reply.ok ? reply.value : { ...reply.failure, services: [] };
  }

  /** GetSettingServices for one service: its name, fee and limits, or null when it is not listed. */
  async getServiceSettings(serviceId: string, options?: CallOptions) {
    const result = await this.listServices(options);
    return { ...result, service: result.services.find((service) => service.id === serviceId) ?? null };
  }

  async listPayments(range: PaymentListRange, options?: CallOptions): Promise<PaymentListResult> {
    const zone = this.#config.timeZone;
    if (typeof range !== 'object' || range === null)
      throw new ValidationError('range', 'from and to are required');
    const from = formatWireDateTime(range.from, zone, 'from');
    const to = formatWireDateTime(range.to, zone, 'to');
    if (range.from.getTime() > range.to.getTime()) throw new ValidationError('to', 'must not be before from');
    const body = form.encodeForm(form.paymentsByDateFields(this.#credentials, from, to));
    const reply = await this.#call(FORM_PATH, body, 'form', options, (document) =>
      this.#answer(
        readPaymentList(document),
        (lines) => ({
          payments: lines.map((line) => ({
            transactionId: line.transactionId,
            providerRequestId: line.requestId,
            account: line.account,
            amount: line.amount,
            serviceId: line.serviceId,
            agentCreatedAt: line.agentCreatedAt,
            createdAt: line.createdAt,
            processedAt: line.processedAt,
            state: line.status === null ? ('unknown' as const) : mapStatusCode(line.status).state,
            providerStatus: line.status,
          })),
        }),
        { payments: [] },
      ),
    );
    return reply.ok ? reply.value : { ...reply.failure, payments: [] };
  }

  async submitRegistry(entries: readonly RegistryEntry[], options?: CallOptions): Promise<RegistryResult> {
    const encoded = checkRegistryEntries(entries);
    const bodies = registryBodies(this.#credentials, encoded);
    const chunks: ChunkResult[] = [];
    let offset = 0;
    for (const body of bodies) {
      const size = Math.min(encoded.length - offset, 1000);
      if (chunks.length > 0 && options?.signal?.aborted) {
        chunks.push({
          ...outcome('unknown', 'aborted', null, 'not sent: the call was aborted'),
          offset,
          size,
          status: null,
        });
      } else {
        chunks.push({ ...(await this.#postRegistry(POST_PAYMENTS_PATH, body, options)), offset, size });
      }
      offset += size;
    }
    return { chunks, accepted: chunks.every((chunk) => chunk.state === 'succeeded') };
  }

  async submitDailyTotals(totals: DailyTotals, options?: CallOptions): Promise<RegistryResult> {
    const body = dailyTotalsBody(this.#credentials, totals);
    const chunk = {
      ...(await this.#postRegistry(POST_TOTAL_AMOUNT_PATH, body, options)),
      offset: 0,
      size: 1,
    };
    return { chunks: [chunk], accepted: chunk.state === 'succeeded' };
  }

  parseCallback(body: string | Uint8Array): CallbackNotice {
    const notice = parseCallbackBody(body);
    return notice.message === null
      ? notice
      : { ...notice, message: scrub(notice.message, [this.#config.password]) };
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  async #postRegistry(path: string, body: string, options: CallOptions | undefined) {
    const reply = await this.#call(path, body, 'json', options, (document) => {
      const ack = readRegistryAck(document);
      const message = ack.message === null ? null : scrub(ack.message, [this.#config.password]);
      const status = ack.status.toLowerCase();
      // "error" is the provider refusing the chunk as a whole: nothing of it was stored.
      const result =
        status === 'success'
          ? outcome('succeeded', null, ack.status, message)
          : status === 'error'
            ? outcome('failed', 'request_failed', ack.status, message)
            : outcome('unknown', 'unknown_status', ack.status, message);
      return { ...result, status: ack.status };
    });
    return reply.ok ? reply.value : { ...reply.failure, status: null };
  }

  /** Data → succeeded with `fields`; a status-only answer → its mapped outcome with `empty`. */
  #answer<T, R extends object>(answer: Answer<T>, fields: (data: T) => R, empty: R): Outcome & R {
    if (answer.kind === 'data') return { ...outcome('succeeded', null), ...fields(answer.data) };
    const { status, message } = answer.envelope;
    const mapped = mapStatusCode(status);
    // A status-only answer to a query never carries the data asked for, so it cannot be a success.
    const state = mapped.state === 'succeeded' ? 'unknown' : mapped.state;
    const reason = state === mapped.state ? mapped.reason : 'unknown_status';
    const text = message === null ? null : scrub(message, [this.#config.password]);
    return { ...outcome(state, reason, status, text), ...empty };
  }

  async #call<T>(
    path: string,
    body: string,
    type: ContentType,
    options: CallOptions | undefined,
    read: (document: WireValue) => T,
  ): Promise<Reply<T>> {
    const exchange = await this.#transport.post(path, body, type, options);
    if (!exchange.ok) {
      return { ok: false, failure: outcome('unknown', exchange.reason, null, exchange.message) };
    }
    try {
      return { ok: true, value: read(exchange.document) };
    } catch (error) {
      // The request has left: whatever went wrong reading the answer, the outcome is unknown, not thrown.
      const detail = scrub(error instanceof Error ? error.message : String(error), [this.#config.password]);
      const success = exchange.statusCode >= 200 && exchange.statusCode < 300;
      const failure = success
        ? outcome('unknown', 'malformed_response', null, `not a VectraFin answer: ${detail}`)
        : outcome('unknown', 'http_error', null, `HTTP ${exchange.statusCode}: ${detail}`);
      return { ok: false, failure };
    }
  }

  #requestDate(requestedAt: Date | undefined): string {
    return formatWireDateTime(requestedAt ?? this.#config.clock.now(), this.#config.timeZone, 'requestedAt');
  }

  /** A fresh 15-digit id for an AccountCheck the caller gave none for: milliseconds + a counter. */
  #nextCheckId(): string {
    this.#sequence = (this.#sequence + 1) % 100;
    return `${this.#config.clock.now().getTime()}${String(this.#sequence).padStart(2, '0')}`;
  }
}

/** Builds a provider from options validated once, here: ConfigError names the bad option. */
export function createVectrafinProvider(options: VectrafinOptions): VectrafinProvider {
  return new VectrafinProvider(options);
}
