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
import { ENDPOINTS, Exchange } from './exchange.js';
import * as form from './form-codec.js';
import { MAX_REGISTRY_CHUNK } from './registry-codec.js';
import { postPayments, postTotalAmount } from './registry-submission.js';
import {
  checkAccountCheck,
  checkPayment,
  checkQuote,
  checkTransactionId,
  VECTRAFIN_CURRENCIES,
} from './request-validation.js';
import {
  readBalances,
  readCalculatedSum,
  readPaymentList,
  readServiceList,
  readTransactionResponse,
} from './response-parser.js';
import {
  type AccountCheckBasis,
  accountCheckResult,
  unansweredAccountCheck,
} from './results/account-check.js';
import { type PaymentBasis, paymentResult, unansweredPayment } from './results/payment.js';
import {
  balanceResult,
  paymentListResult,
  quoteResult,
  servicesResult,
  unansweredBalance,
  unansweredPaymentList,
  unansweredQuote,
  unansweredServices,
} from './results/queries.js';
import { paymentExtraFields } from './service-kinds.js';
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
 * ValidationError naming the field before anything is sent, not a TypeError from deep inside; then
 * checks its input, builds the body (form-codec.ts, registry-codec.ts), sends it through the Exchange
 * and builds its result in one place per kind of answer: results/account-check.ts, results/payment.ts
 * (pay, getStatus), results/queries.ts, results/registry.ts.
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
    const basis: AccountCheckBasis = {
      transactionId: checked.transactionId ?? this.#nextCheckId(),
      serviceId: checked.serviceId,
      account: checked.account,
      amount: checked.amount.format(),
      currency: checked.currency,
      configuredKind: this.#config.serviceKinds.get(checked.serviceId),
    };
    const body = form.encodeForm(
      form.accountCheckFields(this.#credentials, {
        serviceId: basis.serviceId,
        amount: basis.amount,
        currency: basis.currency,
        requestDate: this.#requestDate(checked.requestedAt),
        transactionId: basis.transactionId,
        account: basis.account,
      }),
    );
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) => accountCheckResult(readTransactionResponse(document), basis, this.#config.password),
      unanswered: (failure) => unansweredAccountCheck(failure, basis),
    });
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
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) =>
        paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
      unanswered: (failure) => unansweredPayment(failure, basis),
    });
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
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) =>
        paymentResult(readTransactionResponse(document), basis, expected, this.#config.password),
      unanswered: (failure) => unansweredPayment(failure, basis),
    });
  }

  async getBalance(options?: CallOptions): Promise<BalanceResult> {
    parseCallOptions(options);
    const body = form.encodeForm(form.checkBalanceFields(this.#credentials));
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) => balanceResult(readBalances(document), this.#config.password),
      unanswered: unansweredBalance,
    });
  }

  async quote(request: QuoteRequest, options?: CallOptions): Promise<QuoteResult> {
    parseCallOptions(options);
    const checked = checkQuote(request, this.#config.accountPatterns);
    const body = form.encodeForm(
      form.calculatedSumFields(this.#credentials, {
        serviceId: checked.serviceId,
        amount: checked.amount.format(),
        currency: checked.currency,
        account: checked.account,
      }),
    );
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) => quoteResult(readCalculatedSum(document), checked, this.#config.password),
      unanswered: unansweredQuote,
    });
  }

  async listServices(options?: CallOptions): Promise<ServicesResult> {
    parseCallOptions(options);
    const body = form.encodeForm(form.settingServicesFields(this.#credentials));
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) => servicesResult(readServiceList(document), this.#config.password),
      unanswered: unansweredServices,
    });
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
    if (typeof range !== 'object' || range === null)
      throw new ValidationError('range', 'from and to are required');
    const from = formatWireDateTime(range.from, this.#config.timeZone, 'from');
    const to = formatWireDateTime(range.to, this.#config.timeZone, 'to');
    if (range.from.getTime() > range.to.getTime()) throw new ValidationError('to', 'must not be before from');
    const body = form.encodeForm(form.paymentsByDateFields(this.#credentials, from, to));
    return this.#exchange.call(ENDPOINTS.form, body, 'form', options, {
      read: (document) => paymentListResult(readPaymentList(document), this.#config.password),
      unanswered: unansweredPaymentList,
    });
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

  /**
   * A fresh id for an AccountCheck the caller gave none for: the clock's milliseconds modulo 10^12 and
   * a two-digit counter, so at most 14 digits. Journals allocate payment ids from the clock in
   * hundredths of a millisecond (15 digits until 2286), so a check id never equals a payment's
   * TransactionID, which the provider uses for reconciliation and disputes (protocol §7.1).
   */
  #nextCheckId(): string {
    this.#sequence = (this.#sequence + 1) % 100;
    return checkIdAt(this.#config.clock.now(), this.#sequence);
  }
}

/** At most 14 digits: below every journal-allocated payment id (at least 10^14 since 2001). */
export function checkIdAt(now: Date, sequence: number): string {
  return String((now.getTime() % 1_000_000_000_000) * 100 + sequence);
}

/** Builds a provider from options validated once, here: ConfigError names the bad option. */
export function createVectrafinProvider(options: VectrafinOptions): VectrafinProvider {
  return new VectrafinProvider(options);
}
