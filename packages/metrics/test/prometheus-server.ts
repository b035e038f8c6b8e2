import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port the OS just handed out on 127.0.0.1, released for the caller (tests never use fixed ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

const MISSING =
  'the prometheus binary is required by the @tolem/metrics Prometheus test and was not found. Install it with ' +
  '`apt-get install prometheus` (Debian/Ubuntu; .ci/run does this in CI) or set PROMETHEUS=/path/to/prometheus.';

/** Stops a child by PID: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export function stopChild(
  child: ChildProcess,
  graceMs = 5_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      try {
        process.kill(child.pid as number, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(child.pid as number, signal);
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

/** Children still running are killed by PID if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface PrometheusServer {
  url: string;
  /** Output so far, for failure messages. */
  log(): string;
  query(expr: string, time?: number): Promise<PromResult[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromResult[]>;
  alerts(): Promise<PromAlert[]>;
  rules(): Promise<PromRuleGroup[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}
export interface PromRuleGroup {
  name: string;
  rules: { name: string; type: string; health: string; lastError?: string; query: string }[];
}

/** Starts a real Prometheus with `config` in `dataDir`, listening on 127.0.0.1:`port`; resolves when ready. */
export async function startPrometheus(options: {
  configFile: string;
  dataDir: string;
  port: number;
}): Promise<PrometheusServer> {
  const command = process.env.PROMETHEUS || 'prometheus';
  const child = track(
    spawn(
      command,
      [
        `--config.file=${options.configFile}`,
        `--storage.tsdb.path=${options.dataDir}`,
        `--web.listen-address=127.0.0.1:${options.port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(MISSING, { cause: error }) : error),
    ),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const server: PrometheusServer = {
    url,
    log: () => output,
    query: async (expr, time) =>
      (
        await api<{ result: PromResult[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}${time === undefined ? '' : `&time=${time}`}`,
        )
      ).result,
    queryRange: async (expr, start, end, step) =>
      (
        await api<{ result: PromResult[] }>(
          `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`,
        )
      ).result,
    alerts: async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts,
    rules: async () => (await api<{ groups: PromRuleGroup[] }>('/api/v1/rules')).groups,
    labelValues: (label, match) =>
      api<string[]>(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`),
    stop: () => stopChild(child),
  };
  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${output}`);
      try {
        if ((await fetch(`${url}/-/ready`)).ok) return server;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus did not get ready: ${output}`);
  })();
  try {
    return await Promise.race([ready, spawnError]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
