/**
 * A small JSON reader for user files (registries, totals, --services) that keeps every number as the
 * exact text it was written with: `4714.25` stays "4714.25" and a 16-digit TransactionId keeps its
 * digits, which `JSON.parse` would round through a float.
 */

/** A JSON number, kept verbatim. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonInputError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonInputError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function parseJsonLossless(text: string): JsonValue {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (what: string): never => {
    throw new JsonInputError(`${what} at character ${at + 1}`, at);
  };
  const skipSpace = (): void => {
    while (at < text.length && ' \t\r\n'.includes(text[at] as string)) at += 1;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)}`);
    at += 1;
  };

  const readString = (): string => {
    at += 1;
    let result = '';
    for (;;) {
      const char = text[at];
      if (char === undefined) fail('unterminated string');
      if (char === '"') {
        at += 1;
        return result;
      }
      if (char === '\\') {
        const next = text[at + 1] ?? '';
        if (next === 'u') {
          const hex = text.slice(at + 2, at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          result += String.fromCharCode(Number.parseInt(hex, 16));
          at += 6;
        } else {
          const escaped = ESCAPES[next];
          if (escaped === undefined) fail('bad escape');
          result += escaped;
          at += 2;
        }
        continue;
      }
      if ((char as string) < ' ') fail('control character in a string');
      result += char;
      at += 1;
    }
  };

  const readValue = (depth: number): JsonValue => {
    if (depth > 64) fail('nesting too deep');
    skipSpace();
    const char = text[at];
    if (char === '"') return readString();
    if (char === '{') {
      at += 1;
      const object: { [key: string]: JsonValue } = {};
      skipSpace();
      if (text[at] === '}') {
        at += 1;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[at] !== '"') fail('expected a property name');
        const key = readString();
        expect(':');
        object[key] = readValue(depth + 1);
        skipSpace();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        expect('}');
        return object;
      }
    }
    if (char === '[') {
      at += 1;
      const array: JsonValue[] = [];
      skipSpace();
      if (text[at] === ']') {
        at += 1;
        return array;
      }
      for (;;) {
        array.push(readValue(depth + 1));
        skipSpace();
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        expect(']');
        return array;
      }
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) return fail('unexpected character');
    at += match[0].length;
    return new JsonNumber(match[0]);
  };

  const value = readValue(0);
  skipSpace();
  if (at < text.length) fail('unexpected text after the JSON document');
  return value;
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
