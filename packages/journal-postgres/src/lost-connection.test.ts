/**
 * pay() over a PostgreSQL journal whose connection is cut around the payment's INSERT (architecture §4.9),
 * against the VectraFin simulator: a TCP proxy between the journal and a real PostgreSQL 15 cuts the
 * connection right after the server committed the row, or before the INSERT reaches it. The
 * simulator's ledger says what really happened: how many Payments arrived and how often each was
 * credited.
 */
import { inspect } from 'node:util';
import {
  ConfigError,
  JournalConflictError,
  type PaymentJournal,
  PaymentUnconfirmedError,
  ValidationError,
} from '@tolem/core';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type Router } from '@tolem/router';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PG_PASSWORD, type PgCluster, startPgCluster } from '../test/pg-cluster.js';
import { type PgProxy, startPgProxy } from '../test/pg-proxy.js';
import { createPostgresJournal } from './postgres-journal.js';

const AGENT_ID = '7001';
const AGENT_PASSWORD = 'pw-Zq9-never-print-me';
const TIMEOUT = 60_000;
/** The one statement that inserts a payment and its `created` history entry (a CTE). */
const PAYMENT_INSERT = /^\s*WITH inserted AS \(\s*INSERT INTO \S+\.payments\b/;

let cluster: PgCluster;
/** The test's own pool, straight to PostgreSQL: what is really in the table. */
let admin: pg.Pool;
beforeAll(async () => {
  cluster = await startPgCluster();
  admin = new pg.Pool({ connectionString: cluster.connectionString, max: 2 });
}, 180_000);
afterAll(async () => {
  await admin?.end();
  await cluster?.stop();
}, 120_000);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}, 60_000);

let schemas = 0;

interface Setup {
  sim: Simulator;
  proxy: PgProxy;
  journal: PaymentJournal;
  router: Router;
  schema: string;
  reported: unknown[];
}

async function setup(): Promise<Setup> {
  const sim = await startSimulator({
    seed: `lost-${schemas}`,
    includeDemoAgent: false,
    agents: [{ agentId: AGENT_ID, password: AGENT_PASSWORD, balances: { KZT: '1000000.00' } }],
  });
  cleanups.push(() => sim.close());
  const proxy = await startPgProxy(cluster.port);
  cleanups.push(() => proxy.close());
  const schema = `lost${process.pid}_${schemas++}`;
  const journal = await createPostgresJournal({
    connectionString: proxy.connectionString(cluster.connectionString),
    schema,
    poolSize: 4,
  });
  const reported: unknown[] = [];
  const router = createRouter({
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
    instanceId: 'router-a',
    finalizer: { firstDelayMs: 100, maxDelayMs: 500, pollIntervalMs: 25, inFlightMs: 1_500, leaseMs: 2_000 },
    onError: (error) => reported.push(error),
  });
  cleanups.push(() => router.stop());
  await router.start();
  return { sim, proxy, journal, router, schema, reported };
}

const steam = (paymentId: string) => ({
  paymentId,
  service: 'steam',
  account: 'galek10',
  amount: '150.00',
  currency: 'KZT',
});

async function rowCount(schema: string, paymentId: string): Promise<number> {
  const result = await admin.query(`SELECT 1 FROM ${schema}.payments WHERE payment_id = $1`, [paymentId]);
  return result.rowCount ?? 0;
}

/** Every way an error or a report can be printed: none may carry a password. */
function printed(value: unknown): string {
  const error = value as Error;
  return [
    String(value),
    error?.message,
    error?.stack,
    JSON.stringify(value),
    inspect(value, { depth: 8 }),
  ].join('\n');
}

describe('the journal alone (the journal port: a lost connection is never "not written")', () => {
  it(
    'a connection cut right after the INSERT committed rejects create with the lost connection as it is; create again returns the row',
    async () => {
      const proxy = await startPgProxy(cluster.port);
      cleanups.push(() => proxy.close());
      const schema = `lost${process.pid}_${schemas++}`;
      const journal = await createPostgresJournal({
        connectionString: proxy.connectionString(cluster.connectionString),
        schema,
      });
      cleanups.push(() => journal.close());
      const payment = {
        paymentId: 'p1',
        service: 'steam',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
        createdAt: new Date('2030-01-01T00:00:00Z'),
        nextCheckAt: new Date('2030-01-01T00:01:00Z'),
      };
      const cut = proxy.cutAfterCommit(PAYMENT_INSERT);
      const error = await journal.create(payment).catch((e: unknown) => e);
      await cut;
      expect(String(error)).toMatch(/Connection terminated/);
      expect(JournalConflictError.is(error) || ValidationError.is(error) || ConfigError.is(error)).toBe(
        false,
      );
      expect(await rowCount(schema, 'p1')).toBe(1);
      const again = await journal.create(payment);
      expect(again.created).toBe(false);
      expect(again.record).toMatchObject({ paymentId: 'p1', attempts: [], version: 1 });
    },
    TIMEOUT,
  );
});

