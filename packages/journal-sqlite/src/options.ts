import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Clock, ConfigError } from '@tolem/core';

export interface SqliteJournalOptions {
  /** Database file, created when missing; `:memory:` for a throw-away journal (tests). */
  path: string;
  /** Time source for transaction-id floors and write times; defaults to the system clock. */
  clock?: Clock;
  /** How long a write waits for another process holding the lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

export interface ParsedOptions {
  path: string;
  clock: Clock | undefined;
  busyTimeoutMs: number;
}

const KNOWN_OPTIONS: readonly string[] = [
  'path',
  'clock',
  'busyTimeoutMs',
] satisfies readonly (keyof SqliteJournalOptions)[];

/**
 * Validates the options once, naming the option that is wrong. (Three fields: plain checks, so the
 * package needs no schema library of its own.)
 */
export function parseOptions(options: unknown): ParsedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options', 'an object with at least { path } is required');
  }
  // A misspelt option (`busyTimeout`, `readonly`) must not pass silently for a default.
  const unknown = Object.keys(options).find((key) => !KNOWN_OPTIONS.includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(unknown, `unknown option (misspelt?); known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  const { path, clock, busyTimeoutMs } = options as Record<string, unknown>;
  // better-sqlite3 trims the name, and opens a temporary database for a blank one: never a journal.
  if (typeof path !== 'string' || path.trim().length === 0) {
    throw new ConfigError('path', 'a file path (or ":memory:") is required');
  }
  if (path.includes('\0')) throw new ConfigError('path', 'must not contain a NUL character');
  checkFolder(path.trim());
  if (clock !== undefined && typeof (clock as Partial<Clock> | null)?.now !== 'function') {
    throw new ConfigError('clock', 'must be an object with a now() method');
  }
  if (
    busyTimeoutMs !== undefined &&
    (typeof busyTimeoutMs !== 'number' ||
      !Number.isInteger(busyTimeoutMs) ||
      busyTimeoutMs < 0 ||
      busyTimeoutMs > 600_000)
  ) {
    throw new ConfigError('busyTimeoutMs', 'an integer number of milliseconds from 0 to 600000');
  }
  return {
    path,
    clock: clock as Clock | undefined,
    busyTimeoutMs: (busyTimeoutMs as number | undefined) ?? 5_000,
  };
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
