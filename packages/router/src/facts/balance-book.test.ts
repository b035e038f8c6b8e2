import { Dec } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { BalanceBook } from './balance-book.js';

const kzt = (balance: string, overdraft = '0') => [{ currency: 'KZT', balance, overdraft }];
const book = (reserve: Record<string, string> = {}, trustMs = 60_000) =>
  new BalanceBook(new Map(Object.entries(reserve).map(([c, a]) => [c, new Dec(a)])), trustMs);
/** What the ranking reads: whole hundredths, rounded down. */
const available = (b: BalanceBook, now: number) => b.available(now)?.get('KZT')?.toString() ?? null;

describe('BalanceBook', () => {
  it('knows nothing until a check, then balance plus overdraft less the reserve', () => {
    const b = book({ KZT: '100.00' });
    expect(b.available(0)).toBeNull();
    b.checked(kzt('1000.00', '250.00'), 10);
    expect(available(b, 20)).toBe('115000');
    expect(b.lines(20)).toEqual([
      expect.objectContaining({ currency: 'KZT', checked: new Dec('1250'), available: new Dec('1150') }),
    ]);
  });

  it('rounds what is available down to whole hundredths: 150.999 pays 150.99, not 151.00', () => {
    const b = book();
    b.checked(kzt('150.999'), 0);
    expect(available(b, 1)).toBe('15099');
    b.checked(kzt('-0.001'), 2);
    expect(available(b, 3)).toBe('-1');
  });

  it('counts what is sent until a check that started after its answer', () => {
    const b = book();
    b.checked(kzt('1000.00'), 0);
    b.sent('p1', 'KZT', new Dec('300'));
    expect(available(b, 5)).toBe('70000');
    b.answered('p1', 10);
    // A check that left before the answer may not include it: still counted.
    b.checking(8);
    b.checked(kzt('1000.00'), 8);
    expect(available(b, 12)).toBe('70000');
    // One that left after the answer includes it.
    b.checked(kzt('700.00'), 11);
    expect(available(b, 12)).toBe('70000');
    // In flight during a check: counted against the new balance too.
    b.sent('p2', 'KZT', new Dec('50'));
    b.checked(kzt('700.00'), 13);
    expect(available(b, 14)).toBe('65000');
  });

  it('with no balance known and no check under way, an answered send is forgotten (any later check includes it)', () => {
    const b = book();
    b.sent('p1', 'KZT', new Dec('300'));
    b.answered('p1', 10);
    b.checked(kzt('1000.00'), 20);
    expect(available(b, 21)).toBe('100000');
    // …but a check already under way when the answer came may not include it.
    const c = book();
    c.sent('p1', 'KZT', new Dec('300'));
    c.checking(5);
    c.answered('p1', 10);
    c.checked(kzt('1000.00'), 5);
    expect(available(c, 11)).toBe('70000');
  });

  it('releases an attempt that moved no money, and counts a payment once whether sent here or read from the journal', () => {
    const b = book();
    b.checked(kzt('1000.00'), 0);
    b.sent('p1', 'KZT', new Dec('300'));
    b.shared(
      new Map([
        ['p1', { currency: 'KZT', amount: new Dec('300') }],
        ['p2', { currency: 'KZT', amount: new Dec('200') }],
      ]),
    );
    expect(available(b, 1)).toBe('50000');
    b.released('p1');
    expect(available(b, 1)).toBe('80000');
    b.released('p2');
    expect(available(b, 1)).toBe('100000');
  });

  it('a -2 marks the currency until a check shows at least the smallest refused amount', () => {
    const b = book();
    b.mark('KZT', new Dec('500'), 1);
    b.mark('KZT', new Dec('700'), 2);
    expect([...(b.outOfFunds() ?? [])]).toEqual(['KZT']);
    b.checked(kzt('499.99'), 3);
    expect([...(b.outOfFunds() ?? [])]).toEqual(['KZT']);
    b.checked(kzt('500.00'), 4);
    expect(b.outOfFunds()).toBeNull();
  });

  it('a mark of a provider that cannot report its balance lapses after the interval', () => {
    const b = book();
    b.mark('KZT', new Dec('500'), 1_000);
    b.lapseMarks(60_999, 60_000);
    expect(b.hasMarks()).toBe(true);
    b.lapseMarks(61_000, 60_000);
    expect(b.hasMarks()).toBe(false);
  });

  it('a balance older than the trust period is unknown again: never a stale reason to skip', () => {
    const b = book({}, 60_000);
    b.checked(kzt('0.00'), 0);
    expect(available(b, 60_000)).toBe('0');
    expect(b.available(60_001)).toBeNull();
    expect(b.lines(60_001)).toEqual([]);
  });

  it('skips balances that do not read as decimals', () => {
    const b = book();
    b.checked([...kzt('not-a-number'), { currency: 'USD', balance: '5.00', overdraft: 'x' }], 0);
    expect(b.available(1)?.get('KZT')).toBeUndefined();
    expect(b.available(1)?.get('USD')?.toString()).toBe('500');
  });
});
