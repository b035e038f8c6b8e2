import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { promtool } from '../../packages/metrics/test/promtool.js';
import { startMetricsServer } from './server.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Scrapes until `pattern` shows up: the first traffic round may still be in flight. */
async function scrapeUntil(url: string, pattern: RegExp): Promise<Response & { body_text: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url);
    const text = await response.text();
    if (pattern.test(text) || attempt >= 200) return Object.assign(response, { body_text: text });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('examples/metrics-server', () => {
  it('serves tolem and Node metrics on /metrics while the router works', async () => {
    const server = await startMetricsServer({ port: 0, trafficIntervalMs: 20 });
    try {
      expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await scrapeUntil(
        server.metricsUrl,
        /tolem_payments_total\{[^}]*state="succeeded"\} [1-9]/,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(response.body_text).toMatch(/tolem_payments_total\{[^}]*state="succeeded"\} [1-9]/);
      expect(response.body_text).toContain('tolem_circuit_breaker_state{provider="vf-a"} 0');
      expect(response.body_text).toContain('process_cpu_user_seconds_total');
      expect(response.body_text).not.toContain('vectrafin-sandbox');
      expect((await fetch(server.metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('runs as a program: prints where /metrics is, serves it, and exits cleanly on SIGTERM', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = fileURLToPath(new URL('./server.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', tsx, '--conditions=@tolem/source', script, '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /tolem metrics: (http:\/\/\S+\/metrics)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${stderr}`)));
    });
    const response = await fetch(url);
    expect(response.status, stderr).toBe(200);
    expect(await response.text()).toContain('# TYPE tolem_provider_requests_total counter');
    const exit = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(`${code} ${signal}`)),
    );
    child.kill('SIGTERM');
    expect(await exit, stderr).toBe('0 null');
  }, 60_000);

  it('ships a Prometheus config that promtool accepts, alert rules included', async () => {
    const result = await promtool([
      'check',
      'config',
      fileURLToPath(new URL('./prometheus.yml', import.meta.url)),
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS: 1 rule files found');
  });
});
