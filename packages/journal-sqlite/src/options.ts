import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Clock, ConfigError, clockSchema, integerSchema, parseConfig } from '@tolem/core';
import * as z from 'zod';

export interface SqliteJournalOptions {
  /** Database file, created when missing; `:memory:` for a throw-away journal (tests). */
  path: string;
  /** Time source for transaction-id floors and write times; defaults to the system clock. */
  clock?: Clock;
  /** How long a write waits for another process holding the lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

const PATH_RULE = 'a file path (or ":memory:") is required';

const optionsSchema = z
  .object(
    {
      // better-sqlite3 trims the name, and opens a temporary database for a blank one: never a journal.
      path: z
        .string({ error: PATH_RULE })
        .refine((path) => path.trim().length > 0, { error: PATH_RULE })
        .refine((path) => !path.includes('\0'), { error: 'must not contain a NUL character' }),
      clock: clockSchema.optional(),
      busyTimeoutMs: integerSchema(0, 600_000, 'an integer number of milliseconds from 0 to 600000').default(
        5_000,
      ),
    },
    { error: 'an object with at least { path } is required' },
  )
  // A misspelt option (`busyTimeout`, `readonly`) must not pass silently for a default.
  .strict();

export type ParsedOptions = z.output<typeof optionsSchema>;

/** Validates the options once, naming the option that is wrong; then the path's folder. */
export function parseOptions(options: unknown): ParsedOptions {
  const parsed = parseConfig(optionsSchema, options);
  checkFolder(parsed.path.trim());
  return parsed;
}

/** The file's folder must exist (SQLite creates the file, never its folder). */
function checkFolder(filename: string): void {
  // ":memory:" has no folder; a "file:" URI is SQLite's to resolve.
  if (filename === ':memory:' || filename.startsWith('file:')) return;
  const folder = dirname(resolve(filename));
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ConfigError('path', `the folder ${folder} does not exist: create it first`, { cause: error });
    }
    throw new ConfigError('path', `the folder ${folder} cannot be read (${String(code)})`, { cause: error });
  }
  if (!isFolder) throw new ConfigError('path', `${folder} is not a folder`);
  // SQLite writes the file and its -wal and -shm files beside it: the folder must take new files.
  const denied = writeDenied(folder) ?? (existsSync(filename) ? writeDenied(filename) : null);
  if (denied !== null) {
    const what = denied.path === folder ? `the folder ${folder}` : denied.path;
    throw new ConfigError(
      'path',
      `${what} is read-only (${denied.code}): give this process write access to it, or choose a path in a writable folder`,
      { cause: denied.error },
    );
  }
}

function writeDenied(path: string): { path: string; code: string; error: unknown } | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? { path, code, error } : null;
  }
}
