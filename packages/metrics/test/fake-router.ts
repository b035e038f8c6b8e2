import {
  type BalanceResult,
  type CallOptions,
  type Capabilities,
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

const unused = (what: string) => () => Promise.reject(new Error(`${what} is not part of this fake`));

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

export interface FakeProviderOptions {
  balance?: boolean;
  getBalance?: (options?: CallOptions) => Promise<BalanceResult>;
}

export function fakeProvider(id: string, options: FakeProviderOptions = {}): PaymentProvider {
  const capabilities: Capabilities = {
    serviceKinds: ['direct'],
    currencies: ['KZT'],
    operations: {
      balance: options.balance ?? options.getBalance !== undefined,
      quote: false,
      listServices: false,
      listPayments: false,
      registry: false,
      dailyTotals: false,
      callbacks: true,
    },
    idempotentResend: true,
    transactionId: { pattern: /^[1-9]\d{0,14}$/, maxLength: 15 },
  };
  return {
    id,
    capabilities,
    checkAccount: unused('checkAccount'),
    pay: unused('pay'),
    getStatus: unused('getStatus'),
    ...(options.getBalance ? { getBalance: options.getBalance } : {}),
    close: async () => {},
  };
}

/** A balance answer as the provider port returns it. */
export function balanceResult(
  balances: { currency: string; balance: string; overdraft: string }[],
): BalanceResult {
  return { state: 'succeeded', final: true, reason: null, providerStatus: null, message: null, balances };
}
