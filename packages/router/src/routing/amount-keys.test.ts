import { Dec } from '@tolem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ceilHundredths, floorHundredths, hundredths, rateKey } from './amount-keys.js';

const amount = fc.integer({ min: 1, max: 999_999_999_999 }).map((n) => (n / 100).toFixed(2));
const bound = fc
  .tuple(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), fc.integer({ min: 0, max: 6 }))
  .map(([units, places]) => new Dec(units.toString()).dividedBy(new Dec(10).pow(places)));

describe('amount keys', () => {
  it('reads amounts of at most two decimals exactly as hundredths, and refuses anything else', () => {
    expect(hundredths('500')).toBe(50_000n);
    expect(hundredths('500.5')).toBe(50_050n);
    expect(hundredths('500.05')).toBe(50_005n);
    expect(hundredths('999999999999999.99')).toBe(99_999_999_999_999_999n);
    expect(hundredths('-0.01')).toBe(-1n);
    for (const bad of ['500.005', '5e2', '', '.5', 'abc', '1,5'])
      expect(() => hundredths(bad), bad).toThrow(RangeError);
  });

  it('compares a two-decimal amount with any bound exactly: below the minimum, above the maximum', () => {
    fc.assert(
      fc.property(amount, bound, (text, limit) => {
        const exact = new Dec(text);
        expect(hundredths(text) < ceilHundredths(limit)).toBe(exact.lessThan(limit));
        expect(hundredths(text) > floorHundredths(limit)).toBe(exact.greaterThan(limit));
      }),
      { numRuns: 2_000 },
    );
  });

  it('orders rates like the decimals they are, to twelve places', () => {
    fc.assert(
      fc.property(bound, bound, (a, b) => {
        const order = Math.sign(Number(rateKey(a) - rateKey(b)));
        expect(order).toBe(a.comparedTo(b));
      }),
      { numRuns: 2_000 },
    );
  });
});
