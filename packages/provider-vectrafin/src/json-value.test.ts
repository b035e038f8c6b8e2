import { describe, expect, it } from 'vitest';
import { integerText, parseWireJson, requiredDecimal, WireNumber, WireShapeError } from './json-value.js';

describe('parseWireJson', () => {
  it('keeps the exact text of 18-digit ids and long decimals (protocol §3.3, §3.18)', () => {
    const parsed = parseWireJson(
      '{"RequestID": 638405063993273260, "ExchangeRate": 11.51933037984, "Amount": 100.0, "Big": 1e400}',
    ) as Record<string, WireNumber>;
    expect(integerText(parsed.RequestID, 'RequestID')).toBe('638405063993273260');
    expect(requiredDecimal(parsed.ExchangeRate, 'ExchangeRate')).toBe('11.51933037984');
    expect(parsed.Amount).toEqual(new WireNumber('100.0'));
    expect(parsed.Big).toEqual(new WireNumber('1e400'));
  });

  it('refuses an object whose keys conflict (which Status would count?), accepts an exact repeat', () => {
    expect(() => parseWireJson('{"ResponseStatus": 1, "ResponseStatus": -2}')).toThrow(WireShapeError);
    expect(parseWireJson('{"ResponseStatus": 1, "ResponseStatus": 1}')).toEqual({
      ResponseStatus: new WireNumber('1'),
    });
  });

  it('refuses what is not one JSON document', () => {
    for (const text of ['', '\uFEFF{}', '{"a":1,}', '01', '{"a":1} {"b":2}']) {
      expect(() => parseWireJson(text), JSON.stringify(text)).toThrow(WireShapeError);
    }
  });
});
