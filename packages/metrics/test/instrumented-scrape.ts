import { createMemoryJournal } from '@tolem/core';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type PaymentView } from '@tolem/router';
import { callbackBody, startSimulator } from '@tolem/vectrafin-simulator';
import { Registry } from 'prom-client';
import { instrumentRouter } from '../src/instrument-router.js';

/** Agent passwords used against the simulator: none may ever appear in a scrape. */
export const PASSWORDS = ['metrics-e2e-Secret-7001', 'metrics-e2e-Secret-7002', 'wrong-password-on-purpose'];

export interface InstrumentedScrape {
  /** The Prometheus text of a real scrape, taken while the router was still running. */
  text: string;
  /** Everything that must never be a label value. */
  accounts: string[];
  amounts: string[];
  paymentIds: string[];
  transactionIds: string[];
}

/**
 * Runs a router with three VectraFin providers against the simulator through a realistic shift —
 * checks, payments succeeded, declined, failed over, recovered by the finalizer after a lost answer,
 * callbacks, a breaker opening, a provider refusing credentials, a balance poll — and scrapes it.
 */
export async function instrumentedScrape(): Promise<InstrumentedScrape> {
  const [passwordA = '', passwordB = '', wrongPassword = ''] = PASSWORDS;
  const simulator = await startSimulator({
    seed: 'metrics-e2e',
    includeDemoAgent: false,
    agents: [
      {
        agentId: '7001',
        password: passwordA,
        balances: { KZT: '5000000.00', USD: '2500.00' },
        overdraft: { KZT: '250000.00' },
      },
      { agentId: '7002', password: passwordB, balances: { KZT: '800000.00' } },
    ],
  });
  const vfA = createVectrafinProvider({
    id: 'vf-a',
    baseUrl: simulator.url,
    agentId: '7001',
    password: passwordA,
    timeoutMs: 5_000,
  });
  const vfB = createVectrafinProvider({
    id: 'vf-b',
    baseUrl: simulator.url,
    agentId: '7002',
    password: passwordB,
    timeoutMs: 5_000,
  });
  const locked = createVectrafinProvider({
    id: 'vf-locked',
    baseUrl: simulator.url,
    agentId: '7001',
    password: wrongPassword,
    timeoutMs: 5_000,
  });
  const router = createRouter({
    providers: [vfA, vfB, locked],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
      'steam-b-first': [
        { provider: 'vf-b', serviceId: '7' },
        { provider: 'vf-a', serviceId: '7' },
      ],
      'steam-locked': [{ provider: 'vf-locked', serviceId: '7' }],
    },
    journal: createMemoryJournal(),
    breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeout: 600_000 },
    finalizer: { firstDelayMs: 50, maxDelayMs: 200, jitter: 0, pollIntervalMs: 20 },
    // No sendType 'api' vouchers in this traffic: no start-up warning about their keys.
    vouchers: false,
  });
  const registry = new Registry();
  const instrumentation = instrumentRouter(router, { registry, balance: { intervalMs: 600_000 } });
  const views: PaymentView[] = [];
  const accounts = ['galek10', 'no-such-user', 'technical-failure', 'iamkackbip', 'slow-user'];
  const amounts = ['100.00', '150.00', '175.50', '2000.00'];
  try {
    await router.start();
    const check = { service: 'steam', amount: '100.00', currency: 'KZT' };
    await router.checkAccount({ ...check, account: 'galek10' });
    await router.checkAccount({ ...check, account: 'no-such-user' });
    await router.checkAccount({ ...check, service: 'steam-locked', account: 'galek10' });

    const pay = (paymentId: string, account: string, amount: string) =>
      router.pay({ paymentId, service: 'steam', account, amount, currency: 'KZT' });
    views.push(await pay('order-e2e-1', 'galek10', '100.00'));
    views.push(await pay('order-e2e-2', 'no-such-user', '150.00'));
    views.push(await pay('order-e2e-3', 'technical-failure', '175.50'));
    // The answer is lost after the provider credited: unknown now, the finalizer settles it.
    simulator.faults.add({
      requestType: 'Payment',
      account: 'iamkackbip',
      times: 1,
      fault: { kind: 'drop-after' },
    });
    views.push(await pay('order-e2e-4', 'iamkackbip', '2000.00'));
    views.push(await pay('order-e2e-5', 'slow-user', '100.00'));
    for (const id of ['order-e2e-4', 'order-e2e-5'])
      views.push(await router.waitForFinal(id, { timeoutMs: 20_000 }));

    const first = views[0];
    if (first?.transactionId) {
      const notice = { transactionId: first.transactionId, providerRequestId: '1', status: 10 };
      await router.handleCallback('vf-a', callbackBody(notice));
      await router.handleCallback('vf-a', callbackBody({ ...notice, transactionId: '999999999999' }));
    }
    await router.handleCallback('vf-a', '<html>not a callback</html>');

    // vf-b stops answering AccountCheck: its breaker opens and checks fall through to vf-a.
    simulator.faults.add({
      requestType: 'AccountCheck',
      agentId: '7002',
      fault: { kind: 'http-error', httpStatus: 502 },
    });
    for (let i = 0; i < 4; i += 1) {
      await router.checkAccount({ ...check, service: 'steam-b-first', account: 'galek10' });
    }
    await instrumentation.pollBalances();
    const text = await registry.metrics();
    return {
      text,
      accounts,
      amounts,
      paymentIds: views.map((view) => view.paymentId),
      transactionIds: views.flatMap((view) => view.attempts.map((attempt) => attempt.transactionId)),
    };
  } finally {
    instrumentation.stop();
    await router.stop();
    await simulator.close();
  }
}
