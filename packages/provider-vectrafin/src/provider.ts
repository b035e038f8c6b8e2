import {
  type AccountCheckRequest,
  type AccountCheckResult,
  type BalanceResult,
  type CallbackNotice,
  type CallOptions,
  type Capabilities,
  type DailyTotals,
  formatDecimal,
  type PaymentListRange,
  type PaymentListResult,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentResult,
  parseCallOptions,
  parseDecimal,
  type QuoteRequest,
  type QuoteResult,
  type RegistryEntry,
  type RegistryResult,
  SERVICE_KINDS,
  type ServiceInfo,
  type ServiceKind,
  type ServicesResult,
  type StatusRef,
  ValidationError,
} from '@tolem/core';
import { parseCallbackBody } from './callback.js';
import { resolveConfig, type VectrafinConfig, type VectrafinOptions } from './config.js';
import { Exchange, PATHS } from './exchange.js';
import * as form from './form-codec.js';
import { calculatedSum, checkBalance, paymentsByDate, settingServices } from './queries.js';
import { postPayments, postTotalAmount } from './reconciliation.js';
import { MAX_REGISTRY_CHUNK } from './registry.js';
import {
  checkAccountCheck,
  checkPayment,
  checkTransactionId,
  VECTRAFIN_CURRENCIES,
} from './request-validation.js';
import { readTransactionResponse } from './response-parser.js';
import { type PaymentBasis, paymentResult, transactionOutcome, unansweredPayment } from './results.js';
import { kindFromExtras, paymentExtraFields, readCheckDetails } from './service-kinds.js';
import { VectrafinTransport } from './transport.js';
import { formatWireDateTime } from './wire-format.js';

/** What VectraFin can do, as data (architecture §3). */
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
  // Resending a Payment with the same TransactionID returns the earlier result (protocol §4.4).
  idempotentResend: true,
  transactionId: Object.freeze({ pattern: /^[1-9]\d{0,14}$/, maxLength: 15 }),
  // PostPayments takes at most 1000 transactions a request (protocol §6).
  registryChunkSize: MAX_REGISTRY_CHUNK,
});

/**
 * The VectraFin adapter: every operation of the spec behind core's `PaymentProvider` port. Each one
 * checks its call options first (`parseCallOptions`), so a `null` or a non-AbortSignal is a
 * ValidationError naming the field before anything is sent, not a TypeError from deep inside.
 */
export class VectrafinProvider implements PaymentProvider {
  readonly id: string;
  readonly capabilities: Capabilities = VECTRAFIN_CAPABILITIES;
  readonly #config: VectrafinConfig;
  readonly #transport: VectrafinTransport;
  readonly #exchange: Exchange;
  readonly #credentials: form.Credentials;
  #sequence = 0;

  constructor(options: VectrafinOptions) {
    this.#config = resolveConfig(options);
    this.id = this.#config.id;
    this.#credentials = { agentId: this.#config.agentId, password: this.#config.password };
    this.#transport = new VectrafinTransport(this.#config);
    this.#exchange = new Exchange(this.#transport, this.#config.password);
  }

  /**
   * The IANA zone RequestDate and GetPaymentsByDate use, and the one the port's `timeZone` reports: the
   * router's end of day counts VectraFin's days in it (protocol §9).
   */
  get timeZone(): string {
    return this.#config.timeZone;
  }

  /** How `serviceId` is paid, when configured (or one of the spec's own ids). */
  serviceKind(serviceId: string): ServiceKind | undefined {
    return this.#config.serviceKinds.get(serviceId);
  }

  async checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult> {
    parseCallOptions(options);
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
    const reply = await this.#exchange.call(PATHS.form, body, 'form', options, (document) => {
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
    parseCallOptions(options);
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
    const reply = await this.#exchange.call(PATHS.form, body, 'form', options, (document) =>
      paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
    );
    return reply.ok ? reply.value : unansweredPayment(reply.failure, basis);
  }

  async getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult> {
    parseCallOptions(options);
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
    const reply = await this.#exchange.call(PATHS.form, body, 'form', options, (document) =>
      paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
    );
    return reply.ok ? reply.value : unansweredPayment(reply.failure, basis);
  }

  async getBalance(options?: CallOptions): Promise<BalanceResult> {
    parseCallOptions(options);
    return checkBalance(this.#exchange, this.#credentials, options);
  }

  async quote(request: QuoteRequest, options?: CallOptions): Promise<QuoteResult> {
    parseCallOptions(options);
    return calculatedSum(this.#exchange, this.#credentials, this.#config.accountPatterns, request, options);
  }

  async listServices(options?: CallOptions): Promise<ServicesResult> {
    parseCallOptions(options);
    return settingServices(this.#exchange, this.#credentials, options);
  }

  /** GetSettingServices for one service: its name, fee and limits, or null when it is not listed. */
  async getServiceSettings(
    serviceId: string,
    options?: CallOptions,
  ): Promise<ServicesResult & { service: ServiceInfo | null }> {
    const result = await this.listServices(options);
    return { ...result, service: result.services.find((service) => service.id === serviceId) ?? null };
  }

  async listPayments(range: PaymentListRange, options?: CallOptions): Promise<PaymentListResult> {
    parseCallOptions(options);
    return paymentsByDate(this.#exchange, this.#credentials, this.#config.timeZone, range, options);
  }

  async submitRegistry(entries: readonly RegistryEntry[], options?: CallOptions): Promise<RegistryResult> {
    parseCallOptions(options);
    return postPayments(this.#exchange, this.#credentials, entries, options);
  }

  async submitDailyTotals(totals: DailyTotals, options?: CallOptions): Promise<RegistryResult> {
    parseCallOptions(options);
    return postTotalAmount(this.#exchange, this.#credentials, totals, options);
  }

  parseCallback(body: string | Uint8Array): CallbackNotice {
    const notice = parseCallbackBody(body);
    return { ...notice, message: this.#exchange.scrub(notice.message) };
  }

  async close(): Promise<void> {
    await this.#transport.close();
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
