/**
 * A process that opens a journal at argv[2] and prints one JSON line: `{ "opened": true }`, or what
 * createSqliteJournal threw (name, code, reason, option, message). For the tests that need a process of
 * their own: another user's rights, or another better-sqlite3 (see better-sqlite3-redirect.mjs).
 */
import { createSqliteJournal } from '../src/index.js';

const path = process.argv[2] ?? '';
try {
  const journal = createSqliteJournal({ path });
  await journal.close();
  process.stdout.write(`${JSON.stringify({ opened: true })}\n`);
} catch (error) {
  const { name, code, reason, option, message } = error as Record<string, unknown>;
  process.stdout.write(`${JSON.stringify({ name, code, reason, option, message })}\n`);
}
