/**
 * Encodes text as windows-1251, the legacy Cyrillic code page some error pages of this protocol
 * family arrive in (protocol §3.17). Covers ASCII, А–я, Ё/ё and common punctuation; anything else
 * becomes "?", as a lossy legacy server would write it.
 */
const EXTRA: ReadonlyMap<number, number> = new Map([
  [0x0401, 0xa8], // Ё
  [0x0451, 0xb8], // ё
  [0x2116, 0xb9], // №
  [0x00ab, 0xab], // «
  [0x00bb, 0xbb], // »
  [0x2013, 0x96], // –
  [0x2014, 0x97], // —
  [0x00a0, 0xa0], // no-break space
]);

export function encodeCp1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    if (code < 0x80) bytes.push(code);
    else if (code >= 0x0410 && code <= 0x044f) bytes.push(code - 0x0410 + 0xc0);
    else bytes.push(EXTRA.get(code) ?? 0x3f);
  }
  return Buffer.from(bytes);
}
