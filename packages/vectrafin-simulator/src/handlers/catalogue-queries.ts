import { Dec } from '@tolem/core';
import { type FormFields, readAmount, type SimulatorContext } from '../context.js';
import { dec, int, type JsonValue } from '../json-writer.js';
import { requestError } from '../responses.js';
import { exchangeRate } from './checks.js';

/** GetSettingServices: a bare array, `limits` in lower case (protocol §3.13). */
export function settingServices(ctx: SimulatorContext): JsonValue {
  return ctx.catalogue.list().map((service) => ({
    Id: int(service.id),
    Name: service.name,
    TestAccount: service.testAccount,
    Rate: dec(new Dec(service.rate ?? '0')),
    TopCommission: dec(new Dec(service.topCommission ?? '0')),
    limits: service.limits
      ? [{ MinAmountKZT: dec(new Dec(service.limits.min)), MaxAmountKZT: dec(new Dec(service.limits.max)) }]
      : [],
  }));
}

/**
 * CalculatedSum: what to pay in the contract currency for `Amount` in the service currency, with
 * nine decimals and no status (protocol §3.14): 10 USD at 0.0021598272 → 4630.000029632.
 */
export function calculatedSum(ctx: SimulatorContext, fields: FormFields): JsonValue {
  const service = ctx.catalogue.find(fields.get('Service') ?? '');
  if (!service) return requestError(ctx, 'CalculatedSum', -501, null);
  const expected = readAmount(fields.get('Amount'));
  const currency = fields.get('Currency');
  if (expected === null || currency === undefined || new Dec(expected).isZero()) {
    return requestError(ctx, 'CalculatedSum', -500, null);
  }
  const rate = exchangeRate(service, currency);
  if (rate === null) return requestError(ctx, 'CalculatedSum', -502, null);
  const amount = new Dec(expected).div(rate).toDecimalPlaces(9, Dec.ROUND_HALF_UP);
  return {
    ResponseType: 'CalculatedSum',
    Amount: dec(amount),
    Service: int(service.id),
    Currency: currency,
    ExchangeRate: dec(new Dec(rate)),
    ExpectedAmount: dec(new Dec(expected)),
    ExpectedCurrency: service.serviceCurrency,
  };
}
