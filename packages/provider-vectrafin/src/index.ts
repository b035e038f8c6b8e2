export { parseCallbackBody } from './callback.js';
export { DEFAULT_SERVICE_KINDS, type VectrafinConfig, type VectrafinOptions } from './config.js';
export { REQUEST_TYPES, type RequestType } from './form-codec.js';
export { assertSecureUrl, isLoopback } from './loopback.js';
export { vectrafinModule } from './module.js';
export { createVectrafinProvider, VECTRAFIN_CAPABILITIES, VectrafinProvider } from './provider.js';
export { MAX_REGISTRY_CHUNK } from './registry-codec.js';
export { VECTRAFIN_CURRENCIES } from './request-validation.js';
export { PAY_ALL_SERVICE_ID } from './service-kinds.js';
export {
  mapStatusCode,
  type StatusKind,
  type StatusMapping,
  VECTRAFIN_STATUS_TABLE,
  type VectrafinStatusCode,
} from './status-table.js';
