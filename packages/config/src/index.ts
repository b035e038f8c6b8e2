export { ConfigFileError } from './config-error.js';
export {
  CONFIG_ENV,
  type ConfigLocation,
  DEFAULT_CONFIG_FILE,
  type FindConfigOptions,
  findConfigPath,
} from './config-paths.js';
export type { JournalEntry } from './config-schema.js';
export {
  type CreateFromConfigOptions,
  createFromConfig,
  journalSpec,
  openConfiguredJournal,
  type TolemRuntime,
} from './create-from-config.js';
export {
  describeJournal,
  type JournalSpec,
  type JournalSpecContext,
  type OpenJournalOptions,
  openJournal,
  parseJournalSpec,
} from './journal-spec.js';
export {
  type LoadConfigOptions,
  loadTolemConfig,
  type ProviderConfig,
  parseTolemConfig,
  type TolemConfig,
} from './load-config.js';
export {
  BUILT_IN_KINDS,
  type ConfiguredProvider,
  type ProviderKind,
  vectrafinKind,
} from './provider-kind.js';
export { readSecret, type SecretContext, type SecretSource } from './secret-source.js';
