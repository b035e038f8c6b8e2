import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConfigError, ValidationError } from './errors.js';
import {
  accountSchema,
  amountSchema,
  clockSchema,
  currencySchema,
  exactDecimalSchema,
  functionSchema,
  integerSchema,
  MAX_TIMEOUT_MS,
  millisecondsSchema,
  parseConfig,
  parseInput,
  paymentIdSchema,
  serviceIdSchema,
  transactionIdSchema,
} from './validation.js';

function fails(run: () => unknown): ValidationError | ConfigError {
  try {
    run();
  } catch (error) {
    if (ValidationError.is(error) || ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a tolem error');
}

const request = z.object({
  transactionId: transactionIdSchema,
  account: accountSchema,
  amount: amountSchema,
  currency: currencySchema,
  serviceId: serviceIdSchema,
});
const good = {
  transactionId: '1100000',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  serviceId: '7',
};

describe('validation schemas', () => {
  it('accept a good request', () => {
    expect(parseInput(request, good)).toEqual(good);
  });

  it.each(['1', '9', '123456789012345', '999999999999999'])('accept the transaction id %s', (id) => {
    expect(parseInput(transactionIdSchema, id, 'transactionId')).toBe(id);
  });

  it.each([
    ['1234567890123456', 'sixteen digits'],
    ['', 'empty'],
    ['0', 'zero'],
    ['012', 'leading zero'],
    ['12a', 'letters'],
    ['-5', 'negative'],
    ['1.5', 'decimal'],
    [' 12', 'space'],
  ])('reject the transaction id %j (%s) naming the field', (id) => {
    const error = fails(() => parseInput(request, { ...good, transactionId: id }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('transactionId');
  });

  it('reject a transaction id passed as a number', () => {
    expect(fails(() => parseInput(request, { ...good, transactionId: 1100000 })).field).toBe('transactionId');
  });

  it('accept an account of 200 characters and reject 201 (protocol §2)', () => {
    expect(parseInput(accountSchema, 'a'.repeat(200))).toHaveLength(200);
    const error = fails(() => parseInput(request, { ...good, account: 'a'.repeat(201) }));
    expect(error.field).toBe('account');
    expect(error.rule).toMatch(/200/);
    expect(fails(() => parseInput(request, { ...good, account: '' })).field).toBe('account');
    expect(fails(() => parseInput(request, { ...good, account: 'a\nb' })).field).toBe('account');
  });

  it.each(['1e3', '10.001', '-5', '', ' 5', '1,5', '0', 'NaN'])('reject the amount %j', (amount) => {
    const error = fails(() => parseInput(request, { ...good, amount }));
    expect(error.field).toBe('amount');
  });

  it('reject a number or NaN amount', () => {
    expect(fails(() => parseInput(request, { ...good, amount: 100 })).field).toBe('amount');
    expect(fails(() => parseInput(request, { ...good, amount: Number.NaN })).field).toBe('amount');
  });

  it('reject an unknown currency, listing the known ones', () => {
    const error = fails(() => parseInput(request, { ...good, currency: 'XTS' }));
    expect(error.field).toBe('currency');
    expect(error.rule).toMatch(/unknown currency "XTS".*KZT/);
  });

  it('say "is required" for a missing field, and prefix the path', () => {
    const { amount: _omit, ...rest } = good;
    const error = fails(() => parseInput(request, rest, 'request'));
    expect(error.field).toBe('request.amount');
    expect(error.rule).toBe('is required');
  });

  it('say "is required" only when the field is absent, not when it has the wrong type', () => {
    const number = fails(() => parseInput(request, { ...good, amount: 100 }));
    expect(number.field).toBe('amount');
    expect(number.rule).not.toBe('is required');
    expect(number.rule).toMatch(/string/);
    expect(fails(() => parseInput(request, { ...good, amount: null })).rule).toBe('is required');
  });

  it('name a misspelt option of a strict schema as the field, not "input"', () => {
    const options = z.object({ timeoutMs: z.number().optional() }).strict();
    const error = fails(() => parseConfig(options, { timeoutMS: 5 }, 'vectrafin'));
    expect(error.field).toBe('vectrafin.timeoutMS');
    expect(error.rule).toMatch(/unknown option/);
  });

  it('exact decimals keep all digits and allow zero', () => {
    expect(parseInput(exactDecimalSchema, '238345.4409')).toBe('238345.4409');
    expect(parseInput(exactDecimalSchema, '0')).toBe('0');
    expect(() => parseInput(exactDecimalSchema, '1e3', 'rate')).toThrow(ValidationError);
  });

  it('payment ids are printable ASCII without spaces, 1–128 characters', () => {
    expect(parseInput(paymentIdSchema, 'order-42')).toBe('order-42');
    expect(() => parseInput(paymentIdSchema, 'order 42')).toThrow(ValidationError);
    expect(() => parseInput(paymentIdSchema, 'x'.repeat(129))).toThrow(ValidationError);
    expect(() => parseInput(paymentIdSchema, '')).toThrow(ValidationError);
  });

  it('parseConfig throws ConfigError naming the option', () => {
    const options = z.object({ baseUrl: z.string().url(), timeoutMs: z.number().int().positive() });
    const error = fails(() =>
      parseConfig(options, { baseUrl: 'https://x.test', timeoutMs: -1 }, 'vectrafin'),
    );
    expect(ConfigError.is(error)).toBe(true);
    expect((error as ConfigError).option).toBe('vectrafin.timeoutMs');
    expect(error.field).toBe('vectrafin.timeoutMs');
  });

  it('parseConfig names the options object itself "options" when it is missing or not an object', () => {
    const options = z.object({ path: z.string() }).strict();
    for (const value of [undefined, null, 5, 'x', []]) {
      const error = fails(() => parseConfig(options, value));
      expect(ConfigError.is(error), String(value)).toBe(true);
      expect(error.field, String(value)).toBe('options');
    }
    // parseInput keeps its own name for a whole input.
    expect(fails(() => parseInput(options, null)).field).toBe('input');
  });
});

describe('shared option schemas', () => {
  const options = z
    .object({
      clock: clockSchema.optional(),
      intervalMs: millisecondsSchema().optional(),
      graceMs: millisecondsSchema(0).optional(),
      onError: functionSchema<() => void>().optional(),
    })
    .strict();
  const field = (value: unknown) => fails(() => parseConfig(options, value)).field;

  it('take what they describe', () => {
    const clock = { now: () => new Date(0) };
    const onError = () => {};
    expect(parseConfig(options, { clock, intervalMs: MAX_TIMEOUT_MS, graceMs: 0, onError })).toEqual({
      clock,
      intervalMs: MAX_TIMEOUT_MS,
      graceMs: 0,
      onError,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a clock without now()', { clock: {} }, 'clock'],
    ['a null clock', { clock: null }, 'clock'],
    ['zero milliseconds where at least 1 is needed', { intervalMs: 0 }, 'intervalMs'],
    ['a fractional interval', { intervalMs: 1.5 }, 'intervalMs'],
    ['an interval setTimeout cannot wait', { intervalMs: MAX_TIMEOUT_MS + 1 }, 'intervalMs'],
    ['NaN milliseconds', { graceMs: Number.NaN }, 'graceMs'],
    ['negative milliseconds', { graceMs: -1 }, 'graceMs'],
    ['milliseconds as a string', { graceMs: '5' }, 'graceMs'],
    ['a callback that is a string', { onError: 'log' }, 'onError'],
  ])('refuse %s, naming the option', (_label, value, name) => {
    expect(field(value)).toBe(name);
  });

  it('integerSchema: whole numbers in range, one rule for every way to miss it', () => {
    const size = z.object({ poolSize: integerSchema(1, 1000) });
    expect(parseConfig(size, { poolSize: 1000 })).toEqual({ poolSize: 1000 });
    for (const poolSize of [0, 1001, 2.5, Number.NaN, '5', Number.POSITIVE_INFINITY]) {
      const error = fails(() => parseConfig(size, { poolSize }));
      expect([error.field, error.rule]).toEqual(['poolSize', 'an integer from 1 to 1000']);
    }
  });

  it('say what a millisecond option takes', () => {
    expect(fails(() => parseConfig(options, { intervalMs: 0 })).rule).toBe(
      `an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    );
  });
});
