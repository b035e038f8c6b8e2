export type { PostgresJournalOptions } from './options.js';
export { createPostgresJournal } from './postgres-journal.js';
export { SCHEMA_VERSION } from './schema.js';
