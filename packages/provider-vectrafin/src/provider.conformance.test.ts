import { runProviderConformance } from '@tolem/core/testing';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { afterAll, beforeAll } from 'vitest';
import { createVectrafinProvider } from './provider.js';

/**
 * Core's provider conformance suite against the VectraFin sandbox: real HTTP over loopback, the
 * simulator's own accounts for success, decline and pending, and its fault injection for the rest.
 */

let simulator: Simulator;
let nextTransactionId = Date.now() * 100;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 'provider-conformance' });
  simulator.catalogue.setAccount('7', 'blank-page', {});
  simulator.catalogue.setAccount('7', 'hanging-user', {});
  // Processed, then answered with an empty page: the payment exists, the agent cannot know.
  simulator.faults.add({ requestType: 'Payment', account: 'blank-page', fault: { kind: 'empty' } });
  simulator.faults.add({
    requestType: 'Payment',
    account: 'hanging-user',
    fault: { kind: 'delay', ms: 120_000, process: false },
  });
});

afterAll(async () => {
  await simulator?.close();
});

const payment = (account: string) => ({ serviceId: '7', account, amount: '100.00', currency: 'KZT' });

runProviderConformance({
  name: 'VectraFin against the simulator',
  createProvider: () =>
    createVectrafinProvider({
      id: 'vectrafin-sim',
      baseUrl: simulator.url,
      agentId: DEMO_AGENT_ID,
      password: DEMO_PASSWORD,
      timeoutMs: 30_000,
    }),
  requestsSeen: () => simulator.ledger.requestCount(),
  secrets: [DEMO_PASSWORD],
  scenarios: {
    succeeded: () => payment('galek10'),
    declined: () => payment('no-such-user'),
    declineReason: 'account_not_found',
    unknown: () => payment('blank-page'),
    pending: () => payment('slow-user'),
    hanging: () => payment('hanging-user'),
    accountCheck: () => ({ ...payment('galek10'), amount: '100' }),
    quote: () => ({ ...payment('galek10'), amount: '10' }),
    paymentListRange: () => ({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) }),
    transactionId: () => String(++nextTransactionId),
  },
});
