import type {
  AccountCheckResult,
  CallOptions,
  InvoicePaymentLine,
  PaymentJournal,
  PaymentListRange,
  PaymentProvider,
  PaymentState,
  QuoteResult,
  Reason,
  Secret,
} from '@tolem/core';
import type { EndOfDayOptions, EndOfDayReport, Resolution, ResolveRequest } from './back-office/types.js';
import type { BreakerState, RouterEventBus } from './events.js';
import type { ReconcileReport } from './reconciliation.js';
import type { VoucherStatus } from './vouchers.js';
import type { RouterWarning } from './warnings.js';

/** One hop of a route: a provider instance and that provider's own service id. */
export interface RouteTarget {
  provider: string;
  serviceId: string;
  /** The currency this provider is paid in for the service (defaults to the request's). */
  currency?: string;
}

/** Canonical service key ("steam") → ordered list of providers to try. */
export type Routes = Record<string, RouteTarget[]>;

export interface PayRequest {
  /** The caller's id: `pay()` is idempotent on it. */
  paymentId: string;
  /** Canonical service key (a route name). */
  service: string;
  account: string;
  amount: string;
  currency: string;
  invoiceId?: string;
  services?: InvoicePaymentLine[];
  sendType?: 'api';
}

export interface AttemptView {
  no: number;
  provider: string;
  serviceId: string;
  transactionId: string;
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  providerRequestId: string | null;
  sends: number;
}

/** What `pay`, `getPayment` and `waitForFinal` return. */
export interface PaymentView {
  paymentId: string;
  service: string;
  account: string;
  amount: string;
  currency: string;
  state: PaymentState;
  final: boolean;
  reason: Reason | null;
  providerStatus: string | null;
  message: string | null;
  /** Provider and transaction id of the latest attempt (null when nothing was sent). */
  provider: string | null;
  transactionId: string | null;
  attempts: AttemptView[];
  createdAt: string;
  updatedAt: string;
  stuck: boolean;
  /**
   * The voucher code of a `sendType: 'api'` payment, when `voucherStatus` is `available`: from the answer
   * the `pay()` call got, from the journal (sealed with the router's voucher key), or held in this
   * process's memory (no key: handed out once). A Secret: `voucherCode.reveal()` gives the code.
   */
  voucherCode?: Secret;
  /** Where the voucher code of a `sendType: 'api'` payment stands; absent for other payments. */
  voucherStatus?: VoucherStatus;
}

export interface CheckRequest {
  service: string;
  account: string;
  amount: string;
  currency: string;
}

export interface RoutedAccountCheck extends AccountCheckResult {
  provider: string;
}

export interface RoutedQuote extends QuoteResult {
  provider: string;
}

export interface CallbackHandling {
  /**
   * `confirmed`: Status was asked and the journal moved · `unchanged`: nothing new (Status agreed with
   * the journal, could not be asked, or the attempt is final) · `throttled`: the payment's Status was
   * asked for a callback less than `callbacks.minCheckIntervalMs` ago, so this one was answered from
   * the journal (one Status follows when the interval ends) · `rejected`: no such attempt · `invalid`:
   * not a callback. Callbacks that arrive while a check is in flight share its result.
   */
  result: 'confirmed' | 'unchanged' | 'throttled' | 'rejected' | 'invalid';
  paymentId: string | null;
  state: PaymentState | null;
}

export interface Router {
  readonly events: RouterEventBus;
  readonly journal: PaymentJournal;
  readonly providers: ReadonlyMap<string, PaymentProvider>;
  /** Starts the finalizer. */
  start(): Promise<void>;
  /** Stops the finalizer, waits for in-flight work, closes providers and the journal. */
  stop(): Promise<void>;
  checkAccount(request: CheckRequest, options?: CallOptions): Promise<RoutedAccountCheck>;
  quote(request: CheckRequest, options?: CallOptions): Promise<RoutedQuote>;
  pay(request: PayRequest, options?: CallOptions): Promise<PaymentView>;
  getPayment(paymentId: string): Promise<PaymentView | null>;
  waitForFinal(
    paymentId: string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<PaymentView>;
  handleCallback(providerId: string, body: string | Uint8Array): Promise<CallbackHandling>;
  /**
   * Reports a start-up warning through `onError` (source `startup`) or as a process warning, at most
   * once per code for this router: createCallbackHandler uses it for a mount without a path token.
   */
  warn(warning: RouterWarning): void;
  breakerState(providerId: string): BreakerState;
  /** Runs one finalizer pass now (claims due payments, checks them); resolves with how many it claimed. */
  finalizeDue(): Promise<number>;
  /**
   * A person makes a payment that is not final, final (architecture §4.8): tolem first asks the provider
   * (Status, through the breaker) about every attempt that may have moved money, and refuses
   * (ResolutionRefusedError, nothing changed) what the answers contradict — `failed` while the provider
   * says succeeded or pending or holds the payment in a state that may have moved money, or while a send
   * may still be on its way; `succeeded` while it says a final failure. What the provider cannot
   * confirm needs `evidence`. Recorded in the payment's history with the person, note, evidence and the
   * answers; emits `payment.resolved`.
   */
  resolve(paymentId: string, request: ResolveRequest, options?: CallOptions): Promise<Resolution>;
  /**
   * End of day for one provider and one calendar day (`yyyy-MM-dd`) in the provider's zone (its
   * `timeZone`): reconciles the day against the provider's own lists, builds the registry and the daily
   * totals from the journal's succeeded payments of the day, reports what does not add up, and sends —
   * only with `send: true`, never while the reconciliation is incomplete or has discrepancies unless
   * `force: { reason }` — the registry (in the provider's chunks) and then the totals, once: each
   * submission and its chunks are recorded in the journal, a rerun sends nothing again and an
   * interrupted one resumes from its first chunk not accepted.
   */
  endOfDay(providerId: string, date: string, options?: EndOfDayOptions): Promise<EndOfDayReport>;
  /** Compares the journal with the provider's payment list for a range (see reconciliation). */
  reconcile(
    providerId: string,
    range: PaymentListRange,
    options?: ReconcileOptions,
  ): Promise<ReconcileReport>;
}

export interface ReconcileOptions extends CallOptions {
  /** How far around the range the journal is searched for the provider's transactions. Default 1 h. */
  marginMs?: number;
}
