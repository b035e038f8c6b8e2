import { ValidationError } from './errors.js';

/**
 * Currency codes tolem accepts: a closed set of ISO 4217 codes with their minor units. A provider that
 * settles in another currency extends it once, at module load, with `registerCurrency`.
 */
const minorUnits = new Map<string, number>([
  ['KZT', 2],
  ['RUB', 2],
  ['USD', 2],
  ['EUR', 2],
  ['KGS', 2],
  ['UZS', 2],
  ['BYN', 2],
  ['AMD', 2],
  ['AZN', 2],
  ['GEL', 2],
  ['TJS', 2],
  ['CNY', 2],
]);

export type CurrencyCode = string;

export function registerCurrency(code: string, units = 2): void {
  if (!/^[A-Z]{3}$/.test(code)) throw new ValidationError('currency', 'three upper-case letters (ISO 4217)');
  if (!Number.isInteger(units) || units < 0 || units > 4)
    throw new ValidationError('units', 'an integer 0..4');
  const existing = minorUnits.get(code);
  // Changing the minor units of a known code would silently change what every amount in it may carry.
  if (existing !== undefined && existing !== units) {
    throw new ValidationError('units', `${code} is already registered with ${existing} minor units`);
  }
  minorUnits.set(code, units);
}

export function isCurrency(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && minorUnits.has(code);
}

export function currencyMinorUnits(code: CurrencyCode): number {
  const units = minorUnits.get(code);
  if (units === undefined) throw new ValidationError('currency', `unknown currency ${JSON.stringify(code)}`);
  return units;
}

/** Validates a currency code, naming `field` when it is not one tolem knows. */
export function parseCurrency(value: unknown, field = 'currency'): CurrencyCode {
  if (typeof value !== 'string' || value === '')
    throw new ValidationError(field, 'a currency code is required');
  if (!minorUnits.has(value)) {
    throw new ValidationError(
      field,
      `unknown currency ${JSON.stringify(value)} (known: ${knownCurrencies().join(', ')})`,
    );
  }
  return value;
}

export function knownCurrencies(): string[] {
  return [...minorUnits.keys()].sort();
}
