/**
 * A small seeded pseudo-random generator (sfc32 seeded by xmur3): the simulator draws every id, offer,
 * voucher code and probability from it, so one seed replays one run exactly.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p` (0..1). */
  chance(p: number): boolean;
  /** `count` decimal digits, the first one non-zero. */
  digits(count: number): string;
  /** An independent stream named `label`: draws from one stream never shift another. */
  fork(label: string): Prng;
}

export function createPrng(seed: string | number): Prng {
  return fromSeedText(String(seed));
}

function fromSeedText(seedText: string): Prng {
  const hash = xmur3(seedText);
  const next = sfc32(hash(), hash(), hash(), hash());
  // Warm-up: the first draws of sfc32 are poorly mixed.
  for (let i = 0; i < 12; i++) next();
  const prng: Prng = {
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(p) {
      if (p >= 1) return true;
      if (p <= 0) return false;
      return next() < p;
    },
    digits(count) {
      let text = String(prng.int(1, 9));
      while (text.length < count) text += String(prng.int(0, 9));
      return text;
    },
    fork(label) {
      return fromSeedText(`${seedText}/${label}`);
    },
  };
  return prng;
}

function xmur3(text: string): () => number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
}

function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}
