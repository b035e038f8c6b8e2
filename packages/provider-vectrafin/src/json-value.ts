import { Dec } from '@tolem/core';
import { parse } from 'lossless-json';

/**
 * Lossless JSON: every number keeps the exact text it was sent as, so an 18-digit RequestID
 * (protocol §3.3) and an amount like 11.51933037984 (protocol §3.18) never pass through a float.
 */
export class WireNumber {
  constructor(readonly text: string) {}
}

export type WireValue = string | boolean | null | WireNumber | WireValue[] | WireObject;
export interface WireObject {
  [key: string]: WireValue;
}

/** The body is not the JSON document the operation expects. */
export class WireShapeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WireShapeError';
  }
}

const toWireNumber = (text: string): WireNumber => new WireNumber(text);

/**
 * Parses JSON text losslessly; throws WireShapeError when it is not JSON (and when two keys of an
 * object conflict). lossless-json on every Node: JSON.parse with the reviver's source text (Node 21+)
 * measured slower on the Payment and Status answers (bench/json-parse.bench.ts).
 */
export function parseWireJson(text: string): WireValue {
  try {
    return parse(text, null, toWireNumber) as WireValue;
  } catch (error) {
    throw new WireShapeError('not a JSON document', { cause: error });
  }
}

export function isWireObject(value: WireValue | undefined): value is WireObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof WireNumber)
  );
}

/**
 * Reads the first of `names` present in `object`: exact spelling first, then any casing, because the
 * provider family varies both (protocol §3.1 `TransactinID`, §3.4 `account`, §3.17 `fieldName`).
 */
export function pick(object: WireObject, ...names: string[]): WireValue | undefined {
  for (const name of names) {
    if (Object.hasOwn(object, name)) return object[name];
  }
  const wanted = names.map((name) => name.toLowerCase());
  for (const key of Object.keys(object)) {
    if (wanted.includes(key.toLowerCase())) return object[key];
  }
  return undefined;
}

const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * The exact decimal text of a number or numeric string ("100.0", "238345.4409"); exponents are
 * expanded exactly. Null or absent → null. Anything else is a shape error naming `field`.
 */
export function decimalText(value: WireValue | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const text =
    value instanceof WireNumber ? value.text : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || text === '' || !JSON_NUMBER.test(text)) {
    throw new WireShapeError(`${field} is not a number`);
  }
  if (PLAIN_NUMBER.test(text)) return text;
  // Dec prints plain notation for any exponent a JSON amount can carry (toExpNeg/toExpPos ±50).
  return new Dec(text).toString();
}

/** Like decimalText, but the field must be present. */
export function requiredDecimal(value: WireValue | undefined, field: string): string {
  const text = decimalText(value, field);
  if (text === null) throw new WireShapeError(`${field} is missing`);
  return text;
}

/** An integer id as text, sign kept ("-1100000", "638405063993273260"); null when absent. */
export function integerText(value: WireValue | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const text =
    value instanceof WireNumber ? value.text : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) throw new WireShapeError(`${field} is not an integer`);
  return text;
}

/** A string field, or the text of a number/boolean; null when absent. */
export function stringText(value: WireValue | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof WireNumber) return value.text;
  if (typeof value === 'boolean') return String(value);
  throw new WireShapeError(`${field} is not a string`);
}

/** A JSON document nested inside a string (protocol §3.5, §3.9), or an already-parsed value. */
export function nestedJson(value: WireValue | undefined, field: string): WireValue {
  if (typeof value !== 'string') {
    if (value === undefined) throw new WireShapeError(`${field} is missing`);
    return value;
  }
  try {
    return parseWireJson(value);
  } catch (error) {
    throw new WireShapeError(`${field} holds no JSON document`, { cause: error });
  }
}
