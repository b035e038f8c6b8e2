import { Dec } from '@tolem/core';
import type { AccountSpec, ServiceSpec } from '../catalogue.js';
import type { SimulatorContext } from '../context.js';

/**
 * The checks AccountCheck and Payment share, in the order the provider applies them. Each returns a
 * ResponseStatus, or null when the check passes.
 */

/** The service's exchange rate for the contract currency; -502 when it has none. */
export function exchangeRate(service: ServiceSpec, currency: string | undefined): string | null {
  if (currency === undefined || !Object.hasOwn(service.rates, currency)) return null;
  return service.rates[currency] ?? null;
}

/** -100 / -105 / the account's own failure, or its spec. */
export function checkAccount(
  ctx: SimulatorContext,
  service: ServiceSpec,
  account: string,
): { status: number } | { spec: AccountSpec } {
  const lookup = ctx.catalogue.lookupAccount(service, account);
  return lookup.found ? { spec: lookup.spec } : { status: lookup.status };
}

/** -201 / -202 against the service's KZT limits (direct top-ups only). */
export function checkLimits(service: ServiceSpec, amount: string, currency: string): number | null {
  if (service.kind !== 'direct' || !service.limits || currency !== 'KZT') return null;
  if (new Dec(amount).lessThan(service.limits.min)) return -201;
  if (new Dec(amount).greaterThan(service.limits.max)) return -202;
  return null;
}

/** A voucher must be paid with its OrderAmount rounded up to cents (protocol §3.8): -201 / -202 otherwise. */
export function checkVoucherAmount(amount: string, orderAmount: string): number | null {
  const due = new Dec(orderAmount).toDecimalPlaces(2, Dec.ROUND_UP);
  const paid = new Dec(amount);
  if (paid.lessThan(due)) return -201;
  if (paid.greaterThan(due)) return -202;
  return null;
}
