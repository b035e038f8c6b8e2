export { AgentBook, type AgentSpec } from './agents.js';
export {
  type CallbackDelivery,
  type CallbackMessage,
  type CallbackOptions,
  CallbackSender,
  callbackBody,
  type DeliveryKind,
} from './callbacks.js';
export {
  type AccountLookup,
  type AccountSpec,
  Catalogue,
  type InvoiceLineSpec,
  type InvoiceSpec,
  type OfferSpec,
  type ServiceSpec,
} from './catalogue.js';
export { defaultServices, KZT_USD_RATE, SAMPLE_INVOICE, SAMPLE_OFFERS } from './catalogue-defaults.js';
export {
  SETUP_FILE_KEYS,
  type SimulatorAgentSummary,
  type SimulatorCommandInput,
  type SimulatorSetup,
  simulatorSetup,
} from './command-options.js';
export { encodeCp1251 } from './cp1251.js';
export { ROUTES } from './dispatch.js';
export {
  FAULT_REQUEST_TYPES,
  type Fault,
  type FaultHandle,
  type FaultKind,
  type FaultRequestType,
  type FaultRule,
  Faults,
} from './faults.js';
export type { PaymentRequestIdStyle } from './ids.js';
export { Ledger } from './ledger.js';
export type { CreditEvent, LedgerPayment, OutcomePlan, RequestLogEntry } from './ledger-types.js';
export { DEMO_AGENT_ID, DEMO_BALANCES, DEMO_PASSWORD, type SimulatorOptions } from './options.js';
export type { ProgressionOptions } from './progression.js';
export { createRawClient, type RawClient, type RawResponse } from './raw-client.js';
export { type Simulator, startSimulator } from './server.js';
export { FINAL_CODES, STATUS_MESSAGES, statusMessage } from './status-codes.js';
