import { inspect } from 'node:util';

const REDACTED = '[redacted]';
const BRAND = Symbol.for('tolem.secret');

/**
 * A value that must never reach a log, an error, an event or a metric: an agent password, a voucher
 * code. It prints, stringifies and inspects as `[redacted]`; only `reveal()` hands out the value.
 */
export class Secret {
  readonly #value: string;
  readonly [BRAND] = true;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }

  /** True for a Secret from any copy of @tolem/core (a `Symbol.for` brand, not `instanceof`). */
  static is(value: unknown): value is Secret {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Replaces every occurrence of each secret in `text` (for raw payloads and transport messages): the
 * value as is, percent-encoded (URLs), form-encoded (`+` for spaces) and JSON-escaped, so a form body
 * or a JSON body carrying the password comes out clean too.
 */
export function scrub(text: string, secrets: readonly (string | Secret | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    const value = Secret.is(secret) ? secret.reveal() : secret;
    if (!value) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  // Longest first, so a form that contains another is replaced whole.
  let result = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form) result = result.split(form).join(REDACTED);
  }
  return result;
}
