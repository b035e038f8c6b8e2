/**
 * A separate process that works on a journal file, for the crash and multi-process tests. Every line
 * it prints is printed after the write it reports has committed.
 *
 *   write    <path> <prefix>           create, open an attempt, and finalise every third payment, forever
 *   claim    <path> <owner>            claim due payments one batch at a time until none are left
 *   allocate <path> <prefix> <count>   create payments and open an attempt for each
 *
 * claim and allocate print "ready" once the journal is open and start when a line arrives on stdin,
 * so that several children really run at the same time.
 */
import type { PaymentJournal } from '@tolem/core';
import { outcome } from '@tolem/core';
import { createSqliteJournal } from '../src/index.js';

const [mode, path, arg, countText] = process.argv.slice(2);
const journal: PaymentJournal = createSqliteJournal({ path: path!, busyTimeoutMs: 60_000 });
const T0 = new Date('2030-01-01T00:00:00.000Z');

async function create(paymentId: string) {
  const { record } = await journal.create({
    paymentId,
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: T0,
  });
  return journal.openAttempt(paymentId, record.version, { provider: 'vf-a', serviceId: '7' });
}

function startSignal(): Promise<void> {
  process.stdout.write('ready\n');
  return new Promise((resolve) => process.stdin.once('data', () => resolve()));
}

async function main(): Promise<void> {
  if (mode === 'claim' || mode === 'allocate') await startSignal();
  if (mode === 'write') {
    for (let i = 0; ; i++) {
      const paymentId = `${arg}-${i}`;
      let record = await create(paymentId);
      if (i % 3 === 2) {
        record = await journal.transition(paymentId, record.version, {
          payment: outcome('succeeded', null, '10'),
        });
      }
      process.stdout.write(
        `${JSON.stringify({ paymentId, tx: record.attempts[0]!.transactionId, state: record.state })}\n`,
      );
    }
  }
  if (mode === 'claim') {
    for (;;) {
      const claimed = await journal.claimDue({
        now: new Date('2030-01-02T00:00:00Z'),
        owner: arg!,
        leaseMs: 3_600_000,
        limit: 2,
      });
      if (claimed.length === 0) break;
      for (const record of claimed) process.stdout.write(`${record.paymentId}\n`);
    }
  }
  if (mode === 'allocate') {
    for (let i = 0; i < Number(countText); i++) {
      const record = await create(`${arg}-${i}`);
      process.stdout.write(`${record.attempts[0]!.transactionId}\n`);
    }
  }
  await journal.close();
  process.stdin.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
