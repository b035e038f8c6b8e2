export type { SqliteJournalOptions } from './options.js';
export { SCHEMA_VERSION } from './schema.js';
export { createSqliteJournal } from './sqlite-journal.js';
