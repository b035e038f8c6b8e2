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
    ['[1,]', 'Array item expected', 3],
    ['{"a" 1}', "Colon ':' expected", 5],
    ['[1] x', 'Expected end of input', 4],
    ['"open', "End of string '\"' expected", 5],
    ['01', 'Expected end of input', 1],
  ])('rejects %s with a position', (text, message, position) => {
    expect(() => parseJsonLossless(text)).toThrow(message);
    try {
      parseJsonLossless(text);
    } catch (error) {
      expect(error).toBeInstanceOf(JsonInputError);
      expect((error as JsonInputError).position).toBe(position);
    }
  });

  it('numericText accepts numbers and numeric strings only', () => {
    expect(numericText(new JsonNumber('4714.25'))).toBe('4714.25');
    expect(numericText('13')).toBe('13');
    expect(numericText(true)).toBeUndefined();
    expect(numericText(null)).toBeUndefined();
  });
});
