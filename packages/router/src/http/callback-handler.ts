import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConfig } from '@tolem/core';
import * as z from 'zod';
import type { CallbackHandling, Router } from '../types.js';
import { RouterWarning } from '../warnings.js';

export interface CallbackHandlerOptions {
  /** Largest body accepted; bigger ones get 413 without being read. Default 16 384. */
  maxBodyBytes?: number;
  /**
   * A shared secret the provider puts in the URL (`/callbacks/<token>/<provider>`), compared in
   * constant time: set it. Without it the path is `/callbacks/<provider>`, anyone who finds the
   * endpoint can post callbacks, and the router warns once (`TOLEM_CALLBACKS_WITHOUT_TOKEN`).
   */
  pathToken?: string;
  /** Path prefix. Default `/callbacks`. */
  basePath?: string;
}

const optionsSchema = z.object({
  maxBodyBytes: z.number().int().min(64).max(10_485_760).default(16_384),
  pathToken: z
    .string()
    .min(16, { error: 'at least 16 characters' })
    .regex(/^[A-Za-z0-9._~-]+$/, { error: 'URL-safe characters only' })
    .optional(),
  basePath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, { error: 'a path like "/callbacks"' })
    .default('/callbacks'),
});

const STATUS: Record<CallbackHandling['result'], number> = {
  confirmed: 200,
  unchanged: 200,
  // Accepted: the hint is answered from the journal and a Status follows when the interval ends.
  throttled: 200,
  rejected: 404,
  invalid: 400,
};

/**
 * A node:http request listener for provider callbacks: POST only, JSON only, a body size limit, a
 * shared-secret path token. Mount it on its own server or call it from a framework route.
 */
export function createCallbackHandler(
  router: Pick<Router, 'handleCallback' | 'providers'> & Partial<Pick<Router, 'warn'>>,
  options: CallbackHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const settings = parseConfig(optionsSchema, options);
  if (settings.pathToken === undefined) {
    const warning = new RouterWarning(
      'TOLEM_CALLBACKS_WITHOUT_TOKEN',
      `callbacks are mounted at ${settings.basePath}/<provider> without a pathToken: anyone who finds the URL can post callbacks (each is still confirmed with Status); set pathToken and give the provider ${settings.basePath}/<token>/<provider>`,
    );
    if (router.warn === undefined) {
      process.emitWarning(warning.message, { type: warning.name, code: warning.code });
    } else {
      router.warn(warning);
    }
  }
  const tokenDigest = settings.pathToken === undefined ? null : digest(settings.pathToken);
  const prefix = `${settings.basePath}/`;

  return (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(prefix)) return reply(response, 404, { error: 'not found' });
    const segments = path.slice(prefix.length).split('/');
    let providerSegment: string | undefined;
    if (tokenDigest === null) {
      if (segments.length !== 1) return reply(response, 404, { error: 'not found' });
      providerSegment = segments[0];
    } else {
      if (segments.length !== 2 || !timingSafeEqual(digest(segments[0] ?? ''), tokenDigest)) {
        return reply(response, 404, { error: 'not found' });
      }
      providerSegment = segments[1];
    }
    const providerId = decode(providerSegment ?? '');
    if (providerId === null || !router.providers.has(providerId))
      return reply(response, 404, { error: 'not found' });
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return reply(response, 405, { error: 'POST only' });
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return reply(response, 415, { error: 'application/json only' });
    const declared = Number(request.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > settings.maxBodyBytes) {
      return reply(response, 413, { error: 'body too large' }, true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > settings.maxBodyBytes) {
        refused = true;
        reply(response, 413, { error: 'body too large' }, true);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      refused = true;
    });
    request.on('end', () => {
      if (refused) return;
      router.handleCallback(providerId, Buffer.concat(chunks)).then(
        (handled) => reply(response, STATUS[handled.result], { result: handled.result }),
        () => reply(response, 500, { error: 'callback not processed' }),
      );
    });
  };
}

function digest(value: string): Buffer {
  // Hashing first gives equal lengths, so the comparison leaks neither content nor length.
  return createHash('sha256').update(value).digest();
}

function decode(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment);
    return value === '' ? null : value;
  } catch {
    return null;
  }
}

function reply(response: ServerResponse, status: number, body: Record<string, string>, close = false): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  if (close) response.setHeader('connection', 'close');
  response.end(JSON.stringify(body));
}
