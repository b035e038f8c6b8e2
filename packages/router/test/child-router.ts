/**
 * A router in its own process, for the crash test: it starts the payments given on the command line
 * and never finishes them — the parent kills it with SIGKILL while they are in flight.
 * Usage: tsx --conditions=@tolem/source child-router.ts <sqlite path> <simulator url> <payment id>...
 */
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter } from '../src/index.js';
import { AGENT_ID, AGENT_PASSWORD } from './stack.js';

const [dbPath, url, ...paymentIds] = process.argv.slice(2);
if (dbPath === undefined || url === undefined) throw new Error('usage: child-router <db> <url> <ids...>');

const router = createRouter({
  providers: [
    createVectrafinProvider({
      id: 'vf-a',
      baseUrl: url,
      agentId: AGENT_ID,
      password: AGENT_PASSWORD,
      timeoutMs: 60_000,
    }),
  ],
  routes: { steam: [{ provider: 'vf-a', serviceId: '7' }] },
  journal: createSqliteJournal({ path: dbPath }),
  // How long another router keeps off a payment in flight here: short, so the test need not wait 90 s.
  finalizer: { inFlightMs: 2_000, firstDelayMs: 200 },
});

for (const paymentId of paymentIds) {
  router
    .pay({ paymentId, service: 'steam', account: 'galek10', amount: '150.00', currency: 'KZT' })
    .then((view) => process.stdout.write(`${paymentId} ${view.state}\n`));
}
process.stdout.write('started\n');
