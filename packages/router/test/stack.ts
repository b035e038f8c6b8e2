import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaymentJournal } from '@tolem/core';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider, type VectrafinOptions } from '@tolem/provider-vectrafin';
import { type Simulator, type SimulatorOptions, startSimulator } from '@tolem/vectrafin-simulator';
import type { RouterEventName, RouterEvents } from '../src/events.js';
import type { RouterOptions } from '../src/options.js';
import { createRouter } from '../src/router.js';
import type { Router } from '../src/types.js';

/** A distinctive password, so a test can prove it never leaks into events or results. */
export const AGENT_ID = '7001';
export const AGENT_PASSWORD = 'pw-Zq9-never-print-me';

export interface Stack {
  simA: Simulator;
  simB: Simulator;
  router: Router;
  journal: PaymentJournal;
  dbPath: string;
  events: { name: RouterEventName; payload: unknown }[];
  of<K extends RouterEventName>(name: K): RouterEvents[K][];
  /** A second router (another process, as far as the journal knows) on the same SQLite file. */
  openRouter(overrides?: Partial<RouterOptions>): Router;
  close(): Promise<void>;
}

export function simulatorOptions(seed: string, extra: SimulatorOptions = {}): SimulatorOptions {
  return {
    seed,
    includeDemoAgent: false,
    agents: [{ agentId: AGENT_ID, password: AGENT_PASSWORD, balances: { KZT: '1000000.00' } }],
    ...extra,
  };
}

/** Options of one VectraFin provider of the stack, over the defaults below (e.g. a smaller pool). */
export type ProviderOverrides = { a?: Partial<VectrafinOptions>; b?: Partial<VectrafinOptions> };

export function routerOptions(
  simA: Simulator,
  simB: Simulator,
  journal: PaymentJournal,
  providerTimeoutMs = 1_500,
  overrides: ProviderOverrides = {},
): RouterOptions {
  const provider = (id: string, sim: Simulator, extra: Partial<VectrafinOptions> = {}) =>
    createVectrafinProvider({
      id,
      baseUrl: sim.url,
      agentId: AGENT_ID,
      password: AGENT_PASSWORD,
      timeoutMs: providerTimeoutMs,
      connections: 4,
      ...extra,
    });
  return {
    providers: [provider('vf-a', simA, overrides.a), provider('vf-b', simB, overrides.b)],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    journal,
    // Short delays: a test waits tens of milliseconds where production waits seconds.
    finalizer: { firstDelayMs: 100, growth: 1.5, maxDelayMs: 1_000, pollIntervalMs: 25, inFlightMs: 10_000 },
    onError: () => {},
  };
}

/** Two simulators (vf-a, vf-b), a SQLite journal in a temp directory and a router over them. */
export async function stack(
  options: {
    a?: SimulatorOptions;
    b?: SimulatorOptions;
    router?: Partial<RouterOptions>;
    /** The providers' own default timeout (1 500 ms unless given). */
    providerTimeoutMs?: number;
    /** Options of vf-a / vf-b over the stack's defaults. */
    providers?: ProviderOverrides;
  } = {},
): Promise<Stack> {
  const simA = await startSimulator(simulatorOptions('a', options.a));
  const simB = await startSimulator(simulatorOptions('b', options.b));
  const dir = mkdtempSync(join(tmpdir(), 'tolem-router-'));
  const dbPath = join(dir, 'tolem.db');
  const journal = createSqliteJournal({ path: dbPath });
  const router = createRouter({
    ...routerOptions(simA, simB, journal, options.providerTimeoutMs, options.providers),
    ...options.router,
  });
  const events: Stack['events'] = [];
  const names: RouterEventName[] = [
    'provider.call',
    'payment.updated',
    'payment.final',
    'payment.stuck',
    'breaker.state',
    'failover',
    'callback',
  ];
  for (const name of names) router.events.on(name, (payload) => events.push({ name, payload }));
  const extra: Router[] = [];
  return {
    simA,
    simB,
    router,
    journal,
    dbPath,
    events,
    of: <K extends RouterEventName>(name: K) =>
      events.filter((event) => event.name === name).map((event) => event.payload as RouterEvents[K]),
    openRouter(overrides = {}) {
      const next = createRouter({
        ...routerOptions(
          simA,
          simB,
          createSqliteJournal({ path: dbPath }),
          options.providerTimeoutMs,
          options.providers,
        ),
        ...overrides,
      });
      extra.push(next);
      return next;
    },
    async close() {
      await Promise.allSettled([router.stop(), ...extra.map((other) => other.stop())]);
      await Promise.allSettled([simA.close(), simB.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
