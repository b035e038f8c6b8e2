import {
  type AccountCheckRequest,
  type AccountCheckResult,
  accountSchema,
  amountSchema,
  type BalanceResult,
  type CallbackNotice,
  type CallOptions,
  type Capabilities,
  type CurrencyCode,
  currencySchema,
  type PaymentListRange,
  type PaymentListResult,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentResult,
  parseCallOptions,
  parseInput,
  type StatusRef,
  scrub,
  serviceIdSchema,
  transactionIdSchema,
  ValidationError,
} from '@tolem/core';
import { parseAcmeCallback } from './callback.js';
import { type AcmeConfig, type AcmeOptions, resolveAcmeConfig } from './options.js';
import { accountCheckResult, balanceResult, paymentListResult, paymentResult } from './results.js';
import { AcmeTransport } from './transport.js';

/**
 * What Acme can do, as data: the router and the conformance suite read it. An operation whose flag is
 * false has no method here; the suite checks that it is absent (or throws UnsupportedOperationError
 * without sending anything).
 */
export const ACME_CAPABILITIES: Capabilities = {
  serviceKinds: ['direct', 'static_voucher'],
  currencies: ['KZT', 'USD'],
  operations: {
    balance: true,
    quote: false,
    listServices: false,
    listPayments: true,
    registry: false,
    dailyTotals: false,
    callbacks: true,
  },
  // Acme answers a Payment it already has with its earlier answer: the finalizer may resend after "not found".
  idempotentResend: true,
  transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
};

const ACME_CURRENCIES: readonly string[] = ACME_CAPABILITIES.currencies;

/** The fields both a check and a payment carry, checked before anything is sent. */
function commonFields(request: AccountCheckRequest | PaymentRequest) {
  if (typeof request !== 'object' || request === null)
    throw new ValidationError('request', 'an object is required');
  const serviceId = parseInput(serviceIdSchema, request.serviceId, 'serviceId');
  const account = parseInput(accountSchema, request.account, 'account');
  const amount = parseInput(amountSchema, request.amount, 'amount');
  const currency = parseInput(currencySchema, request.currency, 'currency') as CurrencyCode;
  if (!ACME_CURRENCIES.includes(currency)) {
    throw new ValidationError('currency', `Acme takes ${ACME_CURRENCIES.join(' or ')}, not ${currency}`);
  }
  return { serviceId, account, amount, currency };
}

/**
 * The Acme aggregator behind tolem's port. Every operation checks its whole request first (a
 * ValidationError names the field and nothing is sent), then sends one request, then maps the answer;
 * anything that may have reached Acme comes back as an outcome, never as an error.
 */
export class AcmeProvider implements PaymentProvider {
  readonly id: string;
  readonly capabilities: Capabilities = ACME_CAPABILITIES;
  readonly #config: AcmeConfig;
  readonly #transport: AcmeTransport;

  constructor(options: AcmeOptions) {
    this.#config = resolveAcmeConfig(options);
    this.id = this.#config.id;
    this.#transport = new AcmeTransport(this.#config);
  }

  async checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult> {
    parseCallOptions(options);
    const fields = commonFields(request);
    const { serviceId, account, amount, currency } = fields;
    const answer = await this.#transport.call(
      'POST',
      '/v1/accounts/check',
      { service: serviceId, account, amount, currency },
      options,
    );
    return accountCheckResult(fields, answer);
  }

  async pay(request: PaymentRequest, options?: CallOptions): Promise<PaymentResult> {
    parseCallOptions(options);
    const { serviceId, account, amount, currency } = commonFields(request);
    const transactionId = parseInput(transactionIdSchema, request.transactionId, 'transactionId');
    // Acme has no voucher offers and no invoices: a request that needs them is refused, not half sent.
    if (request.invoiceId !== undefined) throw new ValidationError('invoiceId', 'Acme has no voucher offers');
    if (request.services !== undefined) throw new ValidationError('services', 'Acme has no invoices');
    if (request.sendType !== undefined && request.sendType !== 'api') {
      throw new ValidationError('sendType', 'only "api" (the voucher code in the answer)');
    }
    const body = {
      txn: transactionId,
      service: serviceId,
      account,
      amount,
      currency,
      ...(request.sendType === 'api' ? { deliver: 'api' } : {}),
    };
    const answer = await this.#transport.call('POST', '/v1/payments', body, options);
    return paymentResult({ transactionId, amount, account, currency }, answer);
  }

  async getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult> {
    parseCallOptions(options);
    if (typeof ref !== 'object' || ref === null) throw new ValidationError('ref', 'an object is required');
    const transactionId = parseInput(transactionIdSchema, ref.transactionId, 'transactionId');
    // When the caller says what it expects, an answer that echoes something else is a conflict.
    const amount =
      ref.expected?.amount === undefined
        ? null
        : parseInput(amountSchema, ref.expected.amount, 'expected.amount');
    const account =
      ref.expected?.account === undefined
        ? null
        : parseInput(accountSchema, ref.expected.account, 'expected.account');
    const answer = await this.#transport.call('GET', `/v1/payments/${transactionId}`, undefined, options);
    // Acme answers NOT_FOUND for a payment it never got: `unknown` / `not_found`, never final.
    return paymentResult({ transactionId, amount, account, currency: null }, answer);
  }

  async getBalance(options?: CallOptions): Promise<BalanceResult> {
    parseCallOptions(options);
    return balanceResult(await this.#transport.call('GET', '/v1/balance', undefined, options));
  }

  async listPayments(range: PaymentListRange, options?: CallOptions): Promise<PaymentListResult> {
    parseCallOptions(options);
    if (typeof range !== 'object' || range === null)
      throw new ValidationError('range', 'from and to are required');
    for (const field of ['from', 'to'] as const) {
      const value = range[field];
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw new ValidationError(field, 'a valid Date');
    }
    if (range.from.getTime() > range.to.getTime()) throw new ValidationError('to', 'must not be before from');
    const query = new URLSearchParams({ from: range.from.toISOString(), to: range.to.toISOString() });
    return paymentListResult(await this.#transport.call('GET', `/v1/payments?${query}`, undefined, options));
  }

  parseCallback(body: string | Uint8Array): CallbackNotice {
    const notice = parseAcmeCallback(body);
    return {
      ...notice,
      message: notice.message === null ? null : scrub(notice.message, [this.#config.apiKey]),
    };
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}

/** `createAcmeProvider({ id: 'acme-kzt', baseUrl: 'https://api.acme.example', apiKey })`. */
export function createAcmeProvider(options: AcmeOptions): AcmeProvider {
  return new AcmeProvider(options);
}
