import type { CurrencyCode } from '../currency.js';
import type { Reason } from '../model.js';
import type { AccountCheckRequest, PaymentListRange, QuoteRequest } from '../operations.js';
import type { PaymentProvider } from '../port.js';

/** A payment request minus the transaction id, which the suite draws fresh for every send. */
export interface PaymentScenario {
  serviceId: string;
  account: string;
  /** Decimal string with at most two decimals. */
  amount: string;
  currency: CurrencyCode;
  invoiceId?: string;
}

/**
 * Hooks giving requests that make the provider under test answer a known way. They describe the
 * provider's backend (a simulator, a mock server), not the provider: keep them data.
 */
export interface ProviderScenarios {
  /** A payment the backend accepts at once: `succeeded`. */
  succeeded(): PaymentScenario;
  /** A payment the backend declines for good: `failed` with a reason (e.g. an account that does not exist). */
  declined(): PaymentScenario;
  /** The reason the decline must carry, when the scenario knows it. */
  declineReason?: Reason;
  /** A payment whose outcome the provider cannot know (a transport fault, a blank page): `unknown`. */
  unknown(): PaymentScenario;
  /** A payment the backend takes but does not finish: `pending`. */
  pending(): PaymentScenario;
  /**
   * A payment the backend receives and does not answer until the call is aborted. Enables the
   * abort-mid-flight check.
   */
  hanging?(): PaymentScenario;
  /** An account check the backend answers positively. */
  accountCheck(): AccountCheckRequest;
  /** A quote request, for providers with `capabilities.operations.quote`. */
  quote?(): QuoteRequest;
  /** A range for `listPayments`, for providers with `capabilities.operations.listPayments`. */
  paymentListRange?(): PaymentListRange;
  /** A fresh transaction id, never used before at this backend. */
  transactionId(): string;
}

export interface ProviderConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A fresh provider for each check; the suite closes it afterwards. */
  createProvider(): Promise<PaymentProvider> | PaymentProvider;
  scenarios: ProviderScenarios;
  /**
   * How many requests the backend has received so far (monotonic, counted on arrival). The suite
   * reads it before and after a call to prove that nothing was sent.
   */
  requestsSeen(): number | Promise<number>;
  /** Values that must never appear in a result (agent password, voucher codes): checked in the JSON of every result. */
  secrets?: readonly string[];
  /** Per-check timeout, default 60 s. */
  timeoutMs?: number;
}
