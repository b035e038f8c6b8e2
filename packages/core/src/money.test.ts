import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from './errors.js';
import { Dec, formatDecimal, Money, parseDecimal } from './money.js';

function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (ValidationError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseDecimal', () => {
  it.each(['180', '180.5', '180.00', '0.01', '999999999999999.99'])(
    'accepts the plain decimal %s',
    (text) => {
      expect(parseDecimal(text, 'amount').toString()).toBe(new Dec(text).toString());
    },
  );

  it.each([
    ['1e3', 'exponent'],
    ['-5', 'negative'],
    ['', 'empty'],
    [' 5', 'leading space'],
    ['5 ', 'trailing space'],
    ['1,5', 'comma separator'],
    ['1 000.00', 'thousands separator'],
    ['+5', 'plus sign'],
    ['.5', 'no integer part'],
    ['5.', 'no fraction digits'],
    ['05', 'leading zero'],
    ['0x10', 'hex'],
    ['Infinity', 'infinity'],
    ['NaN', 'NaN text'],
    ['0', 'zero'],
    ['0.00', 'zero with decimals'],
    ['-0', 'negative zero'],
  ])('rejects %j (%s) naming the field', (text) => {
    const error = validationError(() => parseDecimal(text, 'amount'));
    expect(error.field).toBe('amount');
    expect(error.code).toBe('TOLEM_VALIDATION');
  });

  it.each<[unknown, string]>([
    [180, 'number'],
    [Number.NaN, 'NaN'],
    [null, 'null'],
    [undefined, 'undefined'],
    [180n, 'bigint'],
  ])('refuses the non-string %s (%s): a float has already lost the cents', (value) => {
    const error = validationError(() => parseDecimal(value, 'amount'));
    expect(error.rule).toMatch(/decimal string is required/);
  });

  it('refuses more decimals than the rule allows, and names the field given', () => {
    const error = validationError(() => parseDecimal('10.001', 'services.2.amount', { maxDecimals: 2 }));
    expect(error.field).toBe('services.2.amount');
    expect(error.rule).toMatch(/at most 2 decimals/);
    expect(parseDecimal('10.001', 'x').toString()).toBe('10.001');
  });

  it('accepts zero and negatives only when asked', () => {
    expect(parseDecimal('0', 'rate', { allowZero: true }).isZero()).toBe(true);
    expect(parseDecimal('-12.5', 'debtSum', { allowNegative: true }).toString()).toBe('-12.5');
  });

  it('refuses more than 15 integer digits by default', () => {
    expect(() => parseDecimal('1234567890123456', 'amount')).toThrow(/integer digits/);
    expect(parseDecimal('123456789012345', 'amount').toString()).toBe('123456789012345');
  });
});

describe('formatDecimal', () => {
  it('pads to the places asked and never drops non-zero digits', () => {
    expect(formatDecimal(new Dec('180'))).toBe('180.00');
    expect(formatDecimal(new Dec('180.5'))).toBe('180.50');
    expect(formatDecimal(new Dec('-12.5'))).toBe('-12.50');
    expect(formatDecimal(new Dec('7'), 0)).toBe('7');
    expect(() => formatDecimal(new Dec('180.001'))).toThrow(ValidationError);
  });
});

