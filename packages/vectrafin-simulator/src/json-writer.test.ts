import { Dec } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { dec, int, JsonNumber, writeJson } from './json-writer.js';

describe('writeJson', () => {
  it('writes 18-digit integers verbatim, where JSON.stringify of a number would corrupt them (protocol §3.3)', () => {
    expect(writeJson({ RequestID: int('638405063993273260') })).toBe('{"RequestID":638405063993273260}');
    expect(writeJson({ RequestID: int(638405063993273260n) })).toBe('{"RequestID":638405063993273260}');
    expect(JSON.stringify(JSON.parse('{"RequestID":638405063993273260}'))).not.toContain(
      '638405063993273260',
    );
  });

  it.each([
    ['100', '100.0'],
    ['0', '0.0'],
    ['238345.45', '238345.45'],
    ['-50.00', '-50.0'],
    ['0.0021598272', '0.0021598272'],
    ['4630.000029632', '4630.000029632'],
    ['719190.223', '719190.223'],
  ])('writes the decimal %s as %s, like the provider (protocol §3.18)', (input, output) => {
    expect(dec(input).text).toBe(output);
    expect(dec(new Dec(input)).text).toBe(output);
  });

  it('keeps every digit of an exact product', () => {
    expect(dec(new Dec('5333.45').times('0.0021598272')).text).toBe('11.51933037984');
  });

  it('refuses text that is not a number, and unsafe JS numbers', () => {
    expect(() => int('12a')).toThrow(TypeError);
    expect(() => int(2 ** 60)).toThrow(TypeError);
    expect(() => dec('1e3')).toThrow(TypeError);
    expect(() => JsonNumber.decimal('')).toThrow(TypeError);
  });

  it('keeps key order, leaves out undefined members, escapes strings and writes Cyrillic as is', () => {
    expect(
      writeJson({
        b: 'Транзакция "успешна"\n',
        a: undefined,
        c: [null, true, int(1)],
        d: { FieldValue: '{"x":1}' },
      }),
    ).toBe('{"b":"Транзакция \\"успешна\\"\\n","c":[null,true,1],"d":{"FieldValue":"{\\"x\\":1}"}}');
  });
});
