import { describe, expect, it } from 'vitest';
import { encodeCp1251 } from './cp1251.js';

describe('encodeCp1251', () => {
  const decode = (bytes: Buffer) => new TextDecoder('windows-1251').decode(bytes);

  it('encodes the whole Russian alphabet, Ё and ё included, one byte a letter', () => {
    let alphabet = 'Ёё№«»';
    for (let code = 0x0410; code <= 0x044f; code++) alphabet += String.fromCharCode(code);
    const bytes = encodeCp1251(alphabet);
    expect(bytes.length).toBe(alphabet.length);
    expect(decode(bytes)).toBe(alphabet);
  });

  it('keeps ASCII and JSON punctuation', () => {
    const text = '{"Message":"Транзакция успешна","ResponseStatus":10}';
    expect(decode(encodeCp1251(text))).toBe(text);
    expect(encodeCp1251(text).toString('utf8')).not.toBe(text);
  });

  it('writes "?" for what the code page lacks (Kazakh letters)', () => {
    expect(decode(encodeCp1251('қ.|г.'))).toBe('?.|г.');
  });
});
