import * as z from 'zod';
import { type SecretSource, secretSourceSchema } from './secret-source.js';

/**
 * The shape of a configuration file, checked before anything is read or opened. Values that belong to a
 * factory (a provider's options, the finalizer's numbers) are checked by that factory afterwards, so
 * the rules live in one place; this schema checks what only the file has: kinds, where secrets are
 * kept, the journal's form, references between entries.
 */

/** A journal as written in the file: `"sqlite:PATH"`, a postgres URL, or an object with more options. */
export interface JournalEntry {
  /** The text itself, or where it is kept (a database URL with a password is a secret). */
  url: string | SecretSource;
  /** createSqliteJournal's busyTimeoutMs, createPostgresJournal's schema and poolSize. */
  options: Record<string, unknown>;
}

const JOURNAL_OPTIONS = ['busyTimeoutMs', 'schema', 'poolSize'] as const;

const journalEntrySchema = z.unknown().transform((value, ctx): JournalEntry => {
  if (typeof value === 'string') return { url: value, options: {} };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'a journal is required: "sqlite:PATH", "postgres://user@host/db", or { "url": …, "schema", "poolSize", "busyTimeoutMs" }',
    });
    return z.NEVER;
  }
  const { url, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    if (!(JOURNAL_OPTIONS as readonly string[]).includes(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `unknown option (misspelt?); known: url, ${JOURNAL_OPTIONS.join(', ')}`,
      });
      return z.NEVER;
    }
  }
  if (url === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: 'is required: "sqlite:PATH", "postgres://user@host/db", or { "env" } / { "file" } holding one',
    });
    return z.NEVER;
  }
  if (typeof url === 'string') return { url, options: rest };
  const source = secretSourceSchema('database URL').safeParse(url);
  if (!source.success) {
    for (const issue of source.error.issues)
      ctx.addIssue({ code: 'custom', path: ['url', ...issue.path], message: issue.message });
    return z.NEVER;
  }
  return { url: source.data, options: rest };
});

/** One `providers[]` entry: `id`, `kind`, and the kind's own options (checked against the kind later). */
const providerEntrySchema = z
  .object({
    id: z
      .string({ error: 'a provider id such as "vf-a" is required' })
      .min(1, { error: 'must not be empty' }),
    kind: z
      .string({ error: 'the provider kind, e.g. "vectrafin", is required' })
      .min(1, { error: 'must not be empty' }),
  })
  .catchall(z.unknown());

const routeTargetSchema = z
  .object({
    provider: z
      .string({ error: 'a provider id (one of providers[].id) is required' })
      .min(1, { error: 'must not be empty' }),
    serviceId: z
      .string({ error: 'the provider\'s service id, as a string such as "7", is required' })
      .min(1, { error: 'must not be empty' }),
    currency: z.string({ error: 'a currency code such as "KZT"' }).optional(),
    // Routing policy fields (architecture §4.7): their values are checked by createRouter itself.
    when: z.unknown().optional(),
    weight: z.unknown().optional(),
    fee: z.unknown().optional(),
    maxInFlight: z.unknown().optional(),
  })
  .strict();

const routeTargetsSchema = z
  .array(routeTargetSchema, { error: 'an array of { "provider", "serviceId" } is required' })
  .min(1, { error: 'a route needs at least one provider' });

const routeSpecSchema = z
  .object({ strategy: z.string({ error: 'a strategy name is required' }), targets: routeTargetsSchema })
  .strict();

/**
 * A route: its targets in order, or `{ "strategy": "weighted", "targets": [...] }` (the router checks the
 * strategy and the targets' routing fields); each issue keeps its own path.
 */
const routeSchema = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'object' || value === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'an array of { "provider", "serviceId" }, or { "strategy", "targets" }, is required',
    });
    return z.NEVER;
  }
  const parsed = Array.isArray(value)
    ? routeTargetsSchema.safeParse(value)
    : routeSpecSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : [];
    const message = issue.code === 'unrecognized_keys' ? 'unknown option (misspelt?)' : issue.message;
    ctx.addIssue({ code: 'custom', path: [...issue.path, ...keys], message });
  }
  return z.NEVER;
});

/** Router option groups: their fields are checked by createRouter itself. */
const optionGroup = z
  .record(z.string(), z.unknown(), { error: 'an object of options is required' })
  .optional();

const voucherKeysSchema = z
  .object({
    current: z
      .string({ error: 'the id of the key new codes are sealed under is required' })
      .min(1, { error: 'must not be empty' }),
    keys: z.record(z.string(), secretSourceSchema('voucher key'), {
      error: 'an object of key id → { "env" } or { "file" } is required',
    }),
  })
  .strict();

/** `false` (no keys, on purpose) or `{ current, keys }`; each issue keeps its own path. */
const vouchersSchema = z.unknown().transform((value, ctx) => {
  if (value === false) return false as const;
  const parsed = voucherKeysSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? [issue.keys[0] ?? ''] : [];
    const message =
      issue.code === 'unrecognized_keys'
        ? 'unknown option (misspelt?)'
        : typeof value !== 'object' || value === null
          ? 'false, or { "current": "k1", "keys": { "k1": { "env": "VARIABLE" } } }'
          : issue.message;
    ctx.addIssue({ code: 'custom', path: [...issue.path, ...keys], message });
  }
  return z.NEVER;
});

export const configFileSchema = z
  .object({
    /** An editor's JSON schema reference: allowed and ignored. */
    $schema: z.string().optional(),
    journal: journalEntrySchema,
    providers: z
      .array(providerEntrySchema, { error: 'an array of providers is required' })
      .min(1, { error: 'at least one provider is required' }),
    routes: z.record(z.string().min(1, { error: 'a route name must not be empty' }), routeSchema, {
      error: 'an object of routes is required ({} when this configuration only operates the journal)',
    }),
    finalizer: optionGroup,
    breaker: optionGroup,
    failover: optionGroup,
    callbacks: optionGroup,
    routing: optionGroup,
    vouchers: vouchersSchema.optional(),
    // Unique per process: a file several processes share would give them one lease owner.
    instanceId: z
      .never({
        error:
          'not a setting of the file: each process needs its own (createFromConfig(config, { instanceId }), or the default)',
      })
      .optional(),
  })
  // A misspelt section (`finaliser`) must not silently leave the defaults in force.
  .strict();

export type ConfigFile = z.output<typeof configFileSchema>;
