import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConfig } from '@tolem/core';
import type { Registry, RegistryContentType } from 'prom-client';
import * as z from 'zod';

export interface MetricsHandlerOptions {
  /** Path served (default `/metrics`); anything else is a 404. */
  path?: string;
}

export type MetricsRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** What the handler needs of a prom-client `Registry` (either content type). */
export type MetricsSource = Pick<Registry<RegistryContentType>, 'metrics' | 'contentType'>;

const sourceSchema = z.custom<MetricsSource>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as MetricsSource).metrics === 'function',
  { error: 'a prom-client Registry is required' },
);

const PATH_RULE = 'must be a string starting with "/"';

const optionsSchema = z
  .object(
    { path: z.string({ error: PATH_RULE }).startsWith('/', { error: PATH_RULE }).default('/metrics') },
    { error: 'an object { path? } is required' },
  )
  // A misspelt option (`paht`) must not silently serve the default path.
  .strict();

/**
 * A node:http request listener serving `registry` in the Prometheus text format: GET and HEAD on
 * `/metrics` (query strings ignored), 405 for other methods there, 404 elsewhere. Use it as the whole
 * server (`http.createServer(handler)`) or call it from your own routing.
 */
export function createMetricsHandler(
  registry: MetricsSource,
  options: MetricsHandlerOptions = {},
): MetricsRequestListener {
  parseConfig(sourceSchema, registry, 'registry');
  const { path } = parseConfig(optionsSchema, options);
  return (request, response) => {
    const url = request.url ?? '/';
    const pathname = url.split('?', 1)[0];
    if (pathname !== path) {
      send(response, 404, 'text/plain; charset=utf-8', 'not found\n', request.method === 'HEAD');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
      return;
    }
    registry.metrics().then(
      (text) => send(response, 200, registry.contentType, text, request.method === 'HEAD'),
      // The cause stays in the process: a scrape must not leak internals to whoever can reach the port.
      () => send(response, 500, 'text/plain; charset=utf-8', 'metrics collection failed\n', false),
    );
  };
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headOnly: boolean,
): void {
  if (response.headersSent || response.destroyed) return;
  response.statusCode = status;
  response.setHeader('content-type', contentType);
  response.setHeader('content-length', Buffer.byteLength(body));
  response.setHeader('cache-control', 'no-store');
  response.end(headOnly ? undefined : body);
}
