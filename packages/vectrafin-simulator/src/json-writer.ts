import { Dec } from '@tolem/core';

/**
 * Writes JSON as raw text. VectraFin answers 18-digit RequestIDs (above 2^53) and amounts as JSON
 * numbers (protocol §3.3, §3.18): a JS number would corrupt both, so numbers here are tokens that carry
 * their exact decimal text and are written verbatim.
 */
export class JsonNumber {
  // TypeScript's `private`, not `#`: a constructor has no `#` form. integer() and decimal() are the way in.
  private constructor(readonly text: string) {}

  /** An integer written as is: a digit string, a bigint or a safe integer. */
  static integer(value: string | bigint | number): JsonNumber {
    const text = typeof value === 'string' ? value : value.toString();
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new TypeError(`not a safe integer: ${text}`);
    }
    if (!/^-?(0|[1-9]\d*)$/.test(text)) throw new TypeError(`not an integer: ${JSON.stringify(text)}`);
    return new JsonNumber(text);
  }

  /**
   * A decimal written the way the provider's .NET serialiser does: every significant digit kept,
   * whole values with one fractional zero ("100.0", "0.0", "238345.45").
   */
  static decimal(value: Dec | string): JsonNumber {
    if (typeof value === 'string' && !/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) {
      throw new TypeError(`not a plain decimal: ${JSON.stringify(value)}`);
    }
    // Through Dec: trailing zeros go ("-50.00" → "-50.0"), significant digits all stay.
    const text = (typeof value === 'string' ? new Dec(value) : value).toString();
    return new JsonNumber(text.includes('.') ? text : `${text}.0`);
  }
}

export type JsonValue =
  | null
  | boolean
  | string
  | JsonNumber
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** Compact JSON text; object keys keep their insertion order, `undefined` members are left out. */
export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => writeJson(item)).join(',')}]`;
  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${writeJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** Shorthand for integers in answers. */
export const int = JsonNumber.integer;
/** Shorthand for amounts and rates in answers. */
export const dec = JsonNumber.decimal;
