import { Decimal } from 'decimal.js';
import { type CurrencyCode, currencyMinorUnits, parseCurrency } from './currency.js';
import { ValidationError } from './errors.js';

/**
 * tolem's own decimal constructor: a clone, so nothing here touches (or is touched by) a global
 * `Decimal.set` in the host application. Precision is far above any amount a payment can carry.
 */
export const Dec = Decimal.clone({
  // Start from decimal.js defaults, not from whatever the global constructor holds at load time.
  defaults: true,
  precision: 50,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -50,
  toExpPos: 50,
});
export type Dec = Decimal;

const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export interface DecimalRules {
  /** Largest number of decimals accepted (default: unlimited). */
  maxDecimals?: number;
  /** Allow negative values (default false). */
  allowNegative?: boolean;
  /** Allow zero (default false for amounts). */
  allowZero?: boolean;
  /** Largest number of integer digits (default 15). */
  maxIntegerDigits?: number;
}

/**
 * Parses a plain decimal string ("180", "180.5", "0.01"): no exponent, no sign unless allowed, no
 * spaces, no thousands separators. Numbers are refused on purpose: a float has already lost the cents.
 */
export function parseDecimal(value: unknown, field: string, rules: DecimalRules = {}): Decimal {
  if (typeof value !== 'string') {
    throw new ValidationError(field, `a decimal string is required, got ${describe(value)}`);
  }
  if (value === '') throw new ValidationError(field, 'a decimal string is required, got an empty string');
  if (!PLAIN_DECIMAL.test(value)) {
    throw new ValidationError(field, `not a plain decimal like "180.00": ${JSON.stringify(clip(value))}`);
  }
  const [integerPart = '', fraction = ''] = value.replace('-', '').split('.');
  if (rules.maxDecimals !== undefined && fraction.length > rules.maxDecimals) {
    throw new ValidationError(field, `at most ${rules.maxDecimals} decimals, got ${JSON.stringify(value)}`);
  }
  if (integerPart.length > (rules.maxIntegerDigits ?? 15)) {
    throw new ValidationError(field, `at most ${rules.maxIntegerDigits ?? 15} integer digits`);
  }
  const decimal = new Dec(value);
  if (decimal.isNegative() && !decimal.isZero() && !rules.allowNegative) {
    throw new ValidationError(field, `must not be negative, got ${JSON.stringify(value)}`);
  }
  if (decimal.isZero() && !rules.allowZero) throw new ValidationError(field, 'must be greater than zero');
  return decimal;
}

/** Formats with exactly `places` decimals, refusing to drop non-zero digits. */
export function formatDecimal(value: Decimal, places = 2): string {
  const rounded = value.toDecimalPlaces(places, Decimal.ROUND_DOWN);
  if (!rounded.equals(value)) {
    throw new ValidationError('amount', `${value.toString()} has more than ${places} decimals`);
  }
  const text = rounded.abs().toString();
  const [integerPart = '0', fraction = ''] = text.split('.');
  const sign = rounded.isNegative() && !rounded.isZero() ? '-' : '';
  return places === 0 ? `${sign}${integerPart}` : `${sign}${integerPart}.${fraction.padEnd(places, '0')}`;
}

/**
 * An exact amount in one currency. Immutable. Built from strings only; arithmetic refuses to mix
 * currencies.
 */
export class Money {
  private constructor(
    readonly value: Decimal,
    readonly currency: CurrencyCode,
  ) {}

  /**
   * Parses an amount the wire can carry: positive, at most the currency's minor units (two for every
   * currency tolem pays in). `field` names the input in the error.
   */
  static parse(amount: unknown, currency: unknown, field = 'amount', rules: DecimalRules = {}): Money {
    const code = parseCurrency(currency, field === 'amount' ? 'currency' : `${field}.currency`);
    const value = parseDecimal(amount, field, { maxDecimals: currencyMinorUnits(code), ...rules });
    return new Money(value, code);
  }

  /** Wraps an exact decimal that may carry more than cents (an OrderAmount, a quote). */
  static exact(amount: string, currency: unknown, field = 'amount'): Money {
    return new Money(parseDecimal(amount, field, { allowZero: true }), parseCurrency(currency));
  }

  static zero(currency: CurrencyCode): Money {
    return new Money(new Dec(0), parseCurrency(currency));
  }

  /** Sums exactly; an empty list sums to zero in `currency`. */
  static sum(items: readonly Money[], currency: CurrencyCode): Money {
    if (!Array.isArray(items)) throw new ValidationError('items', 'an array of Money is required');
    return items.reduce((total, item) => total.plus(item), Money.zero(currency));
  }

  plus(other: Money): Money {
    this.#sameCurrency(other);
    return new Money(this.value.plus(other.value), this.currency);
  }

  minus(other: Money): Money {
    this.#sameCurrency(other);
    return new Money(this.value.minus(other.value), this.currency);
  }

  /** Rounds up to the currency's minor unit: what a voucher must be paid with (protocol §3.8). */
  roundUp(): Money {
    return new Money(
      this.value.toDecimalPlaces(currencyMinorUnits(this.currency), Decimal.ROUND_UP),
      this.currency,
    );
  }

  equals(other: Money): boolean {
    assertMoney(other);
    return this.currency === other.currency && this.value.equals(other.value);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.#sameCurrency(other);
    return this.value.comparedTo(other.value) as -1 | 0 | 1;
  }

  isZero(): boolean {
    return this.value.isZero();
  }

  /** Whether the amount has more decimals than the currency's minor unit. */
  hasSubMinorDigits(): boolean {
    return this.value.decimalPlaces() > currencyMinorUnits(this.currency);
  }

  /** "180.00": exactly the currency's minor units; throws rather than silently dropping digits. */
  format(): string {
    return formatDecimal(this.value, currencyMinorUnits(this.currency));
  }

  /** The exact value as a plain decimal string, all digits kept ("238345.4409"). */
  toString(): string {
    return this.value.toString();
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.toString(), currency: this.currency };
  }

  #sameCurrency(other: Money): void {
    assertMoney(other);
    if (other.currency !== this.currency) {
      throw new ValidationError('currency', `cannot combine ${this.currency} with ${other.currency}`);
    }
  }
}

/** Arithmetic takes a Money, never a string or a number: a TypeError deep inside would name nothing. */
function assertMoney(value: unknown): asserts value is Money {
  // Duck-typed, so a Money from another copy of @tolem/core still works.
  const money = value as Partial<Money> | null | undefined;
  if (typeof money?.currency !== 'string' || typeof money.value?.plus !== 'function') {
    throw new ValidationError('other', `a Money is required, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${value} (pass amounts as strings)`;
  if (value === null) return 'null';
  return typeof value;
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
