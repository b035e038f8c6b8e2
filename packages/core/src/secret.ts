import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A value that must never reach a log, an error, an event or a metric: an agent password, a voucher
 * code. It prints, stringifies and inspects as `[redacted]`; only `reveal()` hands out the value.
 */
export class Secret {
  readonly #value: string;

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

  static is(value: unknown): value is Secret {
    return value instanceof Secret;
  }
}

/** Replaces every occurrence of each secret in `text` (for raw payloads and transport messages). */
export function scrub(text: string, secrets: readonly (string | Secret | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    const value = secret instanceof Secret ? secret.reveal() : secret;
    if (value) result = result.split(value).join(REDACTED);
  }
  return result;
}
