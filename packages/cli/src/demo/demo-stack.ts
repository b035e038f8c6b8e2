import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFromConfig } from '@tolem/config';
import { createMetricsHandler, instrumentRouter, type RouterInstrumentation } from '@tolem/metrics';
import { createCallbackHandler, type Router } from '@tolem/router';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { Registry } from 'prom-client';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';

/** The two provider instances of the demo: two agents of the same sandbox. */
export const PRIMARY = 'vf-a' as const;
export const SECONDARY = 'vf-b' as const;
const INSTANCES = [PRIMARY, SECONDARY] as const;
export const AGENTS = { [PRIMARY]: '901', [SECONDARY]: '902' } as const;

/** A Steam account whose payments the sandbox holds pending for 40 s (the trickle's long-open payment). */
export const HELD_ACCOUNT = 'queued-user';

/**
 * A Steam account whose payments the sandbox holds pending for a day: `demo --serve` pays it once and
 * leaves it for the operator (`tolem payments show`, `resolve`).
 */
export const STUCK_ACCOUNT = 'held-by-support';

/**
 * The demo's escalation age: the payment held for the operator is reported stuck this long after it
 * was made, while the trickle's 40-second payments settle well before it.
 */
export const ESCALATE_AFTER_MS = 90_000;

/** The breakers' reset timeout: small, so that the shift shows a breaker opening and closing again. */
export const BREAKER_RESET_MS = 5_000;

/** vf-a answers within this long or the outcome is unknown (the timeout step relies on it). */
export const PRIMARY_TIMEOUT_MS = 1500;

/** Canonical service keys of the demo's routes, each tried on vf-a first, then vf-b. */
export const ROUTES = {
  steam: '7',
  'pubg-uc': '1911',
  'steam-wallet-code': '1549',
  alseko: '815',
} as const;
export type DemoService = keyof typeof ROUTES;

export interface DemoStack {
  simulator: Simulator;
  router: Router;
  instrumentation: RouterInstrumentation;
  registry: Registry;
  /** http://127.0.0.1:PORT, serving /metrics and /callbacks/<token>/<provider>. */
  baseUrl: string;
  metricsUrl: string;
  /** The folder the demo keeps after it exits: its journal, its configuration and the sandbox passwords. */
  folder: string;
  journalPath: string;
  /** The configuration the demo's router is built from: `tolem … --config` works on the demo. */
  configPath: string;
  /** Makes the callback endpoint answer 503 (a maintenance window): the step where only the finalizer helps. */
  setCallbacksDown(down: boolean): void;
  stop(): Promise<void>;
}

