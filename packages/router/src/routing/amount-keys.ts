import { Dec } from '@tolem/core';

/*
 * Exact integer keys for the comparisons routing makes on every payment. A payment's amount has at most
 * two decimals (core's amountSchema), so it is an exact number of hundredths; a bound with more
 * decimals is rounded the one way that keeps each comparison exact for such amounts:
 *
 *   amount < min   ⇔  hundredths(amount) < ceil(min × 100)
 *   amount > max   ⇔  hundredths(amount) > floor(max × 100)
 *
 * so the ranking compares bigints (no decimal.js call, which copies its argument on every comparison)
 * and never a float.
 */

/** A plain decimal string with at most two decimals ("500", "500.5", "500.00") as hundredths. */
export function hundredths(amount: string): bigint {
  const negative = amount.startsWith('-');
  const text = negative ? amount.slice(1) : amount;
  const dot = text.indexOf('.');
  const whole = dot === -1 ? text : text.slice(0, dot);
  const fraction = dot === -1 ? '' : text.slice(dot + 1);
  if (fraction.length > 2 || !/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) {
    throw new RangeError(`not an amount of at most two decimals: ${JSON.stringify(amount)}`);
  }
  const value = BigInt(whole + fraction.padEnd(2, '0'));
  return negative ? -value : value;
}

/** The largest number of hundredths not above `value`. */
export function floorHundredths(value: Dec): bigint {
  return BigInt(value.times(100).toDecimalPlaces(0, Dec.ROUND_FLOOR).toFixed(0));
}

/** The smallest number of hundredths not below `value`. */
export function ceilHundredths(value: Dec): bigint {
  return BigInt(value.times(100).toDecimalPlaces(0, Dec.ROUND_CEIL).toFixed(0));
}

/**
 * A fee or rate (a percentage) as an integer at 10^12, for ordering `cheapest` routes: exact up to
 * twelve decimals, and two rates that differ only beyond that rank as equal.
 */
export function rateKey(value: Dec): bigint {
  return BigInt(value.times(1e12).toDecimalPlaces(0, Dec.ROUND_HALF_UP).toFixed(0));
}
