import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@tolem/core';
import { Counter, Gauge, type OpenMetricsContentType, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsHandler, type MetricsHandlerOptions, type MetricsSource } from './metrics-handler.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(registry: MetricsSource, options?: MetricsHandlerOptions): Promise<string> {
  const server = createServer(createMetricsHandler(registry, options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function registryWithCounter(): Registry {
  const registry = new Registry();
  const counter = new Counter({ name: 'demo_things_total', help: 'Things.', registers: [registry] });
  counter.inc(3);
  return registry;
}

describe('createMetricsHandler', () => {
  it('serves the registry on GET /metrics with its content type, ignoring a query string', async () => {
    const registry = registryWithCounter();
    const base = await serve(registry);
    for (const path of ['/metrics', '/metrics?debug=1']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(registry.contentType);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = await response.text();
      expect(body).toContain('# TYPE demo_things_total counter');
      expect(body).toContain('demo_things_total 3');
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const registry = registryWithCounter();
    const base = await serve(registry);
    const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(await registry.metrics()));
    expect(await response.text()).toBe('');
  });

  it('refuses other methods on /metrics with 405 and an Allow header, and other paths with 404', async () => {
    const base = await serve(registryWithCounter());
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(`${base}/metrics`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.text()).not.toContain('demo_things_total');
    }
    for (const path of ['/', '/metrics/', '/metricsx', '/other/metrics']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('demo_things_total');
    }
  });

  it('serves a custom path only', async () => {
    const base = await serve(registryWithCounter(), { path: '/internal/prom' });
    expect((await fetch(`${base}/internal/prom`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  it('answers 500 without the cause when a collector fails', async () => {
    const registry = new Registry();
    new Gauge({
      name: 'demo_broken',
      help: 'Broken.',
      registers: [registry],
      collect() {
        throw new Error('password=hunter2 in a connection string');
      },
    });
    const base = await serve(registry);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toBe('metrics collection failed\n');
    expect(body).not.toContain('hunter2');
  });

  it('passes an OpenMetrics registry content type through', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    new Counter({
      name: 'demo_events_total',
      help: 'Events.',
      registers: [registry as unknown as Registry],
    }).inc();
    const base = await serve(registry);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(await response.text()).toContain('# EOF');
  });

  it('refuses a missing registry or a path that does not start with "/"', () => {
    expect(() => createMetricsHandler(undefined as never)).toThrow(ConfigError);
    expect(() => createMetricsHandler(new Registry(), { path: 'metrics' })).toThrow(/path/);
  });

  it('names the offending option: the registry, a path, a misspelt option, options that are not an object', () => {
    const option = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(ConfigError.is(error)).toBe(true);
        return (error as ConfigError).option;
      }
      throw new Error('no error thrown');
    };
    expect(option(() => createMetricsHandler({} as never))).toBe('registry');
    expect(option(() => createMetricsHandler(new Registry(), { path: 5 } as never))).toBe('path');
    expect(option(() => createMetricsHandler(new Registry(), { paht: '/m' } as never))).toBe('paht');
    expect(option(() => createMetricsHandler(new Registry(), null as never))).toBe('options');
  });
});
