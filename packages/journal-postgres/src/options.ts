import { type Clock, clockSchema, integerSchema, parseConfig } from '@tolem/core';
import type { Pool } from 'pg';
import * as z from 'zod';

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

/** A plain lower-case identifier, so the schema name needs no quoting rules of its own. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SCHEMA_RULE = 'lower-case letters, digits and _ (1–63, not starting with a digit)';
const CONNECTION_RULE = 'a non-empty string is required';

const optionsSchema = z
  .object(
    {
      pool: z
        .custom<Pool>(isPool, { error: 'must be a pg Pool (an object with connect() and query())' })
        .optional(),
      // The value is never quoted back, in any rule: it may carry a password.
      connectionString: z
        .string({ error: CONNECTION_RULE })
        .refine((value) => value.trim().length > 0, { error: CONNECTION_RULE })
        .refine((value) => !value.includes('\0'), { error: 'must not contain a NUL character' })
        .optional(),
      schema: z
        .string({ error: SCHEMA_RULE })
        .regex(SCHEMA_NAME, { error: SCHEMA_RULE })
        .refine((value) => !value.startsWith('pg_'), {
          error: 'names starting with pg_ are reserved by PostgreSQL',
        })
        .default('tolem'),
      clock: clockSchema.optional(),
      poolSize: integerSchema(1, 1_000).optional(),
    },
    { error: 'an object with { pool } or { connectionString } is required' },
  )
  // A misspelt option (`connectionURL`, `max`) must not pass silently for a default.
  .strict()
  .superRefine((options, ctx) => {
    const issue = (option: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [option], message });
    if (options.pool !== undefined && options.connectionString !== undefined) {
      issue('connectionString', 'give either pool or connectionString, not both');
    } else if (options.pool === undefined && options.connectionString === undefined) {
      issue('pool', 'a pg Pool (pool) or a connection string (connectionString) is required');
    } else if (options.pool !== undefined && options.poolSize !== undefined) {
      issue('poolSize', 'only with connectionString: size an injected pool yourself');
    }
  });

export type ParsedOptions = Omit<z.output<typeof optionsSchema>, 'poolSize'> & { poolSize: number };

/** Validates the options once, naming the option that is wrong, before any connection is opened. */
export function parseOptions(options: unknown): ParsedOptions {
  const parsed = parseConfig(optionsSchema, options);
  return { ...parsed, poolSize: parsed.poolSize ?? 10 };
}

function isPool(value: unknown): value is Pool {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'connect' | 'query', unknown>>;
  return typeof candidate.connect === 'function' && typeof candidate.query === 'function';
}
