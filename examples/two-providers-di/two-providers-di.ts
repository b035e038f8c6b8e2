/**
 * Composing two VectraFin connections with inversify: each provider comes from `vectrafinModule`
 * (bound under core's TOKENS.PaymentProvider multi-token), the journal under
 * TOKENS.PaymentJournal, and `routerModule` builds the router from whatever is bound.
 *
 *   cd examples && npx tsx --conditions=@tolem/source two-providers-di/two-providers-di.ts
 *
 * It starts the sandbox simulator with two agents (two contracts: each connection needs its own
 * transaction-id space), pays once normally, then makes vf-a answer "impossible for technical
 * reasons" (-115) to show the payment failing over to vf-b.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type PaymentJournal, TOKENS } from '@tolem/core';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { vectrafinModule } from '@tolem/provider-vectrafin';
import { type PaymentView, ROUTER, routerModule } from '@tolem/router';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { Container, ContainerModule } from 'inversify';

export const AGENT_B = { agentId: '145', password: 'sandbox-b' };

/** The container a user builds: two providers, a journal, the router. */
export async function buildContainer(baseUrl: string, dbPath: string): Promise<Container> {
  const container = new Container();
  await container.load(
    vectrafinModule({ id: 'vf-a', baseUrl, agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD }),
    vectrafinModule({ id: 'vf-b', baseUrl, ...AGENT_B }),
    new ContainerModule(({ bind }) => {
      bind<PaymentJournal>(TOKENS.PaymentJournal)
        .toConstantValue(createSqliteJournal({ path: dbPath }))
        .onDeactivation((journal) => journal.close());
    }),
    routerModule({
      routes: {
        steam: [
          { provider: 'vf-a', serviceId: '7' },
          { provider: 'vf-b', serviceId: '7' },
        ],
      },
      failover: { onReasons: ['provider_technical', 'operator_error'] },
      // No sendType 'api' vouchers here; to sell them, give voucher keys (router README, "Voucher codes").
      vouchers: false,
    }),
  );
  return container;
}

export interface Outcome {
  normal: PaymentView;
  failedOver: PaymentView;
}

export async function run(simulator: Simulator, dbPath: string): Promise<Outcome> {
  const container = await buildContainer(simulator.url, dbPath);
  const router = container.get(ROUTER);
  try {
    await router.start();
    const order = { service: 'steam', account: 'galek10', amount: '100.00', currency: 'KZT' };
    const normal = await router.pay({ ...order, paymentId: 'di-order-1' });
    // vf-a has a bad day: its next Payment is declined as "impossible for technical reasons".
    simulator.faults.add({
      agentId: DEMO_AGENT_ID,
      requestType: 'Payment',
      times: 1,
      fault: { kind: 'status', code: -115 },
    });
    const failedOver = await router.pay({ ...order, paymentId: 'di-order-2' });
    return { normal, failedOver };
  } finally {
    await router.stop();
    // The container owns the providers and the journal: unbinding closes them.
    await container.unbindAll();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const simulator = await startSimulator({ agents: [{ ...AGENT_B, balances: { KZT: '1000000.00' } }] });
  const dir = mkdtempSync(join(tmpdir(), 'tolem-di-'));
  try {
    const { normal, failedOver } = await run(simulator, join(dir, 'tolem.db'));
    for (const view of [normal, failedOver]) {
      const path = view.attempts.map((attempt) => `${attempt.provider}:${attempt.state}`).join(' → ');
      console.log(`${view.paymentId}: ${view.state} (${path})`);
    }
  } finally {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
