import {
  type BalanceResult,
  createMemoryJournal,
  type PaymentJournal,
  type PaymentProvider,
} from '@tolem/core';
import { type BreakerState, RouterEventBus } from '@tolem/router';
import type { InstrumentableRouter } from '../src/instrument-router.js';

/** The surface the metrics bridge reads, with breaker states a test can set. */
export interface FakeRouter extends InstrumentableRouter {
  readonly events: RouterEventBus;
  breakers: Map<string, BreakerState>;
}

export function fakeRouter(
  providers: PaymentProvider[],
  journal: PaymentJournal = createMemoryJournal(),
): FakeRouter {
  const breakers = new Map<string, BreakerState>();
  return {
    events: new RouterEventBus(),
    journal,
    providers: new Map(providers.map((provider) => [provider.id, provider])),
    breakers,
    breakerState: (id: string) => breakers.get(id) ?? 'closed',
  };
}

/** A balance answer as the provider port returns it. */
export function balanceResult(
  balances: { currency: string; balance: string; overdraft: string }[],
): BalanceResult {
  return { state: 'succeeded', final: true, reason: null, providerStatus: null, message: null, balances };
}
