/**
 * A router with Prometheus metrics on a plain node:http server: the smallest complete setup.
 *
 *   cd examples && npx tsx --conditions=@tolem/source metrics-server/server.ts [--port 9464]
 *
 * It starts the VectraFin simulator, routes Steam top-ups over two provider instances, sends a little
 * traffic every few seconds (some of it declined, some slow), polls balances, and serves `/metrics`
 * until Ctrl-C. Point Prometheus at the printed URL (see metrics-server/prometheus.yml).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createMemoryJournal } from '@tolem/core';
import { createMetricsHandler, instrumentRouter } from '@tolem/metrics';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import { createRouter } from '@tolem/router';
import { DEMO_AGENT_ID, DEMO_PASSWORD, startSimulator } from '@tolem/vectrafin-simulator';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** Port of `/metrics` (default 9464; 0 picks a free one). */
  port?: number;
  host?: string;
  /** Time between two rounds of demo traffic (default 5000 ms). */
  trafficIntervalMs?: number;
}

export interface MetricsServer {
  /** Where Prometheus scrapes: `http://host:port/metrics`. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** Accounts of the simulator's Steam service: a valid one, a missing one, a slow one. */
const ACCOUNTS = ['galek10', 'galek10', 'iamkackbip', 'no-such-user', 'slow-user'];

export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const simulator = await startSimulator({ seed: 'metrics-example' });
  const provider = (id: string) =>
    createVectrafinProvider({ id, baseUrl: simulator.url, agentId: DEMO_AGENT_ID, password: DEMO_PASSWORD });
  const router = createRouter({
    providers: [provider('vf-a'), provider('vf-b')],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    journal: createMemoryJournal(),
    finalizer: { firstDelayMs: 1_000 },
    // Demo traffic sells no sendType 'api' vouchers (see the router README, "Voucher codes").
    vouchers: false,
  });

  // One registry for the whole process: tolem's metrics plus Node's own (the library never adds those).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = instrumentRouter(router, { registry, balance: { intervalMs: 30_000 } });
  await router.start();

  const server = createServer(createMetricsHandler(registry));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;

  let round = 0;
  const inFlight = new Set<Promise<unknown>>();
  const traffic = setInterval(() => {
    round += 1;
    const account = ACCOUNTS[round % ACCOUNTS.length] ?? 'galek10';
    const request = { service: 'steam', account, amount: '100.00', currency: 'KZT' };
    const work = router
      .checkAccount(request)
      .then(() => router.pay({ ...request, paymentId: `example-${Date.now()}-${round}` }))
      .catch((error: unknown) => console.error('demo traffic:', error))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  }, options.trafficIntervalMs ?? 5_000);
  traffic.unref();

  return {
    metricsUrl: `http://${address}:${port}/metrics`,
    async close() {
      clearInterval(traffic);
      await Promise.all(inFlight);
      metrics.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await router.stop();
      await simulator.close();
    },
  };
}

function portFromArgs(args: readonly string[]): number | undefined {
  const index = args.indexOf('--port');
  if (index < 0) return undefined;
  const port = Number(args[index + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('--port takes a number from 0 to 65535');
  return port;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await startMetricsServer({ port: portFromArgs(process.argv.slice(2)) });
  console.log(`tolem metrics: ${running.metricsUrl}`);
  console.log('Ctrl-C to stop');
  const shutdown = () => {
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
