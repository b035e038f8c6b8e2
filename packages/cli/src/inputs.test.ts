import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { readAmount, readCurrency, readServiceLines, readTransactionId, readWait } from './inputs.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError && error.exitCode === 2) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('flag values', () => {
  it('keeps an amount as typed and refuses what is not a plain decimal with cents at most', () => {
    expect(readAmount({ amount: '100' })).toBe('100');
    expect(readAmount({ amount: '100.50' })).toBe('100.50');
    expect(usage(() => readAmount({ amount: '1e3' }))).toMatch(/^--amount: /);
    expect(usage(() => readAmount({ amount: '-5' }))).toMatch(/^--amount: /);
    expect(usage(() => readAmount({ amount: '0' }))).toMatch(/^--amount: /);
    expect(usage(() => readAmount({}))).toBe('missing --amount (for example --amount 100.00)');
  });

  it('accepts only the contract currencies, KZT by default', () => {
    expect(readCurrency({})).toBe('KZT');
    expect(readCurrency({ currency: 'RUB' })).toBe('RUB');
    expect(usage(() => readCurrency({ currency: 'EUR' }))).toContain('KZT, USD, RUB');
    expect(usage(() => readCurrency({ currency: 'kzt' }))).toMatch(/^--currency: /);
  });

  it('transaction ids are 1 to 15 digits without a leading zero', () => {
    expect(readTransactionId({ 'transaction-id': '112' }, true)).toBe('112');
    expect(readTransactionId({}, false)).toBeUndefined();
    expect(usage(() => readTransactionId({ 'transaction-id': '0112' }, true))).toMatch(/^--transaction-id: /);
    expect(usage(() => readTransactionId({ 'transaction-id': '1234567890123456' }, true))).toMatch(
      /^--transaction-id: /,
    );
  });

  it('--wait takes whole seconds', () => {
    expect(readWait({})).toBe(0);
    expect(readWait({ wait: '30' })).toBe(30);
    expect(usage(() => readWait({ wait: '1.5' }))).toContain('--wait');
  });
});

describe('--services', () => {
  it('reads invoice lines with amounts kept exactly, numbers or strings, in both shapes', () => {
    expect(
      readServiceLines({ services: '[{"id":13,"amount":"5110.18"},{"serviceId":"14","amount":1975.00}]' }),
    ).toEqual([
      { serviceId: '13', amount: '5110.18' },
      { serviceId: '14', amount: '1975.00' },
    ]);
    expect(readServiceLines({ services: '{"services":[{"id":999,"amount":"28000.00"}]}' })).toEqual([
      { serviceId: '999', amount: '28000.00' },
    ]);
    expect(readServiceLines({})).toBeUndefined();
  });

  it.each([
    ['[1', 'not valid JSON'],
    ['[]', 'non-empty JSON array'],
    ['[{"amount":"1.00"}]', '--services[0].id'],
    ['[{"id":13}]', '--services[0].amount is required'],
    ['[{"id":13,"amount":"1.005"}]', '--services[0].amount'],
  ])('refuses %s', (services, expected) => {
    expect(usage(() => readServiceLines({ services }))).toContain(expected);
  });
});
