import { describe, expect, it } from 'vitest';
import { ConfigError, TolemError, ValidationError } from './errors.js';
import { createMemoryJournal } from './memory-journal.js';
import { Money } from './money.js';
import { parseCallOptions } from './validation.js';

/**
 * Hostile values at core's public entry points: each one is refused with a typed error naming the
 * field — never a TypeError from deep inside, never a silent default.
 */

function thrown(run: () => unknown): TolemError {
  try {
    run();
  } catch (error) {
    if (TolemError.isTolemError(error)) return error;
    throw new Error(`expected a tolem error, got ${String(error)}`);
  }
  throw new Error('expected an error, got none');
}

const fieldOf = (error: TolemError) => (error as ValidationError | ConfigError).field;
const one = () => Money.parse('1.00', 'KZT');

describe('Money refuses hostile values, naming the field', () => {
  it.each<[string, () => unknown, string]>([
    ['undefined amount', () => Money.parse(undefined, 'KZT'), 'amount'],
    ['null amount', () => Money.parse(null, 'KZT'), 'amount'],
    ['a number amount', () => Money.parse(100, 'KZT'), 'amount'],
    ['an exponent', () => Money.parse('1e3', 'KZT'), 'amount'],
    ['three decimals', () => Money.parse('10.001', 'KZT'), 'amount'],
    ['a negative amount', () => Money.parse('-5', 'KZT'), 'amount'],
    ['an empty amount', () => Money.parse('', 'KZT'), 'amount'],
    ['NaN', () => Money.parse('NaN', 'KZT'), 'amount'],
    ['NaN as a number', () => Money.parse(Number.NaN, 'KZT'), 'amount'],
    ['16 integer digits', () => Money.parse('1234567890123456', 'KZT'), 'amount'],
    ['an unknown currency', () => Money.parse('1.00', 'XTS'), 'currency'],
    ['a lower-case currency', () => Money.parse('1.00', 'kzt'), 'currency'],
    ['a missing currency', () => Money.parse('1.00', undefined), 'currency'],
    ['a number currency', () => Money.parse('1.00', 398), 'currency'],
    ['exact(number)', () => Money.exact(5 as unknown as string, 'KZT'), 'amount'],
    ['zero(unknown)', () => Money.zero('XTS' as never), 'currency'],
    ['sum(null)', () => Money.sum(null as never, 'KZT'), 'items'],
    ['plus(null)', () => one().plus(null as never), 'other'],
    ['minus(a string)', () => one().minus('1.00' as never), 'other'],
    ['compare(a number)', () => one().compare(5 as never), 'other'],
    ['equals(undefined)', () => one().equals(undefined as never), 'other'],
    ['plus(another currency)', () => one().plus(Money.parse('1.00', 'USD')), 'currency'],
  ])('%s → ValidationError on %s', (_label, run, field) => {
    const error = thrown(run);
    expect(ValidationError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
  });
});

describe('createMemoryJournal refuses hostile options', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'options'],
    ['a number', 5, 'options'],
    ['a clock that is a number', { clock: 5 }, 'clock'],
    ['a clock without now()', { clock: {} }, 'clock'],
    ['a null clock', { clock: null }, 'clock'],
    ['a misspelt option', { clok: { now: () => new Date() } }, 'clok'],
  ])('%s → ConfigError naming %s', (_label, options, field) => {
    const error = thrown(() => createMemoryJournal(options as never));
    expect(ConfigError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
  });

  it('still takes no options, or a clock', async () => {
    const at = new Date('2025-03-01T00:00:00Z');
    const journal = createMemoryJournal({ clock: { now: () => at } });
    expect(await createMemoryJournal().get('none')).toBeNull();
    await journal.close();
  });
});

describe('parseCallOptions refuses hostile per-call options', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'options'],
    ['a number', 5, 'options'],
    ['a string', 'fast', 'options'],
    ['a signal that is a number', { signal: 5 }, 'signal'],
    ['a signal that is a controller', { signal: new AbortController() }, 'signal'],
    ['a negative timeout', { timeoutMs: -5 }, 'timeoutMs'],
    ['a zero timeout', { timeoutMs: 0 }, 'timeoutMs'],
    ['a NaN timeout', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['a string timeout', { timeoutMs: '1e3' }, 'timeoutMs'],
    ['a fractional timeout', { timeoutMs: 1.5 }, 'timeoutMs'],
    ['a timeout setTimeout cannot wait', { timeoutMs: 3e9 }, 'timeoutMs'],
    ['an onDispatch that is not a function', { onDispatch: 'now' }, 'onDispatch'],
  ])('%s → ValidationError naming %s', (_label, options, field) => {
    const error = thrown(() => parseCallOptions(options));
    expect(ValidationError.is(error)).toBe(true);
    expect(fieldOf(error)).toBe(field);
  });

  it('passes good options through', () => {
    const signal = new AbortController().signal;
    expect(parseCallOptions(undefined)).toEqual({});
    expect(parseCallOptions({ signal, timeoutMs: 5_000 })).toEqual({ signal, timeoutMs: 5_000 });
    const onDispatch = () => undefined;
    expect(parseCallOptions({ onDispatch })).toEqual({ onDispatch });
  });
});
