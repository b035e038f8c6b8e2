export { parseAcmeCallback } from './callback.js';
export { acmeModule } from './module.js';
export { type AcmeConfig, type AcmeOptions, resolveAcmeConfig } from './options.js';
export { ACME_CAPABILITIES, AcmeProvider, createAcmeProvider } from './provider.js';
export {
  ACME_STATUS_TABLE,
  type AcmeStatusCode,
  type AcmeStatusMapping,
  mapAcmeStatus,
} from './status-table.js';