export interface DemoStackOptions {
  /** Port on 127.0.0.1 for /metrics and the callbacks; 0 (the default) lets the OS pick a free one. */
  metricsPort?: number;
  /**
   * The sandbox agents' password (from TOLEM_VECTRAFIN_PASSWORD), so that `tolem vectrafin …` or a
   * second router can talk to the demo's sandbox; a fresh random one each run when absent.
   */
  agentPassword?: string;
  /** Where the configuration's `{ "env" }` secrets are read (the command's environment). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The configuration file the demo writes and builds its router from (`tolem … --config` reads it too). */
function demoConfig(simulatorUrl: string, passwordFromEnvironment: boolean): Record<string, unknown> {
  return {
    journal: 'sqlite:tolem.db',
    providers: INSTANCES.map((id) => ({
      id,
      kind: 'vectrafin',
      baseUrl: simulatorUrl,
      agentId: AGENTS[id],
      password: passwordFromEnvironment ? { env: 'TOLEM_VECTRAFIN_PASSWORD' } : { file: `${id}.password` },
      connections: 4,
      timeoutMs: id === PRIMARY ? PRIMARY_TIMEOUT_MS : 10_000,
    })),
    routes: Object.fromEntries(
      Object.entries(ROUTES).map(([service, serviceId]) => [
        service,
        INSTANCES.map((provider) => ({ provider, serviceId })),
      ]),
    ),
    // Small numbers so that a shift of a few seconds shows a breaker opening and closing again.
    breaker: {
      volumeThreshold: 4,
      errorThresholdPercentage: 50,
      resetTimeout: BREAKER_RESET_MS,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
    },
    finalizer: {
      firstDelayMs: 3_000,
      growth: 1.5,
      maxDelayMs: 8_000,
      jitter: 0.1,
      pollIntervalMs: 200,
      inFlightMs: PRIMARY_TIMEOUT_MS + 2_000,
      escalateAfterMs: ESCALATE_AFTER_MS,
    },
    // A voucher key for this run's journal (a deployment keeps its keys in a secret store).
    vouchers: { current: 'demo', keys: { demo: { file: 'voucher.key' } } },
    // One balance poller, for routing and the metrics alike.
    routing: { balances: { refreshMs: 15_000 } },
  };
}

/** A secret for the demo's configuration: readable by this user only. */
function writeSecret(path: string, value: string): void {
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new CliError(
            `port ${port} is in use: pick another with --metrics-port, or leave it out for a free one`,
            EXIT.other,
            'port_in_use',
            { cause: error },
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new CliError(
            `port ${port} needs privileges this user lacks: pick one above 1023 with --metrics-port`,
            EXIT.other,
            'port_not_permitted',
            { cause: error },
          ),
        );
      } else reject(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${bound}`);
    });
  });
}

/**
 * Everything a real deployment has, on loopback: the sandbox with two agents, two provider instances,
 * a router built from a configuration file with a SQLite journal, metrics and a callback endpoint. The
 * folder holding the journal and the configuration (a fresh one in the system's temporary folder) is
 * kept after the demo exits.
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const registry = new Registry();
  let router: Router | null = null;
  let metricsHandler: ReturnType<typeof createMetricsHandler> | null = null;
  let callbackHandler: ReturnType<typeof createCallbackHandler> | null = null;
  let callbacksDown = false;

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (path.startsWith('/callbacks/') && callbacksDown) {
      response.statusCode = 503;
      response.end('down for maintenance\n');
      return;
    }
    if (path.startsWith('/callbacks/') && callbackHandler !== null) return callbackHandler(request, response);
    if (path === '/metrics' && metricsHandler !== null) return metricsHandler(request, response);
    response.statusCode = 404;
    response.end('not found\n');
  });
  // Listen first: a port in use stops the demo before anything else has started.
  const baseUrl = await listen(server, options.metricsPort ?? 0);
  const closeServer = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  // Kept after the demo exits, so that `tolem payments …` can look at what it did.
  const folder = mkdtempSync(join(tmpdir(), 'tolem-demo-'));
  const journalPath = join(folder, 'tolem.db');
  const configPath = join(folder, 'tolem.config.json');

  // Fresh passwords every run: the demo shows that none ever reaches the output.
  const passwords = {
    [PRIMARY]: options.agentPassword ?? randomBytes(12).toString('base64url'),
    [SECONDARY]: options.agentPassword ?? randomBytes(12).toString('base64url'),
  };
  // The callback path token, as every deployment should have one: only the sandbox learns it.
  const callbackToken = randomBytes(18).toString('base64url');
  let simulator: Simulator | null = null;
  try {
    simulator = await startSimulator({
      seed: 'tolem-demo',
      includeDemoAgent: false,
      agents: INSTANCES.map((id) => ({
        agentId: AGENTS[id],
        password: passwords[id],
        // A deposit the trickle takes weeks to spend: a demo left running overnight pages nobody.
        balances: { KZT: '500000000.00' },
        callbackUrl: `${baseUrl}/callbacks/${callbackToken}/${id}`,
      })),
    });
    simulator.catalogue.setAccount(ROUTES.steam, HELD_ACCOUNT, {
      progression: { steps: [1, 3], stepMs: 20_000 },
    });
    simulator.catalogue.setAccount(ROUTES.steam, STUCK_ACCOUNT, {
      progression: { steps: [1], stepMs: 86_400_000 },
    });
    if (options.agentPassword === undefined)
      for (const id of INSTANCES) writeSecret(join(folder, `${id}.password`), passwords[id]);
    writeSecret(join(folder, 'voucher.key'), randomBytes(32).toString('hex'));
    writeFileSync(
      configPath,
      `${JSON.stringify(demoConfig(simulator.url, options.agentPassword !== undefined), null, 2)}\n`,
    );
    // The demo's router is the one its configuration describes: `tolem … --config` sees the same.
    const runtime = await createFromConfig(
      { path: configPath, env: options.env ?? {} },
      { env: options.env ?? {} },
    );
    router = runtime.router;
    const instrumentation = instrumentRouter(router, { registry, balance: {} });
    metricsHandler = createMetricsHandler(registry);
    callbackHandler = createCallbackHandler(router, { pathToken: callbackToken });
    await router.start();
    const started = { simulator, router };
    let stopping: Promise<void> | undefined;
    return {
      simulator,
      router,
      instrumentation,
      registry,
      baseUrl,
      metricsUrl: `${baseUrl}/metrics`,
      folder,
      journalPath,
      configPath,
      setCallbacksDown(down) {
        callbacksDown = down;
      },
      stop() {
        // Once: run-demo stops the stack before saying so, and again in its finally.
        stopping ??= (async () => {
          instrumentation.stop();
          await started.router.stop();
          await closeServer();
          await started.simulator.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await router?.stop().catch(() => undefined);
    await closeServer();
    await simulator?.close();
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
