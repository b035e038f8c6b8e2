/**
 * Several router instances over one PostgreSQL journal, against the VectraFin simulator over real
 * loopback sockets. The simulator's ledger says what really happened: how many requests arrived and
 * how many times each transaction was credited.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { PaymentJournal } from '@tolem/core';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type Router, type RouterOptions } from '@tolem/router';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PG_BIN, PG_PASSWORD, type PgCluster, startPgCluster } from '../test/pg-cluster.js';
import { createPostgresJournal } from './postgres-journal.js';

const AGENT_ID = '7001';
const AGENT_PASSWORD = 'pw-Zq9-never-print-me';
const TIMEOUT = 120_000;

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
}, 120_000);

/** Everything a test opened, closed after it whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}, 60_000);

let schemas = 0;

async function simulator(): Promise<Simulator> {
  const sim = await startSimulator({
    seed: `pg-${schemas}`,
    includeDemoAgent: false,
    agents: [{ agentId: AGENT_ID, password: AGENT_PASSWORD, balances: { KZT: '1000000.00' } }],
  });
  cleanups.push(() => sim.close());
  return sim;
}

/** A pool of its own per instance: two hosts, as far as PostgreSQL can tell. */
function instancePool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: cluster.connectionString, max: 6 });
  pool.on('error', () => {});
  cleanups.push(() => pool.end());
  return pool;
}

function router(
  sim: Simulator,
  journal: PaymentJournal,
  instanceId: string,
  extra: Partial<RouterOptions> = {},
): Router {
  const instance = createRouter({
    providers: [
      createVectrafinProvider({
        id: 'vf-a',
        baseUrl: sim.url,
        agentId: AGENT_ID,
        password: AGENT_PASSWORD,
        timeoutMs: 1_000,
        connections: 4,
      }),
    ],
    routes: { steam: [{ provider: 'vf-a', serviceId: '7' }] },
    journal,
    instanceId,
    // Short delays: a test waits tens of milliseconds where production waits seconds.
    finalizer: {
      firstDelayMs: 100,
      growth: 1.5,
      maxDelayMs: 500,
      pollIntervalMs: 25,
      inFlightMs: 1_500,
      leaseMs: 2_000,
    },
    onError: () => {},
    ...extra,
  });
  cleanups.push(() => instance.stop());
  return instance;
}

const steam = (paymentId: string, account = 'galek10') => ({
  paymentId,
  service: 'steam',
  account,
  amount: '150.00',
  currency: 'KZT',
});

