import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.js';

describe('createPrng', () => {
  const draws = (seed: string | number, count = 20) => {
    const prng = createPrng(seed);
    return Array.from({ length: count }, () => prng.next());
  };

  it('replays the same sequence for the same seed, another for another seed', () => {
    expect(draws('a')).toEqual(draws('a'));
    expect(draws('a')).not.toEqual(draws('b'));
    expect(draws(7)).toEqual(draws('7'));
  });

  it('draws floats in [0, 1) and integers in [min, max]', () => {
    const prng = createPrng('range');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = prng.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      seen.add(prng.int(3, 6));
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('forks independent streams: drawing from one does not shift another', () => {
    const one = createPrng('root');
    const untouched = createPrng('root').fork('ids').next();
    one.next();
    one.fork('faults').next();
    expect(one.fork('ids').next()).toBe(untouched);
    expect(createPrng('root').fork('faults').next()).not.toBe(untouched);
  });

  it('chance() honours its bounds and digits() never starts with 0', () => {
    const prng = createPrng('chance');
    for (let i = 0; i < 100; i++) {
      expect(prng.chance(0)).toBe(false);
      expect(prng.chance(1)).toBe(true);
      expect(prng.digits(6)).toMatch(/^[1-9]\d{5}$/);
    }
  });
});
