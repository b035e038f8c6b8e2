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

/**
 * Validates the options once, naming the option that is wrong. (Three fields: plain checks, so the
 * package needs no schema library of its own.)
 */
export function parseOptions(options: unknown): ParsedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'an object with at least { path } is required');
  }
  const { path, clock, busyTimeoutMs } = options as Record<string, unknown>;
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError('path', 'a file path (or ":memory:") is required');
  }
  if (path.includes('\0')) throw new ConfigError('path', 'must not contain a NUL character');
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
