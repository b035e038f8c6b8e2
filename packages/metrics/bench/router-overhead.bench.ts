/**
 * What instrumentRouter costs on the hot path: the same router stack (VectraFin provider over real
 * sockets to the simulator, breaker, events, memory journal) with and without the metrics bridge, in
 * the same run, interleaved rounds, for checkAccount and pay at a fixed concurrency. Prints
 * throughput, p50/p99 latency and the instrumented/plain ratios, then the bare cost of one event.
 *
 *   pnpm --filter @tolem/metrics bench      (BENCH_OPS, BENCH_ROUNDS, BENCH_CONCURRENCY to tune)
 */
import { createMemoryJournal } from '@tolem/core';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type Router } from '@tolem/router';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instrumentRouter, type RouterInstrumentation } from '../src/instrument-router.js';

const OPS = Number(process.env.BENCH_OPS ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 15);

type Mode = 'plain' | 'instrumented';
type Operation = 'checkAccount' | 'pay';

interface Stack {
  router: Router;
  registry: Registry;
  instrumentation: RouterInstrumentation | null;
}

let simulator: Simulator;
const stacks = new Map<Mode, Stack>();
let nextPayment = 0;

function buildStack(mode: Mode, agentId: string, password: string): Stack {
  const router = createRouter({
    providers: [createVectrafinProvider({ id: 'vf', baseUrl: simulator.url, agentId, password })],
    routes: { steam: [{ provider: 'vf', serviceId: '7' }] },
    journal: createMemoryJournal(),
  });
  const registry = new Registry();
  const instrumentation = mode === 'instrumented' ? instrumentRouter(router, { registry }) : null;
  return { router, registry, instrumentation };
}

beforeAll(async () => {
  const balances = { KZT: '999999999999.00' };
  simulator = await startSimulator({
    seed: 'metrics-bench',
    includeDemoAgent: false,
    agents: [
      { agentId: '8001', password: 'bench-plain-pass', balances },
      { agentId: '8002', password: 'bench-instrumented-pass', balances },
    ],
  });
  stacks.set('plain', buildStack('plain', '8001', 'bench-plain-pass'));
  stacks.set('instrumented', buildStack('instrumented', '8002', 'bench-instrumented-pass'));
  for (const stack of stacks.values()) await stack.router.start();
});

afterAll(async () => {
  for (const stack of stacks.values()) {
    stack.instrumentation?.stop();
    await stack.router.stop();
  }
  await simulator?.close();
});

async function call(stack: Stack, operation: Operation): Promise<boolean> {
  const request = { service: 'steam', account: 'galek10', amount: '100.00', currency: 'KZT' };
  if (operation === 'checkAccount') return (await stack.router.checkAccount(request)).state === 'succeeded';
  nextPayment += 1;
  const view = await stack.router.pay({ ...request, paymentId: `bench-${nextPayment}` });
  return view.state === 'succeeded';
}

/** Runs `count` calls with `CONCURRENCY` workers; returns per-call latencies (ms) and the wall time. */
async function round(stack: Stack, operation: Operation, count: number) {
  const latencies: number[] = [];
  let started = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < count) {
        started += 1;
        const begin = performance.now();
        if (!(await call(stack, operation))) failures += 1;
        latencies.push(performance.now() - begin);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - t0, failures };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

it('measures the router hot path with and without instrumentRouter', async () => {
  const lines: string[] = [];
  let failures = 0;
  lines.push(`ops per mode per round: ${OPS}, rounds: ${ROUNDS}, concurrency: ${CONCURRENCY}`);
  lines.push('operation     mode          ops/s     p50 ms   p99 ms');
  for (const operation of ['checkAccount', 'pay'] as const) {
    // Warm both stacks (JIT, connection pools) before anything is measured.
    for (const stack of stacks.values()) await round(stack, operation, Math.min(OPS, 100));
    const results = new Map<Mode, { latencies: number[]; wallMs: number }>([
      ['plain', { latencies: [], wallMs: 0 }],
      ['instrumented', { latencies: [], wallMs: 0 }],
    ]);
    for (let r = 0; r < ROUNDS; r += 1) {
      // Alternate which mode goes first so drift in the machine's load falls on both.
      const order: Mode[] = r % 2 === 0 ? ['plain', 'instrumented'] : ['instrumented', 'plain'];
      for (const mode of order) {
        const result = await round(stacks.get(mode) as Stack, operation, OPS);
        const total = results.get(mode);
        total?.latencies.push(...result.latencies);
        if (total) total.wallMs += result.wallMs;
        failures += result.failures;
      }
    }
    const summary = new Map<Mode, { throughput: number; p50: number; p99: number }>();
    for (const [mode, { latencies, wallMs }] of results) {
      const sorted = [...latencies].sort((a, b) => a - b);
      const stats = {
        throughput: (latencies.length / wallMs) * 1000,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
      };
      summary.set(mode, stats);
      lines.push(
        `${operation.padEnd(13)} ${mode.padEnd(13)} ${fmt(stats.throughput, 0).padStart(7)}   ${fmt(stats.p50).padStart(6)}   ${fmt(stats.p99).padStart(6)}`,
      );
    }
    const plain = summary.get('plain');
    const instrumented = summary.get('instrumented');
    if (plain && instrumented) {
      lines.push(
        `${operation.padEnd(13)} ratio instrumented/plain: throughput ${fmt(instrumented.throughput / plain.throughput, 3)}, ` +
          `p50 ${fmt(instrumented.p50 / plain.p50, 3)}, p99 ${fmt(instrumented.p99 / plain.p99, 3)}`,
      );
    }
  }

  // The bridge's own cost per event, without the network: emit provider.call straight on the bus.
  const instrumented = stacks.get('instrumented') as Stack;
  const event = {
    provider: 'vf',
    operation: 'pay' as const,
    state: 'succeeded' as const,
    reason: null,
    durationMs: 42,
    rejected: false,
  };
  const events = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < events; i += 1) instrumented.router.events.emit('provider.call', event);
  const perEventNs = ((performance.now() - t0) / events) * 1e6;
  const s0 = performance.now();
  const text = await instrumented.registry.metrics();
  const scrapeMs = performance.now() - s0;
  lines.push(`provider.call event through the bridge: ${fmt(perEventNs, 0)} ns each (${events} events)`);
  lines.push(
    `one scrape: ${fmt(scrapeMs)} ms, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} series`,
  );
  console.log(`\n@tolem/metrics router overhead\n${lines.join('\n')}\n`);

  expect(failures).toBe(0);
  // Every pay the instrumented router made is in its counters (plus the events emitted above).
  expect(text).toMatch(
    /tolem_provider_requests_total\{provider="vf",operation="pay",state="succeeded",reason="none"\} \d+/,
  );
});
