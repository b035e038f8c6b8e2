/**
 * What routing a payment costs (issue 11: under 10 µs at 10 targets), next to today's `targetsFor` (the
 * route table read the router did before routing knew money) in the same run. Each strategy ranks a
 * 10-target route for a new payment id every time, with every fact in play: breakers, known balances
 * less what was sent since, service limits, success windows, load.
 *
 *   pnpm --filter @tolem/router bench:routing     (BENCH_ROUTING_OPS=1000000 for a longer run)
 *
 * "rankRoute" is the pure function on plain facts; "routeNow" is what the lifecycle runs before each
 * attempt: the amount parsed from the journal's string, the live facts read from the router's facts
 * service (clock, balance book, success windows, breakers) and the ranking, and the decision kept for
 * the journal.
 */
import { performance } from 'node:perf_hooks';
import { type BalanceResult, createMemoryJournal, Dec, type ServiceInfo, systemClock } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { ProviderBreakers } from '../src/breaker.js';
import { RouterEventBus } from '../src/events.js';
import { RoutingFacts } from '../src/facts/routing-facts.js';
import { hundredths, rateKey } from '../src/routing/amount-keys.js';
import { type CompiledRoute, compileRoutes } from '../src/routing/compiled-route.js';
import { OPEN_FACTS, type ProviderFacts } from '../src/routing/provider-facts.js';
import { rankRoute } from '../src/routing/route-policy.js';
import { targetsFor } from '../src/routing/route-table.js';
import type { RouteStrategy, Routes, RouteTarget } from '../src/types.js';

const OPS = Number(process.env.BENCH_ROUTING_OPS ?? 100_000);
const ROUNDS = 7;
const TARGETS = 10;
const ids = Array.from({ length: 4096 }, (_, i) => `order-2024-07-09-${i}`);
const policy = { minSamples: 10, tolerance: 0.05, exploration: 0.05 };
const providers = Array.from({ length: TARGETS }, (_, i) => `vf-${String.fromCharCode(97 + i)}`);

function targets(strategy: RouteStrategy): RouteTarget[] {
  return providers.map((provider, i) => {
    const target: RouteTarget = {
      provider,
      serviceId: '7',
      when: { minAmount: '1.00', maxAmount: '500000.00', account: '^[A-Za-z0-9._@-]+$' },
      maxInFlight: 15,
    };
    if (strategy !== 'ordered') target.weight = (i % 4) + 1;
    if (strategy === 'cheapest' && i % 2 === 0) target.fee = (i / 10).toFixed(2);
    return target;
  });
}

const STRATEGIES: RouteStrategy[] = ['ordered', 'weighted', 'success-rate', 'cheapest'];
const routes: Routes = Object.fromEntries(
  STRATEGIES.map((strategy) => [
    strategy,
    strategy === 'ordered' ? targets(strategy) : { strategy, targets: targets(strategy) },
  ]),
);
const table = compileRoutes(routes);

/** Plain facts: two providers short of money, one breaker open, limits and ratios everywhere. */
const plain: ProviderFacts = (() => {
  const byId = new Map(
    providers.map((provider, i) => [
      provider,
      {
        ...OPEN_FACTS,
        admits: i !== 3,
        available: new Map([['KZT', hundredths(i < 2 ? '100.00' : '1000000.00')]]),
        services: new Map([
          [
            '7',
            {
              limits: new Map([['KZT', { min: hundredths('100'), max: hundredths('90000') }]]),
              rate: rateKey(new Dec((i % 3) / 2)),
            },
          ],
        ]),
        successes: 90 - i,
        samples: 100,
        inFlight: i % 3,
      },
    ]),
  );
  return { of: (id: string) => byId.get(id) };
})();

