/**
 * Reads user files (registries, totals, --services) with lossless-json, keeping every number as the
 * exact text it was written with: `4714.25` stays "4714.25" and a 16-digit TransactionId keeps its
 * digits, which `JSON.parse` would round through a float.
 */
import { parse } from 'lossless-json';

/** A JSON number, kept verbatim. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonInputError extends Error {
  constructor(
    message: string,
    /** 0-based character offset of the problem, or -1 when unknown. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonInputError';
  }
}

export function parseJsonLossless(text: string): JsonValue {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parse(body, null, (digits) => new JsonNumber(digits)) as JsonValue;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    throw new JsonInputError(message, position ? Number(position[1]) : -1);
  }
}

export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
  );
}

/** A number or numeric string as its exact text, or undefined. */
export function numericText(value: JsonValue | undefined): string | undefined {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string') return value;
  return undefined;
}