describe('pay() over PostgreSQL when the connection is cut around the INSERT', () => {
  it(
    'cut right after the server committed the INSERT: pay() answers with the payment, sent once and credited once',
    async () => {
      const { sim, proxy, router, schema, reported } = await setup();
      const cut = proxy.cutAfterCommit(PAYMENT_INSERT);
      // Before the fix: rejected with "Connection terminated unexpectedly", read as "nothing sent".
      const view = await router.pay(steam('lost-commit-1'));
      await cut;
      expect(view).toMatchObject({ paymentId: 'lost-commit-1', provider: 'vf-a' });
      expect(view.transactionId).not.toBeNull();
      const done = await router.waitForFinal('lost-commit-1', { timeoutMs: 20_000 });
      expect(done).toMatchObject({ state: 'succeeded', final: true });
      expect(done.attempts.map((attempt) => attempt.sends)).toEqual([1]);
      // Past the in-flight window the finalizer has had every chance to send it again.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await router.finalizeDue();
      expect(sim.ledger.requestCount('Payment')).toBe(1);
      expect(sim.ledger.creditCount(done.transactionId ?? '', AGENT_ID)).toBe(1);
      expect(sim.ledger.credits()).toHaveLength(1);
      expect(await rowCount(schema, 'lost-commit-1')).toBe(1);
      // The lost connection was told to onError, without a password in it.
      expect(reported.length).toBeGreaterThan(0);
      for (const report of reported) {
        expect(printed(report)).not.toContain(AGENT_PASSWORD);
        expect(printed(report)).not.toContain(PG_PASSWORD);
      }
    },
    TIMEOUT,
  );

  it(
    'cut before the INSERT, PostgreSQL back at once: the payment is created and sent normally',
    async () => {
      const { sim, proxy, router, schema } = await setup();
      const cut = proxy.cutBeforeStatement(PAYMENT_INSERT);
      const view = await router.pay(steam('lost-insert-1'));
      await cut;
      expect(view).toMatchObject({ paymentId: 'lost-insert-1', state: 'succeeded', final: true });
      expect(view.attempts.map((attempt) => attempt.sends)).toEqual([1]);
      expect(sim.ledger.requestCount('Payment')).toBe(1);
      expect(sim.ledger.creditCount(view.transactionId ?? '', AGENT_ID)).toBe(1);
      expect(await rowCount(schema, 'lost-insert-1')).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'cut before the INSERT and PostgreSQL stays unreachable: PaymentUnconfirmedError, nothing sent; pay() again once it is back sends it once',
    async () => {
      const { sim, proxy, router, schema } = await setup();
      const cut = proxy.cutBeforeStatement(PAYMENT_INSERT, { thenDown: true });
      const error = await router.pay(steam('lost-down-1')).then(
        () => null,
        (e: unknown) => e,
      );
      await cut;
      expect(PaymentUnconfirmedError.is(error)).toBe(true);
      expect(error).toMatchObject({ code: 'TOLEM_PAYMENT_UNCONFIRMED', paymentId: 'lost-down-1' });
      expect((error as Error).message).toContain('may have been recorded and may still be sent');
      expect(printed(error)).not.toContain(AGENT_PASSWORD);
      expect(printed(error)).not.toContain(PG_PASSWORD);
      expect(await rowCount(schema, 'lost-down-1')).toBe(0);
      expect(sim.ledger.requestCount('Payment')).toBe(0);
      // The safe move the error names: the same paymentId again.
      proxy.up();
      const view = await router.pay(steam('lost-down-1'));
      expect(view).toMatchObject({ state: 'succeeded', final: true });
      expect(sim.ledger.requestCount('Payment')).toBe(1);
      expect(sim.ledger.creditCount(view.transactionId ?? '', AGENT_ID)).toBe(1);
    },
    TIMEOUT,
  );
});
