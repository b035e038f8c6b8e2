import type { CurrencyCode } from './currency.js';
import type {
  AccountCheckRequest,
  AccountCheckResult,
  BalanceResult,
  CallbackNotice,
  DailyTotals,
  PaymentListRange,
  PaymentListResult,
  PaymentRequest,
  PaymentResult,
  QuoteRequest,
  QuoteResult,
  RegistryEntry,
  RegistryResult,
  ServiceKind,
  ServicesResult,
  StatusRef,
} from './operations.js';

/** Per-call options every operation accepts. */
export interface CallOptions {
  /** Aborting before the request leaves throws the signal's reason; after, the outcome is unknown. */
  signal?: AbortSignal;
  /** Overrides the provider's default timeout for this call. */
  timeoutMs?: number;
  /**
   * Called by the provider, at most once, when this call's request leaves its local queue for the
   * network (a connection is opened or taken for it). The router measures a call's latency from here,
   * so time spent waiting for a free connection is not charged to the provider. Optional for a
   * provider: one that never queues locally may call it right before sending or not at all (the
   * caller then measures from the call). Never called for a request that did not leave; if it throws,
   * the provider sends nothing and throws that error.
   */
  onDispatch?: () => void;
}

export type OptionalOperation =
  | 'balance'
  | 'quote'
  | 'listServices'
  | 'listPayments'
  | 'registry'
  | 'dailyTotals'
  | 'callbacks';

/** What a provider can do, as data: read by the router and by the conformance suite. */
export interface Capabilities {
  serviceKinds: readonly ServiceKind[];
  currencies: readonly CurrencyCode[];
  operations: Readonly<Record<OptionalOperation, boolean>>;
  /**
   * Resending a Payment with the same transaction id returns the earlier result and never pays twice
   * (protocol §4.4). The finalizer resends after "not found" only when this is true.
   */
  idempotentResend: boolean;
  /** Shape of the agent's transaction id at this provider (VectraFin: 1–15 digits). */
  transactionId: { pattern: RegExp; maxLength: number };
  /**
   * The most registry entries one request of `submitRegistry` carries (VectraFin: 1000). The router's
   * end of day sends a registry in chunks of this size, one call each, and records each chunk, so an
   * interrupted run resumes from the first chunk not accepted. Absent: the whole registry in one call.
   */
  registryChunkSize?: number;
}

/**
 * The provider-agnostic port (architecture §3). Operations that may have reached the provider return an
 * outcome and never throw for what the provider said; they throw only when nothing was sent
 * (ValidationError, ProviderUnavailableError, UnsupportedOperationError, or the abort reason).
 */
export interface PaymentProvider {
  /** Instance id, e.g. "vectrafin-kzt": one per configured connection. */
  readonly id: string;
  readonly capabilities: Capabilities;
  /**
   * The IANA zone this instance counts its days in: the calendar day of `listPayments` windows, of
   * registries and of daily totals (VectraFin: its `timeZone` option, `Europe/Moscow` by default). The
   * router's end of day needs it; a provider without registries may leave it out.
   */
  readonly timeZone?: string;
  checkAccount(request: AccountCheckRequest, options?: CallOptions): Promise<AccountCheckResult>;
  pay(request: PaymentRequest, options?: CallOptions): Promise<PaymentResult>;
  getStatus(ref: StatusRef, options?: CallOptions): Promise<PaymentResult>;
  getBalance?(options?: CallOptions): Promise<BalanceResult>;
  quote?(request: QuoteRequest, options?: CallOptions): Promise<QuoteResult>;
  listServices?(options?: CallOptions): Promise<ServicesResult>;
  listPayments?(range: PaymentListRange, options?: CallOptions): Promise<PaymentListResult>;
  submitRegistry?(entries: readonly RegistryEntry[], options?: CallOptions): Promise<RegistryResult>;
  submitDailyTotals?(totals: DailyTotals, options?: CallOptions): Promise<RegistryResult>;
  /** Parses a callback body; throws ValidationError when it is not one. */
  parseCallback?(body: string | Uint8Array): CallbackNotice;
  close(): Promise<void>;
}

/** Throws the signal's reason when it is already aborted: call before anything is sent. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}