/** The router's own facts service over ten in-process providers, after a balance check and a settings read. */
async function liveFacts(): Promise<RoutingFacts> {
  const fakes = providers.map(
    (id, i) =>
      new FakeProvider(id, {
        getBalance: async (): Promise<BalanceResult> => ({
          state: 'succeeded',
          final: true,
          reason: null,
          providerStatus: null,
          message: null,
          balances: [{ currency: 'KZT', balance: i < 2 ? '100.00' : '1000000.00', overdraft: '0' }],
        }),
        listServices: (): ServiceInfo[] => [
          {
            id: '7',
            name: 'Steam',
            testAccount: null,
            rate: String((i % 3) / 2),
            topCommission: '0',
            limits: [{ currency: 'KZT', minAmount: '100', maxAmount: '90000' }],
          },
        ],
      }),
  );
  const events = new RouterEventBus();
  const breakers = new ProviderBreakers(
    providers,
    {
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
      resetTimeout: 30_000,
      rollingCountTimeout: 60_000,
      rollingCountBuckets: 6,
    },
    events,
  );
  const facts = new RoutingFacts({
    providers: new Map(fakes.map((fake) => [fake.id, fake])),
    breakers,
    journal: createMemoryJournal(),
    events,
    clock: systemClock,
    routing: {
      balances: { refreshMs: 60_000, timeoutMs: 10_000, shareMs: 5_000, reserve: { KZT: '1000.00' } },
      services: { refreshMs: 3_600_000, timeoutMs: 10_000 },
      successRate: { window: 100, maxAgeMs: 600_000, minSamples: 10, tolerance: 0.05, exploration: 0.05 },
    },
    policy: { onReasons: new Set(['provider_technical']) },
    lookbackMs: 90_000,
    reportError: () => {},
  });
  await facts.checkBalances();
  await facts.refreshServices();
  // Each provider's success window holds 100 outcomes; a few sends stay in flight against its balance.
  for (const [i, id] of providers.entries()) {
    for (let n = 0; n < 100; n++) {
      const record = { paymentId: `warm-${id}-${n}`, currency: 'KZT', amount: '150.00' } as never;
      const answered = facts.sending(id, record);
      if (n < 97)
        answered({
          state: n % 10 < 9 - (i % 3) ? 'succeeded' : 'failed',
          final: true,
          reason: n % 10 < 9 - (i % 3) ? null : 'provider_technical',
          providerStatus: null,
          message: null,
        });
    }
  }
  breakers.open(providers[3] ?? '');
  return facts;
}

/** Nanoseconds per call of `op`, the median of ROUNDS rounds of OPS calls. */
function measure(op: (i: number) => unknown): number {
  let sink = 0;
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < OPS; i++) {
      const value = op(i);
      if (value === null) sink++;
    }
    rounds.push(((performance.now() - started) * 1e6) / OPS);
  }
  if (sink === -1) console.log(sink);
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(ROUNDS / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const live = await liveFacts();
  const amount = '500.00';
  const baseline = measure(() => targetsFor(routes, 'ordered', 'KZT'));
  const rows: { name: string; ns: number }[] = [{ name: "targetsFor (today's route table)", ns: baseline }];
  for (const strategy of STRATEGIES) {
    const route = table.get(strategy) as CompiledRoute;
    const request = { paymentId: '', amount: hundredths(amount), currency: 'KZT', account: 'galek10' };
    rows.push({
      name: `rankRoute ${strategy}`,
      ns: measure((i) => rankRoute(route, { ...request, paymentId: ids[i & 4095] ?? '' }, plain, policy)),
    });
  }
  for (const strategy of STRATEGIES) {
    const route = table.get(strategy) as CompiledRoute;
    const tried = new Set<string>();
    rows.push({
      name: `routeNow ${strategy} (live facts)`,
      ns: measure((i) => {
        const ranking = rankRoute(
          route,
          { paymentId: ids[i & 4095] ?? '', amount: hundredths(amount), currency: 'KZT', account: 'galek10' },
          live,
          policy,
          tried,
        );
        // The decision as the journal keeps it.
        return {
          strategy: ranking.strategy,
          ranked: ranking.ranked.map((target) => target.provider),
          skipped: ranking.skipped.map((skip) => ({ provider: skip.target.provider, reason: skip.reason })),
          explored: ranking.explored,
        };
      }),
    });
  }
  live.stop();
  console.log(
    `routing a payment over ${TARGETS} targets, ${OPS} ops × ${ROUNDS} rounds (median), Node ${process.version}`,
  );
  console.log('');
  console.log('| path | per payment | × targetsFor |');
  console.log('| --- | ---: | ---: |');
  for (const row of rows) {
    const us = row.ns / 1000;
    console.log(`| ${row.name} | ${us.toFixed(2)} µs | ${(row.ns / baseline).toFixed(1)} |`);
  }
  const worst = Math.max(...rows.slice(1).map((row) => row.ns)) / 1000;
  console.log('');
  console.log(
    `slowest: ${worst.toFixed(2)} µs per payment (${worst < 10 ? 'under' : 'OVER'} the 10 µs budget)`,
  );
}

await main();