describe('several router instances over one PostgreSQL journal', () => {
  it(
    'payments left open by an abandoned router (leases held, no stop(), its database gone) are finished by the other, credited once',
    async () => {
      const sim = await simulator();
      const schema = `r${process.pid}_${schemas++}`;
      const poolA = instancePool();
      const journalA = await createPostgresJournal({ pool: poolA, schema });
      const a = router(sim, journalA, 'router-a');
      const journalB = await createPostgresJournal({ pool: instancePool(), schema });
      const b = router(sim, journalB, 'router-b');
      // The first payment's connection drops before processing; the others are credited, answered late.
      sim.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-before' } });
      sim.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 30_000 } });
      const ids = ['a-1', 'a-2', 'a-3', 'a-4', 'a-5'];
      const views = await Promise.all(ids.map((id) => a.pay(steam(id))));
      for (const view of views)
        expect(view, view.paymentId).toMatchObject({ final: false, provider: 'vf-a' });
      expect(sim.ledger.requestCount('Payment')).toBe(ids.length);
      // A's finalizer claims them as they fall due (done by hand here, so that A sends nothing more)...
      const leased = new Set<string>();
      await expect
        .poll(
          async () => {
            const claimed = await journalA.claimDue({
              now: new Date(),
              owner: 'router-a',
              leaseMs: 2_000,
              limit: 10,
            });
            for (const record of claimed) leased.add(record.paymentId);
            return leased.size;
          },
          { timeout: 10_000, interval: 50 },
        )
        .toBe(ids.length);
      // ...and then router A is abandoned without stop(): its host lost the database.
      await poolA.end();
      const open = await journalB.list({ final: false });
      expect(open.map((record) => `${record.paymentId}@${record.lease?.owner}`).sort()).toEqual(
        ids.map((id) => `${id}@router-a`),
      );

      sim.faults.clear();
      await b.start();
      const done = await Promise.all(ids.map((id) => b.waitForFinal(id, { timeoutMs: 30_000 })));
      for (const view of done) {
        expect(view, view.paymentId).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-a' });
        expect(sim.ledger.creditCount(view.transactionId ?? '', AGENT_ID), view.paymentId).toBe(1);
      }
      expect(new Set(done.map((view) => view.transactionId)).size).toBe(ids.length);
      expect(sim.ledger.credits()).toHaveLength(ids.length);
      // Only the payment whose first send never arrived was sent again (same transaction id).
      const sends = done.map((view) => view.attempts.map((attempt) => attempt.sends));
      expect(sends.filter((s) => s[0] === 2)).toHaveLength(1);
      expect(sends.filter((s) => s[0] === 1)).toHaveLength(ids.length - 1);
      expect(sim.ledger.requestCount('Payment')).toBe(ids.length + 1);
      const records = await journalB.list();
      expect(records.every((record) => record.final && record.lease === null)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'two live routers paying and finalizing the same payments: one send, one credit and one final event each',
    async () => {
      const sim = await simulator();
      const schema = `r${process.pid}_${schemas++}`;
      const [journalA, journalB] = await Promise.all([
        createPostgresJournal({ connectionString: cluster.connectionString, schema, poolSize: 6 }),
        createPostgresJournal({ connectionString: cluster.connectionString, schema, poolSize: 6 }),
      ]);
      const routers = [router(sim, journalA, 'router-a'), router(sim, journalB, 'router-b')];
      const finals = new Map<string, number>();
      for (const instance of routers) {
        instance.events.on('payment.final', (event) => {
          finals.set(event.paymentId, (finals.get(event.paymentId) ?? 0) + 1);
        });
      }
      await Promise.all(routers.map((instance) => instance.start()));
      // slow-user payments stay pending about 1.5 s: both finalizers compete to re-check them.
      const ids = Array.from({ length: 8 }, (_, i) => `live-${i}`);
      const views = await Promise.all(
        ids.flatMap((id) => routers.map((instance) => instance.pay(steam(id, 'slow-user')))),
      );
      for (const view of views) expect(view.state, view.paymentId).not.toBe('failed');
      const done = await Promise.all(
        ids.map((id, i) => routers[i % 2]!.waitForFinal(id, { timeoutMs: 30_000 })),
      );
      for (const view of done) {
        expect(view, view.paymentId).toMatchObject({ state: 'succeeded', final: true });
        expect(
          view.attempts.map((attempt) => attempt.sends),
          view.paymentId,
        ).toEqual([1]);
        expect(sim.ledger.creditCount(view.transactionId ?? '', AGENT_ID), view.paymentId).toBe(1);
      }
      expect(sim.ledger.requestCount('Payment')).toBe(ids.length);
      expect(sim.ledger.requestCount('Status')).toBeGreaterThan(0);
      await expect.poll(() => finals.size, { timeout: 10_000 }).toBe(ids.length);
      expect([...finals.values()].every((count) => count === 1)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'a voucher code confirmed late by one instance is handed out by the other; the database holds it only sealed',
    async () => {
      const sim = await simulator();
      const schema = `r${process.pid}_${schemas++}`;
      const vouchers = { keys: { k1: 'dG9sZW0gcG9zdGdyZXMgdm91Y2hlciB0ZXN0IGtleSE=' }, current: 'k1' };
      const routes = { code: [{ provider: 'vf-a', serviceId: '1549' }] };
      const a = router(sim, await createPostgresJournal({ pool: instancePool(), schema }), 'router-a', {
        routes,
        vouchers,
      });
      const b = router(sim, await createPostgresJournal({ pool: instancePool(), schema }), 'router-b', {
        routes,
        vouchers,
      });
      const late = { service: 'code', amount: '5333.45', currency: 'KZT', sendType: 'api' as const };
      // First answer pending (a slow account), and first answer lost (the connection cut after processing).
      const pending = await a.pay({ ...late, paymentId: 'late-pending', account: 'slow-user@example.com' });
      sim.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } });
      const lost = await a.pay({ ...late, paymentId: 'late-lost', account: 'kkazbek.smeken@gmail.com' });
      for (const view of [pending, lost]) expect(view, view.paymentId).toMatchObject({ final: false });
      // Only A's finalizer runs; B sees A's writes by polling the shared journal.
      await a.start();
      const codes: string[] = [];
      for (const view of [pending, lost]) {
        const done = await b.waitForFinal(view.paymentId, { timeoutMs: 30_000 });
        const issued = sim.ledger.get(view.transactionId ?? '', AGENT_ID)?.voucherCode?.reveal() ?? '';
        expect(issued, view.paymentId).toMatch(/\S{4,}/);
        expect(done, view.paymentId).toMatchObject({ state: 'succeeded', voucherStatus: 'available' });
        expect(done.voucherCode?.reveal(), view.paymentId).toBe(issued);
        codes.push(issued);
      }
      // The table's rows as text, and a dump of the schema: sealed values only.
      const admin = instancePool();
      const rows = await admin.query(`SELECT p::text AS row FROM "${schema}".payments p`);
      const dump = execFileSync(
        join(PG_BIN, 'pg_dump'),
        ['--inserts', `--schema=${schema}`, '--dbname', cluster.connectionString],
        { env: { ...process.env, PGPASSWORD: PG_PASSWORD } },
      ).toString('utf8');
      expect(dump).toContain('"keyId":"k1"');
      const stored = `${rows.rows.map((row) => row.row).join('\n')}\n${dump}`;
      for (const code of codes) {
        for (const form of [code, encodeURIComponent(code), Buffer.from(code).toString('base64')])
          expect(stored.includes(form), form).toBe(false);
      }
    },
    TIMEOUT,
  );
});