describe('Money', () => {
  it('parses from strings only, in a known currency', () => {
    expect(Money.parse('180', 'KZT').format()).toBe('180.00');
    expect(() => Money.parse(180, 'KZT')).toThrow(ValidationError);
    expect(validationError(() => Money.parse('180', 'XYZ')).field).toBe('currency');
    expect(validationError(() => Money.parse('180', 'kzt')).field).toBe('currency');
  });

  it.each(['1e3', '10.001', '-5', '', ' 5', '1,5', 'NaN'])('rejects %j as an amount', (text) => {
    expect(validationError(() => Money.parse(text, 'KZT')).field).toBe('amount');
  });

  it('rejects a NaN number', () => {
    expect(validationError(() => Money.parse(Number.NaN, 'KZT')).field).toBe('amount');
  });

  it('formats with exactly two decimals', () => {
    expect(Money.parse('180.00', 'KZT').format()).toBe('180.00');
    expect(Money.parse('0.5', 'USD').format()).toBe('0.50');
    expect(Money.parse('100000000', 'RUB').format()).toBe('100000000.00');
  });

  it('rounds voucher prices up to cents (protocol §3.8)', () => {
    expect(Money.exact('238345.4409', 'KZT').roundUp().format()).toBe('238345.45');
    expect(Money.exact('5333.4471', 'KZT').roundUp().format()).toBe('5333.45');
    expect(Money.exact('4630.000029632', 'KZT').roundUp().format()).toBe('4630.01');
    expect(Money.exact('180.10', 'KZT').roundUp().format()).toBe('180.10');
  });

  it('keeps every digit of an exact amount and refuses to format it silently', () => {
    const price = Money.exact('238345.4409', 'KZT');
    expect(price.toString()).toBe('238345.4409');
    expect(price.hasSubMinorDigits()).toBe(true);
    expect(() => price.format()).toThrow(ValidationError);
  });

  it('sums exactly where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const total = Money.sum([Money.parse('0.10', 'KZT'), Money.parse('0.20', 'KZT')], 'KZT');
    expect(total.format()).toBe('0.30');
    expect(total.equals(Money.parse('0.3', 'KZT'))).toBe(true);
    const lines = ['250000.00', '200000.00', '50000.67'].map((a) => Money.parse(a, 'KZT'));
    // protocol §6 prints this total as 500254.67: the spec's own sample does not add up.
    expect(Money.sum(lines, 'KZT').format()).toBe('500000.67');
    const many = Array.from({ length: 1000 }, () => Money.parse('0.01', 'KZT'));
    expect(Money.sum(many, 'KZT').format()).toBe('10.00');
    expect(Money.sum([], 'USD').format()).toBe('0.00');
    expect(Money.parse('999999999999999.99', 'KZT').plus(Money.parse('0.01', 'KZT')).toString()).toBe(
      '1000000000000000',
    );
  });

  it('refuses to mix currencies', () => {
    const kzt = Money.parse('1', 'KZT');
    const usd = Money.parse('1', 'USD');
    expect(validationError(() => kzt.plus(usd)).field).toBe('currency');
    expect(() => kzt.minus(usd)).toThrow(ValidationError);
    expect(() => kzt.compare(usd)).toThrow(ValidationError);
    expect(() => Money.sum([kzt, usd], 'KZT')).toThrow(ValidationError);
    expect(kzt.equals(usd)).toBe(false);
  });

  it('compares and subtracts', () => {
    const a = Money.parse('10.00', 'KZT');
    const b = Money.parse('2.50', 'KZT');
    expect(a.compare(b)).toBe(1);
    expect(b.compare(a)).toBe(-1);
    expect(a.compare(Money.parse('10', 'KZT'))).toBe(0);
    expect(a.minus(b).format()).toBe('7.50');
    expect(a.minus(a).isZero()).toBe(true);
  });

  it('serialises to a decimal string, never a number', () => {
    expect(JSON.stringify(Money.exact('238345.4409', 'KZT'))).toBe(
      '{"amount":"238345.4409","currency":"KZT"}',
    );
  });
});

describe('the decimal clone', () => {
  const saved = { precision: Decimal.precision, rounding: Decimal.rounding, toExpPos: Decimal.toExpPos };
  afterEach(() => {
    Decimal.set(saved);
  });

  it('does not follow a global Decimal.set in the host application', () => {
    Decimal.set({ precision: 3, rounding: Decimal.ROUND_DOWN, toExpPos: 2 });
    expect(new Decimal('238345.4409').plus('0.0001').toString()).toBe('2.38e+5'); // the host's config bites
    const price = Money.exact('238345.4409', 'KZT');
    expect(price.roundUp().format()).toBe('238345.45');
    expect(price.plus(Money.exact('0.0001', 'KZT')).toString()).toBe('238345.441');
    expect(Money.sum([Money.parse('123456.78', 'KZT'), Money.parse('0.01', 'KZT')], 'KZT').format()).toBe(
      '123456.79',
    );
    expect(Dec.precision).toBe(50);
  });

  it('starts from decimal.js defaults even when the host changed the global before loading tolem', async () => {
    Decimal.set({ maxE: 3, toExpPos: 2 });
    try {
      vi.resetModules();
      const fresh = await import('./money.js');
      expect(fresh.Dec).not.toBe(Dec);
      expect(fresh.Money.parse('100000', 'KZT').format()).toBe('100000.00');
      expect(fresh.Money.exact('238345.4409', 'KZT').toString()).toBe('238345.4409');
    } finally {
      Decimal.set({ maxE: 9e15 });
    }
  });
});
