import { describe, expect, it } from 'vitest';
import { isJsonObject, JsonInputError, JsonNumber, numericText, parseJsonLossless } from './json-input.js';

describe('parseJsonLossless', () => {
  it('keeps every number as the text it was written with', () => {
    const value = parseJsonLossless(
      '[{"TransactionId": 6527505296357515, "RequestId": 638405063993273260, "Amount": 5000.00}]',
    );
    expect(Array.isArray(value)).toBe(true);
    const entry = (value as unknown[])[0] as Record<string, JsonNumber>;
    expect(entry.TransactionId?.text).toBe('6527505296357515');
    // Above 2^53: JSON.parse would answer 638405063993273300.
    expect(entry.RequestId?.text).toBe('638405063993273260');
    expect(entry.Amount?.text).toBe('5000.00');
  });

  it('reads strings with escapes, booleans, null and nesting', () => {
    const value = parseJsonLossless('{"a":"\\u0410\\n\\"x\\"","b":[true,false,null],"c":{}}');
    expect(isJsonObject(value)).toBe(true);
    if (!isJsonObject(value)) return;
    expect(value.a).toBe('А\n"x"');
    expect(value.b).toEqual([true, false, null]);
    expect(value.c).toEqual({});
  });

  it.each([
    ['[1,]', 'unexpected character'],
    ['{"a" 1}', 'expected ":"'],
    ['[1] x', 'unexpected text after'],
    ['"open', 'unterminated string'],
    ['01', 'unexpected text after'],
  ])('rejects %s with a position', (text, message) => {
    expect(() => parseJsonLossless(text)).toThrow(JsonInputError);
    expect(() => parseJsonLossless(text)).toThrow(message);
  });

  it('numericText accepts numbers and numeric strings only', () => {
    expect(numericText(new JsonNumber('4714.25'))).toBe('4714.25');
    expect(numericText('13')).toBe('13');
    expect(numericText(true)).toBeUndefined();
    expect(numericText(null)).toBeUndefined();
  });
});
