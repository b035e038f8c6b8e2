/**
 * Request and result shapes of the port's operations. Amounts are decimal strings, provider ids are
 * strings (they can exceed 2^53), times are ISO-8601 strings or `Date`s where the caller sets them.
 */
import type { CurrencyCode } from './currency.js';
import type { Outcome } from './model.js';
import type { Secret } from './secret.js';

/** How a service is paid (protocol §3.6–§3.9). */
export const SERVICE_KINDS = ['direct', 'dynamic_voucher', 'static_voucher', 'invoice'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface AccountCheckRequest {
  /** The provider's own service id ("7"). */
  serviceId: string;
  account: string;
  /** Decimal string in `currency`, e.g. "100.00". */
  amount: string;
  currency: CurrencyCode;
  /** Provider transaction id to check with (1–15 digits for VectraFin); generated when absent. */
  transactionId?: string;
  /** When the customer asked; defaults to now. */
  requestedAt?: Date;
}

/** A voucher denomination offered by AccountCheck (dynamic vouchers). */
export interface VoucherOffer {
  invoiceId: string;
  name: string;
  /** Exact price, all digits as sent ("238345.4409"). */
  orderAmount: string;
  /** What to pay: orderAmount rounded up to cents ("238345.45"). */
  payAmount: string;
}

export interface InvoiceLine {
  serviceId: string;
  name: string;
  /** Fixed charge for the period, decimal string. */
  fixSum: string;
  /** Outstanding debt (negative when overpaid), decimal string. */
  debtSum: string;
  /** The "pay everything" line (Alseko ServiceId 999). */
  payAll: boolean;
  measure: string | null;
  tariff: string | null;
  previousCount: string | null;
  lastCount: string | null;
  debtInfo: string | null;
}

export interface Invoice {
  /** Digits, kept as a string. */
  invoiceId: string;
  address: string | null;
  lines: InvoiceLine[];
}

export interface AccountCheckResult extends Outcome {
  transactionId: string | null;
  providerRequestId: string | null;
  serviceId: string;
  account: string;
  amount: string;
  currency: CurrencyCode;
  kind: ServiceKind;
  exchangeRate: string | null;
  serviceCurrency: string | null;
  /** Dynamic vouchers. */
  offers?: VoucherOffer[];
  /** Static vouchers: OrderAmount rounded up to cents. */
  payAmount?: string;
  /** Exact OrderAmount of a static voucher. */
  orderAmount?: string;
  /** Utility invoices. */
  invoice?: Invoice;
}

/** One line of an invoice payment. */
export interface InvoicePaymentLine {
  serviceId: string;
  amount: string;
}

export interface PaymentRequest {
  serviceId: string;
  account: string;
  amount: string;
  currency: CurrencyCode;
  /** The agent's id for this payment at the provider: stable across resends. */
  transactionId: string;
  requestedAt?: Date;
  /** Dynamic vouchers: the chosen offer. */
  invoiceId?: string;
  /** Utility invoices: the chosen lines; `amount` must equal their sum. */
  services?: InvoicePaymentLine[];
  /** `api`: return the voucher code in the result (and only there). */
  sendType?: 'api';
}

export interface PaymentResult extends Outcome {
  transactionId: string;
  providerRequestId: string | null;
  /** The amount the provider echoed (or the requested one when it echoed none). */
  amount: string | null;
  currency: CurrencyCode | null;
  account: string | null;
  amountOnClient: string | null;
  exchangeRate: string | null;
  serviceCurrency: string | null;
  /** Voucher code when requested with sendType `api`: redacted in every serialisation. */
  voucherCode?: Secret;
}

/** What identifies a payment at the provider for Status. */
export interface StatusRef {
  transactionId: string;
  /** Some providers need the service to look a payment up; VectraFin does not. */
  serviceId?: string;
  /** When given, the echoed fields are checked against them (conflict otherwise). */
  expected?: { amount?: string; account?: string };
}

export interface Balance {
  currency: string;
  balance: string;
  overdraft: string;
}

export interface BalanceResult extends Outcome {
  balances: Balance[];
}

export interface QuoteRequest {
  serviceId: string;
  account: string;
  amount: string;
  currency: CurrencyCode;
}

export interface QuoteResult extends Outcome {
  /** Exact amount to charge, all digits ("4630.000029632"). */
  amount: string | null;
  /** Rounded up to cents: what a Payment must carry. */
  payAmount: string | null;
  exchangeRate: string | null;
  expectedAmount: string | null;
  expectedCurrency: string | null;
}

export interface ServiceLimit {
  currency: string;
  minAmount: string;
  maxAmount: string;
}

export interface ServiceInfo {
  id: string;
  name: string;
  testAccount: string | null;
  /** Agent fee, as sent. */
  rate: string | null;
  topCommission: string | null;
  limits: ServiceLimit[];
}

export interface ServicesResult extends Outcome {
  services: ServiceInfo[];
}

export interface PaymentListRange {
  from: Date;
  to: Date;
}

export interface ProviderPaymentRecord {
  transactionId: string;
  providerRequestId: string | null;
  account: string;
  amount: string;
  serviceId: string;
  /** As sent by the provider, zone-less local times kept verbatim. */
  agentCreatedAt: string | null;
  createdAt: string | null;
  processedAt: string | null;
  state: Outcome['state'];
  providerStatus: string | null;
}

/**
 * `state` is `succeeded` exactly when the provider answered with its list (which may be empty). Any
 * other state means no list was read — a status-only answer (`providerStatus` says which), a timeout,
 * an unreadable page — and `payments` is empty: that says nothing about which payments the provider
 * has, and must never be read as "it has none".
 */
export interface PaymentListResult extends Outcome {
  payments: ProviderPaymentRecord[];
}

export interface RegistryEntry {
  transactionId: string;
  providerRequestId: string;
  /** "yyyy-MM-dd HH:mm:ss" in the agent's zone. */
  agentCreatedAt: string;
  account: string;
  amount: string;
  serviceId: string;
  year: number;
  month: number;
}

export interface ChunkResult extends Outcome {
  /** Index of the first entry of the chunk in the submitted list. */
  offset: number;
  size: number;
  /** The provider's own status word ("success" / "error"), or null without an answer. */
  status: string | null;
}

export interface RegistryResult {
  chunks: ChunkResult[];
  /** True when every chunk was accepted. */
  accepted: boolean;
}

export interface DailyTotalsLine {
  serviceId: string;
  amount: string;
  count: number;
}

export interface DailyTotals {
  /** yyyy-MM-dd */
  date: string;
  totalAmount: string;
  totalCount: number;
  services: DailyTotalsLine[];
}

export interface CallbackNotice extends Outcome {
  transactionId: string;
  providerRequestId: string | null;
}
