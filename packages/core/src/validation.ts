import * as z from 'zod';
import { isCurrency, knownCurrencies } from './currency.js';
import { ConfigError, ValidationError } from './errors.js';
import { parseDecimal } from './money.js';
import type { CallOptions } from './port.js';
import type { Clock } from './tokens.js';

/**
 * zod schemas for the fields every request carries, and the bridge that turns a zod failure into a
 * ValidationError (or ConfigError) naming the first offending field.
 */

/** A positive amount with at most two decimals, as a plain decimal string ("180.00", "5"). */
export const amountSchema = z.string().superRefine((value, ctx) => {
  try {
    parseDecimal(value, 'amount', { maxDecimals: 2 });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: ValidationError.is(error) ? error.rule : String(error) });
  }
});

/** An exact decimal of any precision, zero allowed (OrderAmount, exchange rates). */
export const exactDecimalSchema = z.string().superRefine((value, ctx) => {
  try {
    parseDecimal(value, 'value', { allowZero: true });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: ValidationError.is(error) ? error.rule : String(error) });
  }
});

export const currencySchema = z.string().refine(isCurrency, {
  error: (issue) =>
    `unknown currency ${JSON.stringify(issue.input)} (known: ${knownCurrencies().join(', ')})`,
});

/** The agent's transaction id at a provider: an integer of 1 to 15 digits, no leading zero. */
export const transactionIdSchema = z
  .string({ error: 'a string of 1 to 15 digits is required' })
  .regex(/^[1-9]\d{0,14}$/, { error: 'must be 1 to 15 digits with no leading zero' });

/** The subscriber id: a login, phone, card or e-mail, at most 200 characters (protocol §2). */
export const accountSchema = z
  .string({ error: 'an account is required' })
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'at most 200 characters' })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'must not contain control characters' });

/** An id chosen by the caller (payment ids): printable, 1–128 characters. */
export const paymentIdSchema = z
  .string({ error: 'a payment id is required' })
  .min(1, { error: 'must not be empty' })
  .max(128, { error: 'at most 128 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'printable ASCII without spaces' });

/** A provider's service id: digits for VectraFin, but core only asks for a short non-empty string. */
export const serviceIdSchema = z
  .string({ error: 'a service id is required' })
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'at most 64 characters' });

/** The value at `path` inside `input` (zod 4 issues do not carry the input they rejected). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function firstIssue(
  error: z.ZodError,
  prefix: string | undefined,
  input: unknown,
  whole: string,
): { field: string; rule: string } {
  const issue = error.issues[0];
  const segments = issue?.path.map(String) ?? [];
  let rule = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    // Name the stray key itself: a typo must not pass for a missing option.
    segments.push(issue.keys[0] ?? '');
    rule = 'unknown option (misspelt?)';
  } else if (issue?.code === 'invalid_type' && valueAt(input, issue.path) == null) {
    // Only a value that is absent (or null) is "required"; a wrong type keeps the rule it broke.
    rule = 'is required';
  }
  const field = [prefix, segments.join('.')].filter(Boolean).join('.') || whole;
  return { field, rule };
}

/** Parses `value` with `schema`, throwing ValidationError naming the field (`prefix.path`). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, rule } = firstIssue(result.error, prefix, value, 'input');
  throw new ValidationError(field, rule, { cause: result.error });
}

/**
 * Parses options with `schema`, throwing ConfigError naming the option (`options` when the options
 * object itself is wrong: missing, null, not an object).
 */
export function parseConfig<T extends z.ZodType>(schema: T, value: unknown, prefix?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, rule } = firstIssue(result.error, prefix, value, 'options');
  throw new ConfigError(field, rule, { cause: result.error });
}

/** The longest delay `setTimeout` honours; a larger one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A whole number of milliseconds a timer can wait, from `min` to MAX_TIMEOUT_MS: above that,
 * setTimeout fires at once, and a long wait would silently become a busy loop.
 */
export function millisecondsSchema(min: 0 | 1 = 1) {
  return integerSchema(
    min,
    MAX_TIMEOUT_MS,
    `an integer number of milliseconds from ${min} to ${MAX_TIMEOUT_MS}`,
  );
}

/** A whole number from `min` to `max`, with one rule for every way to miss it. */
export function integerSchema(min: number, max: number, rule = `an integer from ${min} to ${max}`) {
  return z.number({ error: rule }).int({ error: rule }).min(min, { error: rule }).max(max, { error: rule });
}

/** A `Clock` option: any object with a `now()` method. */
export const clockSchema = z.custom<Clock>(
  (value) => typeof (value as Partial<Clock> | null)?.now === 'function',
  { error: 'an object with a now() method (a Clock) is required' },
);

/** An option that must be a function (a callback, a hook). */
export function functionSchema<T extends (...args: never[]) => unknown>() {
  return z.custom<T>((value) => typeof value === 'function', { error: 'a function is required' });
}

/** An AbortSignal from any realm (duck-typed: a polyfill or another copy of Node's class works too). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function' &&
    typeof (value as AbortSignal).throwIfAborted === 'function'
  );
}

const callOptionsSchema = z.object({
  signal: z
    .custom<AbortSignal>((value) => isAbortSignal(value), { error: 'an AbortSignal is required' })
    .optional(),
  timeoutMs: millisecondsSchema().optional(),
  onDispatch: functionSchema<() => void>().optional(),
});

/**
 * Checks the per-call options every operation takes (`{ signal?, timeoutMs?, onDispatch? }`), throwing
 * ValidationError naming the field — a `null` or a signal that is not an AbortSignal would otherwise
 * crash with a TypeError deep inside, or be ignored. Returns the caller's own object.
 */
export function parseCallOptions(value: unknown): CallOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('options', 'an object { signal?, timeoutMs?, onDispatch? } is required');
  }
  parseInput(callOptionsSchema, value);
  return value as CallOptions;
}
