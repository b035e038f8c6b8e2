import { describe, expect, it } from 'vitest';
import {
  currencyMinorUnits,
  isCurrency,
  knownCurrencies,
  parseCurrency,
  registerCurrency,
} from './currency.js';
import { ValidationError } from './errors.js';
import { Money } from './money.js';

describe('currency registry', () => {
  it('knows the contract currencies (protocol §2) with two minor units', () => {
    for (const code of ['KZT', 'USD', 'RUB']) {
      expect(isCurrency(code)).toBe(true);
      expect(currencyMinorUnits(code)).toBe(2);
      expect(parseCurrency(code)).toBe(code);
    }
    expect(knownCurrencies()).toEqual([...knownCurrencies()].sort());
  });

  it('rejects unknown, lower-case, empty and non-string codes naming the field', () => {
    for (const value of ['XTS', 'kzt', '', 'KZTT', 42, null, undefined]) {
      expect(isCurrency(value)).toBe(false);
      let caught: unknown;
      try {
        parseCurrency(value, 'route.currency');
      } catch (error) {
        caught = error;
      }
      expect(ValidationError.is(caught)).toBe(true);
      expect((caught as ValidationError).field).toBe('route.currency');
    }
    expect(() => currencyMinorUnits('XTS')).toThrow(ValidationError);
  });

  it('lets a provider extend the set, after which amounts in the new code parse', () => {
    expect(() => Money.parse('10', 'XBA')).toThrow(ValidationError);
    registerCurrency('XBA', 0);
    expect(isCurrency('XBA')).toBe(true);
    expect(knownCurrencies()).toContain('XBA');
    expect(Money.parse('10', 'XBA').format()).toBe('10');
    expect(() => Money.parse('10.5', 'XBA')).toThrow(/at most 0 decimals/);
    registerCurrency('XBA', 0); // the same registration again is harmless
  });

  it('refuses bad codes, bad units and a change to a known code', () => {
    expect(() => registerCurrency('usd')).toThrow(ValidationError);
    expect(() => registerCurrency('US')).toThrow(ValidationError);
    expect(() => registerCurrency('XBB', 1.5)).toThrow(ValidationError);
    expect(() => registerCurrency('XBB', 9)).toThrow(ValidationError);
    expect(() => registerCurrency('KZT', 0)).toThrow(/already registered with 2/);
    expect(currencyMinorUnits('KZT')).toBe(2);
  });
});
