/**
 * The audit trail under chaos (architecture §4.8): a router in its own process pays continuously over a
 * SQLite journal against two simulators that drop, delay and refuse requests, its finalizer running;
 * it is killed with SIGKILL mid-run; another router on the same file takes over and drives every
 * payment to a final state. Then, for every payment, its history must replay — entry by entry, each
 * `before` where the previous one left it — to the payment's current record, and the sends it records
 * must match the Payment requests each simulator received for that transaction id.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type PaymentRecord, replayHistory, replayTarget } from '@tolem/core';
import type { Simulator } from '@tolem/vectrafin-simulator';
import { afterEach, expect, it } from 'vitest';
import { AGENT_ID, AGENT_PASSWORD, type Stack, stack } from './stack.js';

const here = dirname(fileURLToPath(import.meta.url));
// The loader, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would not reach.
const TSX_LOADER = pathToFileURL(resolve(here, '../../../examples/node_modules/tsx/dist/loader.mjs')).href;
/** The child's payments in flight, and its finalizer's batch: at most this many sends were cut by the kill. */
const IN_FLIGHT_AT_KILL = 6 + 15;

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

/** Payment requests a simulator received, by transaction id (faulted ones included: they arrived). */
function paymentsReceived(sim: Simulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of sim.ledger.requests()) {
    if (request.requestType !== 'Payment' || request.transactionId === null) continue;
    counts.set(request.transactionId, (counts.get(request.transactionId) ?? 0) + 1);
  }
  return counts;
}

it('faults, kill -9 and a restart: every change of every payment is in its history, in order', async () => {
  current = await stack({
    a: { seed: 'chaos-a' },
    b: { seed: 'chaos-b' },
    router: {
      instanceId: 'recovery',
      breaker: { volumeThreshold: 100_000 },
      finalizer: { firstDelayMs: 100, growth: 1.5, maxDelayMs: 500, pollIntervalMs: 25, inFlightMs: 2_000 },
    },
  });
  const s = current;
  // The provider's worst day at vf-a; vf-b takes what vf-a declines for technical reasons.
  s.simA.faults.add({ requestType: 'Payment', probability: 0.15, fault: { kind: 'drop-after' } });
  s.simA.faults.add({ requestType: 'Payment', probability: 0.12, fault: { kind: 'drop-before' } });
  s.simA.faults.add({ requestType: 'Payment', probability: 0.1, fault: { kind: 'delay', ms: 1_500 } });
  s.simA.faults.add({ requestType: 'Payment', probability: 0.1, fault: { kind: 'status', code: -115 } });
  s.simA.faults.add({ requestType: 'Payment', probability: 0.05, fault: { kind: 'html', httpStatus: 502 } });
  s.simA.faults.add({ requestType: 'Status', probability: 0.2, fault: { kind: 'drop-before' } });
  s.simA.faults.add({ requestType: 'Status', probability: 0.1, fault: { kind: 'malformed-json' } });

  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      '--conditions=@tolem/source',
      join(here, 'chaos-child.ts'),
      s.dbPath,
      s.simA.url,
      s.simB.url,
    ],
    { cwd: resolve(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit');
  const answered = () => output.split('\n').filter((line) => /^chaos-\d+ /.test(line)).length;
  try {
    await expect.poll(answered, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(60);
  } finally {
    child.kill('SIGKILL');
  }
  const [code, signal] = await exited;
  expect({ code, signal }, output.slice(-2_000)).toEqual({ code: null, signal: 'SIGKILL' });
  const killedWithOpen = (await s.journal.list({ final: false })).length;

  // The provider recovers; another router takes over the journal the killed one left.
  s.simA.faults.clear();
  await s.router.start();
  await expect
    .poll(async () => (await s.journal.list({ final: false })).map((record) => record.paymentId), {
      timeout: 60_000,
      interval: 200,
    })
    .toEqual([]);

  const records: PaymentRecord[] = await s.journal.list();
  expect(records.length).toBeGreaterThanOrEqual(60);
  const received = { 'vf-a': paymentsReceived(s.simA), 'vf-b': paymentsReceived(s.simB) };
  let cutByTheKill = 0;
  const events = new Map<string, number>();
  for (const record of records) {
    const history = await s.journal.history(record.paymentId);
    // Every change, in order: the replay arrives exactly at the record.
    expect(replayHistory(history), record.paymentId).toEqual(replayTarget(record));
    for (const entry of history) {
      events.set(entry.event, (events.get(entry.event) ?? 0) + 1);
      expect(['chaos-child', 'recovery'], record.paymentId).toContain(entry.actor.name);
      expect(['router', 'finalizer', 'callback'], record.paymentId).toContain(entry.actor.kind);
    }
    expect(
      history.map((e) => e.at),
      record.paymentId,
    ).toEqual([...history.map((e) => e.at)].sort());
    for (const attempt of record.attempts) {
      // Sends the history records for the attempt: opened (the first) plus each resend.
      const sends = history.filter(
        (e) =>
          e.attempts.some((c) => c.no === attempt.no && c.before === null) ||
          (e.event === 'resent' && e.attempts.some((c) => c.no === attempt.no)),
      ).length;
      expect(sends, `${record.paymentId} attempt ${attempt.no}`).toBe(attempt.sends);
      const arrived = received[attempt.provider as 'vf-a' | 'vf-b'].get(attempt.transactionId) ?? 0;
      // Written before it left: nothing arrived that the history does not have.
      expect(arrived, `${record.paymentId} attempt ${attempt.no}`).toBeLessThanOrEqual(sends);
      if (arrived < sends) cutByTheKill += 1;
    }
    const credited =
      s.simA.ledger.creditCount(
        record.attempts.find((a) => a.provider === 'vf-a')?.transactionId ?? '-',
        AGENT_ID,
      ) +
      s.simB.ledger.creditCount(
        record.attempts.find((a) => a.provider === 'vf-b')?.transactionId ?? '-',
        AGENT_ID,
      );
    expect(credited, record.paymentId).toBe(record.state === 'succeeded' ? 1 : 0);
  }
  // Only sends the kill cut short were journaled without arriving.
  expect(cutByTheKill).toBeLessThanOrEqual(IN_FLIGHT_AT_KILL);
  // The run did what it is for: faults made resends, checks and failovers, and the killed router left work.
  expect(killedWithOpen).toBeGreaterThan(0);
  for (const event of ['created', 'attempt_opened', 'outcome', 'resent', 'checked']) {
    expect(events.get(event) ?? 0, event).toBeGreaterThan(0);
  }
  expect(
    records.some((r) => r.attempts.length === 2),
    'a failover',
  ).toBe(true);
  const text = JSON.stringify([...records.map((r) => r.paymentId)]);
  expect(text).not.toContain(AGENT_PASSWORD);
}, 180_000);
