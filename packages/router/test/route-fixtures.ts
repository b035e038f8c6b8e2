import { Dec } from '@tolem/core';
import { ceilHundredths, floorHundredths, hundredths, rateKey } from '../src/routing/amount-keys.js';
import { type CompiledRoute, compileRoutes } from '../src/routing/compiled-route.js';
import { type CandidateFacts, OPEN_FACTS, type ProviderFacts } from '../src/routing/provider-facts.js';
import type { RankingRequest, SuccessRatePolicy } from '../src/routing/route-policy.js';
import type { Route } from '../src/types.js';

/** A provider's facts as a test writes them: amounts as decimal strings, limits as [min, max]. */
export interface FactsInput {
  admits?: boolean;
  outOfFunds?: string[];
  /** Currency → what it can still pay. */
  available?: Record<string, string>;
  /** Provider service id → currency → [min, max]. */
  limits?: Record<string, Record<string, [string, string]>>;
  /** Provider service id → the agent's rate. */
  rate?: Record<string, string>;
  successes?: number;
  samples?: number;
  inFlight?: number;
}

export function candidate(input: FactsInput = {}): CandidateFacts {
  const serviceIds = new Set([...Object.keys(input.limits ?? {}), ...Object.keys(input.rate ?? {})]);
  return {
    ...OPEN_FACTS,
    admits: input.admits ?? true,
    outOfFunds: input.outOfFunds === undefined ? null : new Set(input.outOfFunds),
    available:
      input.available === undefined
        ? null
        : new Map(
            Object.entries(input.available).map(([currency, amount]) => [
              currency,
              floorHundredths(new Dec(amount)),
            ]),
          ),
    services:
      serviceIds.size === 0
        ? null
        : new Map(
            [...serviceIds].map((serviceId) => [
              serviceId,
              {
                limits: new Map(
                  Object.entries(input.limits?.[serviceId] ?? {}).map(([currency, [min, max]]) => [
                    currency,
                    { min: ceilHundredths(new Dec(min)), max: floorHundredths(new Dec(max)) },
                  ]),
                ),
                rate: input.rate?.[serviceId] === undefined ? null : rateKey(new Dec(input.rate[serviceId])),
              },
            ]),
          ),
    successes: input.successes ?? 0,
    samples: input.samples ?? 0,
    inFlight: input.inFlight ?? 0,
  };
}

/** Facts for the given providers (each with its input); any other provider is unknown. */
export function factsOf(providers: Record<string, FactsInput>): ProviderFacts {
  const byId = new Map(Object.entries(providers).map(([id, input]) => [id, candidate(input)]));
  return { of: (id) => byId.get(id) };
}

export function compiled(route: Route, name = 'steam'): CompiledRoute {
  const table = compileRoutes({ [name]: route });
  return table.get(name) as CompiledRoute;
}

export function request(
  paymentId: string,
  amount = '100.00',
  extra: Partial<Omit<RankingRequest, 'amount'>> = {},
): RankingRequest {
  return { paymentId, amount: hundredths(amount), currency: 'KZT', account: 'galek10', ...extra };
}

export const SUCCESS_RATE: SuccessRatePolicy = { minSamples: 10, tolerance: 0.05, exploration: 0.05 };
