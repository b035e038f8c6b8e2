import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { PaymentJournal } from '@tolem/core';
import { createSqliteJournal } from '@tolem/journal-sqlite';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter, type Router } from '@tolem/router';
import { Registry } from 'prom-client';
import { instrumentRouter, type RouterInstrumentation } from '../src/instrument-router.js';
import { createMetricsHandler } from '../src/metrics-handler.js';

/**
 * A TCP proxy on 127.0.0.1 in front of the sandbox: `cut()` closes it (new connections are refused,
 * open ones dropped), `restore()` listens again on the same port. A network partition on demand.
 */
export class TcpProxy {
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;

  readonly #target: { host: string; port: number };

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restore(): Promise<void> {
    return this.start(this.port);
  }
}

/**
 * The SQLite journal with a hold on `claimDue`: while held, a finalizer pass waits on its claim, as on a
 * database that stopped answering — the finalizer hangs while everything else (scrapes, balance polls)
 * goes on. A fault injected into a real journal, like the simulator's faults.
 */
export function holdableJournal(inner: PaymentJournal): PaymentJournal & { hold(): void; release(): void } {
  let gate: Promise<void> | null = null;
  let open: () => void = () => {};
  return {
    identity: inner.identity,
    create: (payment) => inner.create(payment),
    get: (id) => inner.get(id),
    findByTransaction: (provider, transactionId) => inner.findByTransaction(provider, transactionId),
    openAttempt: (id, version, attempt) => inner.openAttempt(id, version, attempt),
    transition: (id, version, change) => inner.transition(id, version, change),
    claimDue: async (options) => {
      if (gate) await gate;
      return inner.claimDue(options);
    },
    list: (query) => inner.list(query),
    openSummary: () => inner.openSummary(),
    history: (id) => inner.history(id),
    appendHistory: (id, note) => inner.appendHistory(id, note),
    startSubmission: (input) => inner.startSubmission(input),
    updateSubmission: (key, version, update) => inner.updateSubmission(key, version, update),
    submissions: (query) => inner.submissions(query),
    close: () => inner.close(),
    hold() {
      gate ??= new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      open();
      gate = null;
    },
  };
}

export interface SecondRouter {
  router: Router;
  instrumentation: RouterInstrumentation;
  journal: ReturnType<typeof holdableJournal>;
  proxy: TcpProxy;
  metricsPort: number;
  /** Stops serving /metrics (the exporter goes down; the router keeps running). */
  stopServing(): Promise<void>;
  serve(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A second router instance on the demo's journal and sandbox, as a second process of the same
 * deployment would be: the same providers (vf-a through a proxy the test can cut), the same routes,
 * its own breakers, finalizer, balance poller and /metrics, and a light traffic of its own.
 */
export async function startSecondRouter(demo: {
  simulatorUrl: string;
  journalPath: string;
  password: string;
  metricsPort: number;
}): Promise<SecondRouter> {
  const simulator = new URL(demo.simulatorUrl);
  const proxy = new TcpProxy({ host: simulator.hostname, port: Number(simulator.port) });
  await proxy.start();
  const provider = (id: 'vf-a' | 'vf-b', agentId: string, baseUrl: string) =>
    createVectrafinProvider({
      id,
      baseUrl,
      agentId,
      password: demo.password,
      timeoutMs: 2_000,
      connections: 2,
    });
  const journal = holdableJournal(createSqliteJournal({ path: demo.journalPath }));
  const routes = Object.fromEntries(
    Object.entries({ steam: '7', 'pubg-uc': '1911', 'steam-wallet-code': '1549', alseko: '815' }).map(
      ([service, serviceId]) => [
        service,
        [
          { provider: 'vf-a', serviceId },
          { provider: 'vf-b', serviceId },
        ],
      ],
    ),
  );
  const router = createRouter({
    providers: [
      provider('vf-a', '901', `http://127.0.0.1:${proxy.port}`),
      provider('vf-b', '902', demo.simulatorUrl),
    ],
    routes,
    journal,
    breaker: {
      volumeThreshold: 2,
      errorThresholdPercentage: 50,
      resetTimeout: 3_000,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
    },
    finalizer: { firstDelayMs: 2_000, maxDelayMs: 6_000, pollIntervalMs: 300, inFlightMs: 5_000 },
    onError: () => {},
  });
  const registry = new Registry();
  const instrumentation = instrumentRouter(router, { registry, balance: { intervalMs: 2_000 } });
  const handler = createMetricsHandler(registry);
  let server: HttpServer | null = null;
  const serve = async () => {
    const next = createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(demo.metricsPort, '127.0.0.1', () => resolve());
    });
    server = next;
  };
  const stopServing = async () => {
    const current = server;
    server = null;
    if (!current) return;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  };
  await serve();
  await router.start();
  // A check a second keeps its breakers exercised, as a kiosk's traffic would.
  let stopped = false;
  const traffic = (async () => {
    while (!stopped) {
      await router
        .checkAccount({ service: 'steam', account: 'galek10', amount: '100.00', currency: 'KZT' })
        .catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  return {
    router,
    instrumentation,
    journal,
    proxy,
    metricsPort: demo.metricsPort,
    serve,
    stopServing,
    async stop() {
      stopped = true;
      journal.release();
      await traffic;
      instrumentation.stop();
      await router.stop();
      await stopServing();
      await proxy.cut();
    },
  };
}
