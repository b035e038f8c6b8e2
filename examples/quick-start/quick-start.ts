/**
 * The quick start of architecture §5, runnable: two VectraFin connections routed for Steam top-ups, a
 * SQLite journal, one payment driven to its final state.
 *
 *   cd examples && npx tsx --conditions=@tolem/source quick-start/quick-start.ts
 *
 * Without TOLEM_VECTRAFIN_URL it starts the VectraFin sandbox simulator with two agents (one per
 * connection: each connection needs its own transaction-id space at the provider). With it, set
 * TOLEM_VECTRAFIN_AGENT_ID / _PASSWORD for vf-a and TOLEM_VECTRAFIN_AGENT_ID_B / _PASSWORD_B for vf-b.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type PaymentView } from '@tolem/router';
import { DEMO_AGENT_ID, DEMO_PASSWORD, startSimulator } from '@tolem/vectrafin-simulator';

export interface Connection {
  baseUrl: string;
  a: { agentId: string; password: string };
  b: { agentId: string; password: string };
}

/** The quick start itself: what a user writes. */
export async function quickStart(
  connection: Connection,
  dbPath: string,
  paymentId = 'order-42',
): Promise<PaymentView> {
  const { baseUrl } = connection;
  const vfB = createVectrafinProvider({ id: 'vf-b', baseUrl, ...connection.b });
  const router = createRouter({
    providers: [createVectrafinProvider({ id: 'vf-a', baseUrl, ...connection.a }), vfB],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    journal: createSqliteJournal({ path: dbPath }), // or createMemoryJournal()
    // Steam top-ups carry no voucher codes. Selling sendType 'api' vouchers? Give keys instead:
    // vouchers: { keys: { k1: process.env.TOLEM_VOUCHER_KEY }, current: 'k1' } (router README).
    vouchers: false,
  });
  await router.start(); // finalizer on
  try {
    const r = await router.pay({
      paymentId,
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
    });
    console.log(`paid: ${r.state} at ${r.provider} (transaction ${r.transactionId})`);
    // r: { paymentId, state, final, reason, provider, transactionId, attempts: [...] }
    const done = await router.waitForFinal(paymentId, { timeoutMs: 60_000 });
    return done;
  } finally {
    await router.stop(); // drains, closes providers and the journal
  }
}

/** Runs the quick start against TOLEM_VECTRAFIN_URL, or against a simulator started here. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<PaymentView> {
  const dir = mkdtempSync(join(tmpdir(), 'tolem-quick-start-'));
  const simulator = env.TOLEM_VECTRAFIN_URL
    ? null
    : await startSimulator({
        agents: [{ agentId: '145', password: 'sandbox-b', balances: { KZT: '1000000.00' } }],
      });
  try {
    const connection: Connection = simulator
      ? {
          baseUrl: simulator.url,
          a: { agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD },
          b: { agentId: '145', password: 'sandbox-b' },
        }
      : {
          baseUrl: env.TOLEM_VECTRAFIN_URL ?? '',
          a: { agentId: env.TOLEM_VECTRAFIN_AGENT_ID ?? '', password: env.TOLEM_VECTRAFIN_PASSWORD ?? '' },
          b: {
            agentId: env.TOLEM_VECTRAFIN_AGENT_ID_B ?? '',
            password: env.TOLEM_VECTRAFIN_PASSWORD_B ?? '',
          },
        };
    return await quickStart(connection, join(dir, 'tolem.db'));
  } finally {
    await simulator?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const done = await main();
  console.log(
    JSON.stringify({
      paymentId: done.paymentId,
      state: done.state,
      final: done.final,
      provider: done.provider,
    }),
  );
  process.exitCode = done.state === 'succeeded' ? 0 : 1;
}
