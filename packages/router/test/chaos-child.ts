/**
 * A router in its own process for the chaos test: it pays `chaos-0`, `chaos-1`, … with several payments
 * in flight at once, its finalizer running, over a SQLite journal, until the parent kills it with
 * SIGKILL. It prints one line per payment `pay()` answered.
 * Usage: node --import <tsx loader> --conditions=@tolem/source chaos-child.ts <sqlite path> <url a> <url b>
 */
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter } from '../src/index.js';
import { AGENT_ID, AGENT_PASSWORD } from './stack.js';

const [dbPath, urlA, urlB] = process.argv.slice(2);
if (dbPath === undefined || urlA === undefined || urlB === undefined)
  throw new Error('usage: chaos-child <db> <url a> <url b>');

/** Payments in flight at once. */
const CONCURRENCY = 6;
/** Accounts with their own fate at the simulator: most succeed, some decline, some take their time. */
const ACCOUNTS = ['galek10', 'galek10', 'galek10', 'iamkackbip', 'slow-user', 'no-such-user', 'late-failure'];

const provider = (id: string, baseUrl: string) =>
  createVectrafinProvider({ id, baseUrl, agentId: AGENT_ID, password: AGENT_PASSWORD, timeoutMs: 800 });

const router = createRouter({
  providers: [provider('vf-a', urlA), provider('vf-b', urlB)],
  routes: {
    steam: [
      { provider: 'vf-a', serviceId: '7' },
      { provider: 'vf-b', serviceId: '7' },
    ],
  },
  journal: createSqliteJournal({ path: dbPath, busyTimeoutMs: 30_000 }),
  instanceId: 'chaos-child',
  breaker: { volumeThreshold: 100_000 },
  finalizer: {
    firstDelayMs: 150,
    growth: 1.5,
    maxDelayMs: 800,
    pollIntervalMs: 50,
    inFlightMs: 2_000,
    leaseMs: 5_000,
  },
  onError: () => {},
});
await router.start();

let next = 0;
async function worker(): Promise<void> {
  for (;;) {
    const n = next++;
    const paymentId = `chaos-${n}`;
    const account = ACCOUNTS[n % ACCOUNTS.length]!;
    const view = await router.pay({
      paymentId,
      service: 'steam',
      account,
      amount: '150.00',
      currency: 'KZT',
    });
    process.stdout.write(`${paymentId} ${view.state}\n`);
  }
}
for (let i = 0; i < CONCURRENCY; i++) void worker();
process.stdout.write('started\n');
