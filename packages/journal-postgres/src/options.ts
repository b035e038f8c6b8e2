import { type Clock, ConfigError } from '@tolem/core';
import type { Pool } from 'pg';

export interface PostgresJournalOptions {
  /**
   * A pool you own (pg 8): the journal borrows clients from it and never ends it. Give either `pool`
   * or `connectionString`.
   */
  pool?: Pool;
  /**
   * `postgresql://user:password@host:5432/db`: the journal opens its own pool and ends it on close().
   * Never echoed in errors (it may hold a password).
   */
  connectionString?: string;
  /** The PostgreSQL schema holding the journal's tables, created when missing (default `tolem`). */
  schema?: string;
  /** Time source for transaction-id floors and write times; defaults to the system clock. */
  clock?: Clock;
  /** Connections in the journal's own pool (only with `connectionString`; default 10). */
  poolSize?: number;
}

export interface ParsedOptions {
  pool: Pool | undefined;
  connectionString: string | undefined;
  schema: string;
  clock: Clock | undefined;
  poolSize: number;
}

const KNOWN_OPTIONS: readonly string[] = [
  'pool',
  'connectionString',
  'schema',
  'clock',
  'poolSize',
] satisfies readonly (keyof PostgresJournalOptions)[];

/** A plain lower-case identifier, so the schema name needs no quoting rules of its own. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates the options once, naming the option that is wrong, before any connection is opened. (Plain
 * checks: the package needs no schema library of its own.)
 */
export function parseOptions(options: unknown): ParsedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options', 'an object with { pool } or { connectionString } is required');
  }
  // A misspelt option (`connectionURL`, `max`) must not pass silently for a default.
  const unknown = Object.keys(options).find((key) => !KNOWN_OPTIONS.includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(unknown, `unknown option (misspelt?); known: ${KNOWN_OPTIONS.join(', ')}`);
  }
  const { pool, connectionString, schema, clock, poolSize } = options as Record<string, unknown>;
  if (pool !== undefined && connectionString !== undefined) {
    throw new ConfigError('connectionString', 'give either pool or connectionString, not both');
  }
  if (pool === undefined && connectionString === undefined) {
    throw new ConfigError('pool', 'a pg Pool (pool) or a connection string (connectionString) is required');
  }
  if (pool !== undefined && !isPool(pool)) {
    throw new ConfigError('pool', 'must be a pg Pool (an object with connect() and query())');
  }
  if (connectionString !== undefined) {
    // The value is never quoted back: it may carry a password.
    if (typeof connectionString !== 'string' || connectionString.trim().length === 0) {
      throw new ConfigError('connectionString', 'a non-empty string is required');
    }
    if (connectionString.includes('\0')) {
      throw new ConfigError('connectionString', 'must not contain a NUL character');
    }
  }
  if (schema !== undefined && (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))) {
    throw new ConfigError('schema', 'lower-case letters, digits and _ (1–63, not starting with a digit)');
  }
  if (typeof schema === 'string' && schema.startsWith('pg_')) {
    throw new ConfigError('schema', 'names starting with pg_ are reserved by PostgreSQL');
  }
  if (clock !== undefined && typeof (clock as Partial<Clock> | null)?.now !== 'function') {
    throw new ConfigError('clock', 'must be an object with a now() method');
  }
  if (poolSize !== undefined) {
    if (pool !== undefined) {
      throw new ConfigError('poolSize', 'only with connectionString: size an injected pool yourself');
    }
    if (typeof poolSize !== 'number' || !Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1_000) {
      throw new ConfigError('poolSize', 'an integer from 1 to 1000');
    }
  }
  return {
    pool: pool as Pool | undefined,
    connectionString: connectionString as string | undefined,
    schema: (schema as string | undefined) ?? 'tolem',
    clock: clock as Clock | undefined,
    poolSize: (poolSize as number | undefined) ?? 10,
  };
}

function isPool(value: unknown): value is Pool {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'connect' | 'query', unknown>>;
  return typeof candidate.connect === 'function' && typeof candidate.query === 'function';
}
