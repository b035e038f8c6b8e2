export {
  DECIMAL_STRING,
  expectAccountCheckResult,
  expectConsistentOutcome,
  expectNoSecrets,
  expectPaymentResult,
} from './assertions.js';
export type { ConformanceCheck } from './conformance-check.js';
export {
  type FakeAnswer,
  FakeProvider,
  type FakeProviderFlaw,
  type FakeProviderOptions,
  type RecordedCall,
} from './fake-provider.js';
export { type JournalConformanceOptions, journalChecks } from './journal-checks.js';
export { runJournalConformance } from './journal-conformance.js';
export { providerChecks } from './provider-checks.js';
export { runProviderConformance } from './provider-conformance.js';
export type { PaymentScenario, ProviderConformanceOptions, ProviderScenarios } from './provider-options.js';
