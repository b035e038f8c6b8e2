/*
 * Stable hashing for routing: the same payment id gives the same numbers in every process, on every
 * machine and after every restart, so a weighted split or an exploration draw never depends on timing.
 * FNV-1a over UTF-16 code units, finished with murmur3's fmix32 (full avalanche: ids that differ in one
 * character land far apart).
 */

/** 32-bit FNV-1a of a string, finished with fmix32. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

/** murmur3's fmix32: a bijection on 32-bit integers in which every input bit moves every output bit. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two hashes combined into a third (order matters), e.g. a payment's and a provider's. */
export function combine(a: number, b: number): number {
  return mix32((a ^ Math.imul(b, 0x9e3779b1)) + 0x7f4a7c15);
}

/** A hash as a number in the open interval (0, 1). */
export function unit(hash: number): number {
  return ((hash >>> 0) + 0.5) / 4_294_967_296;
}
