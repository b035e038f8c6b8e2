/**
 * What the router stack costs on top of the wire: the full stack (router + breaker + events +
 * VectraFin provider + SQLite journal) next to raw `undici.request` calls to the same simulator, in
 * the same run, for AccountCheck and Payment at concurrency 15. Prints throughput, p50/p99 latency
 * and the stack/raw ratios.
 *
 *   pnpm --filter @tolem/router bench          (BENCH_OPS=5000 for a longer run)
 *
 * BENCH_JOURNAL=memory swaps the SQLite journal for the in-memory one, to show how much of the
 * payment overhead is the journal's fsyncs (three durable writes per payment) rather than the router.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMemoryJournal } from '@tolem/core';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { startSimulator } from '@tolem/vectrafin-simulator';
import { Pool, request } from 'undici';
import { createRouter, type RouterEventName } from '../src/index.js';

const CONCURRENCY = 15;
const OPS = Number(process.env.BENCH_OPS ?? 2_000);
const WARMUP = Math.min(300, OPS);
const AGENT_ID = '9001';
const PASSWORD = 'bench-password';
const JOURNAL = process.env.BENCH_JOURNAL === 'memory' ? 'memory' : 'sqlite';

interface Result {
  name: string;
  throughput: number;
  p50: number;
  p99: number;
  mean: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

async function measure(name: string, total: number, op: (i: number) => Promise<void>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    name,
    throughput: total / (elapsed / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
  };
}

function requestDate(): string {
  return new Date().toISOString().slice(0, 19).replace('T', ' ');
}

async function main(): Promise<void> {
  const simulator = await startSimulator({
    seed: 'bench',
    includeDemoAgent: false,
    agents: [{ agentId: AGENT_ID, password: PASSWORD, balances: { KZT: '100000000000.00' } }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'tolem-bench-'));
  const pool = new Pool(simulator.url, { connections: CONCURRENCY });
  const router = createRouter({
    providers: [
      createVectrafinProvider({
        id: 'vf',
        baseUrl: simulator.url,
        agentId: AGENT_ID,
        password: PASSWORD,
        connections: CONCURRENCY,
      }),
    ],
    routes: { steam: [{ provider: 'vf', serviceId: '7' }] },
    journal:
      JOURNAL === 'memory' ? createMemoryJournal() : createSqliteJournal({ path: join(dir, 'bench.db') }),
  });
  // Listeners on every event, so their cost is in the numbers.
  let events = 0;
  const names: RouterEventName[] = [
    'provider.call',
    'payment.updated',
    'payment.final',
    'breaker.state',
    'failover',
  ];
  for (const name of names) router.events.on(name, () => events++);

  let rawId = 900_000_000_000_000;
  const raw = async (type: 'AccountCheck' | 'Payment') => {
    const body = new URLSearchParams([
      ['AgentID', AGENT_ID],
      ['AgentPassword', PASSWORD],
      ['Service', '7'],
      ['Amount', '150.00'],
      ['RequestType', type],
      ['Currency', 'KZT'],
      ['RequestDate', requestDate()],
      ['TransactionID', String(rawId++)],
      ['Account', 'galek10'],
    ]).toString();
    const response = await request(`${simulator.url}/home/index`, {
      method: 'POST',
      dispatcher: pool,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await response.body.text();
    if (!text.includes('"ResponseStatus":10') && !text.includes('"ResponseStatus": 10')) {
      throw new Error(`raw ${type} did not succeed: ${text.slice(0, 200)}`);
    }
  };
  let failures = 0;
  const stackCheck = async () => {
    const result = await router.checkAccount({
      service: 'steam',
      account: 'galek10',
      amount: '150.00',
      currency: 'KZT',
    });
    if (result.state !== 'succeeded') failures++;
  };
  let paymentNo = 0;
  const stackPay = async () => {
    const view = await router.pay({
      paymentId: `bench-${paymentNo++}`,
      service: 'steam',
      account: 'galek10',
      amount: '150.00',
      currency: 'KZT',
    });
    if (view.state !== 'succeeded') failures++;
  };

  // Warm both paths (JIT, connections, SQLite pages) before measuring.
  await measure('warmup', WARMUP, () => raw('AccountCheck'));
  await measure('warmup', WARMUP, stackCheck);
  await measure('warmup', WARMUP, () => raw('Payment'));
  await measure('warmup', WARMUP, stackPay);

  const rows: [Result, Result][] = [
    [
      await measure('raw undici  AccountCheck', OPS, () => raw('AccountCheck')),
      await measure('tolem stack checkAccount', OPS, stackCheck),
    ],
    [
      await measure('raw undici  Payment', OPS, () => raw('Payment')),
      await measure('tolem stack pay', OPS, stackPay),
    ],
  ];

  const fmt = (value: number, digits = 2) =>
    new Intl.NumberFormat('en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    })
      .format(value)
      .padStart(9);
  console.log(
    `\n${OPS} operations each, concurrency ${CONCURRENCY}, ${JOURNAL} journal, simulator on loopback in this process\n`,
  );
  console.log(
    `${'path'.padEnd(28)}${'ops/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'mean ms'.padStart(9)}`,
  );
  for (const [rawResult, stackResult] of rows) {
    for (const result of [rawResult, stackResult]) {
      console.log(
        `${result.name.padEnd(28)}${fmt(result.throughput, 0)}${fmt(result.p50)}${fmt(result.p99)}${fmt(result.mean)}`,
      );
    }
    console.log(
      `${'  stack / raw'.padEnd(28)}${fmt(stackResult.throughput / rawResult.throughput)}${fmt(stackResult.p50 / rawResult.p50)}${fmt(stackResult.p99 / rawResult.p99)}${fmt(stackResult.mean / rawResult.mean)}`,
    );
    console.log(
      `${'  stack overhead per call'.padEnd(28)}${' '.repeat(9)}${fmt(stackResult.p50 - rawResult.p50)} ms at p50\n`,
    );
  }
  console.log(`events delivered: ${events}; stack calls that did not succeed: ${failures}`);

  await router.stop();
  await pool.close();
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
  if (failures > 0) process.exitCode = 1;
}

await main();
