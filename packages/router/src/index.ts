export type {
  EndOfDayIssue,
  EndOfDayOptions,
  EndOfDayProgress,
  EndOfDayReport,
  Resolution,
  ResolutionCheck,
  ResolutionConfirmation,
  ResolveRequest,
  SubmissionChunkReport,
  SubmissionReport,
} from './back-office/types.js';
export { type CallVerdict, countsAsBreakerFailure } from './breaker.js';
export {
  type BreakerState,
  type ProviderOperation,
  RouterEventBus,
  type RouterEventName,
  type RouterEvents,
  type RouterListener,
} from './events.js';
export { type CallbackHandlerOptions, createCallbackHandler } from './http/callback-handler.js';
export { type BackoffSchedule, backoffDelay } from './lifecycle/backoff.js';
export { ROUTER, type RouterModuleOptions, routerModule } from './module.js';
export {
  type BreakerOptions,
  type CallbackOptions,
  DEFAULT_FAILOVER_REASONS,
  type FailoverOptions,
  type FinalizerOptions,
  type RouterOptions,
} from './options.js';
export {
  buildDailyTotals,
  buildRegistryEntries,
  type ReconcileIssue,
  type ReconcileReport,
  type RegistryBuild,
  type RegistryOptions,
} from './reconciliation.js';
export { createRouter } from './router.js';
export {
  type AttemptFacts,
  type Decision,
  decide,
  type FailoverPolicy,
  mayFailOver,
  mayMarkFailed,
  provablyUnsent,
} from './routing/failover-policy.js';
export type {
  AttemptView,
  CallbackHandling,
  CheckRequest,
  PaymentView,
  PayRequest,
  ReconcileOptions,
  RoutedAccountCheck,
  RoutedQuote,
  Router,
  Routes,
  RouteTarget,
} from './types.js';
export type { VoucherKey, VoucherOptions } from './voucher-keys.js';
export type { VoucherStatus } from './vouchers.js';
export { RouterWarning, type RouterWarningCode } from './warnings.js';
