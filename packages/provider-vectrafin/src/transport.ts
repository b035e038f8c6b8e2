import {
  type CallOptions,
  ProviderUnavailableError,
  parseCallOptions,
  type Reason,
  scrub,
} from '@tolem/core';
import { type Dispatcher, Pool } from 'undici';
import type { VectrafinConfig } from './config.js';
import { parseWireJson, type WireValue } from './json-value.js';

/**
 * HTTP to VectraFin: one undici Pool, a timeout and an AbortSignal per call, and never a retry (the
 * router decides whether a Payment is resent). Every failure without a usable answer becomes a
 * transport reason (protocol §4.2): the outcome is unknown, never final.
 */

export type TransportReason = Extract<
  Reason,
  | 'timeout'
  | 'connection_refused'
  | 'connection_lost'
  | 'empty_response'
  | 'malformed_response'
  | 'http_error'
  | 'aborted'
>;

export type Exchange =
  | { ok: true; statusCode: number; document: WireValue }
  | { ok: false; reason: TransportReason; message: string; statusCode: number | null };

export type ContentType = 'form' | 'json';

const CONTENT_TYPES: Record<ContentType, string> = {
  form: 'application/x-www-form-urlencoded',
  json: 'application/json',
};

/** Larger answers (a month of GetPaymentsByDate is far smaller) are treated as malformed. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Errors raised before a single byte of the request could leave: safe to send elsewhere. */
const NOTHING_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/**
 * Socket codes that mean "never connected" only when connect() raised them: Linux also reports an ICMP
 * "unreachable" on an established socket once its retransmissions give up, after the request may have left.
 */
const CONNECT_ONLY_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class VectrafinTransport {
  readonly #config: VectrafinConfig;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closed = false;

  constructor(config: VectrafinConfig) {
    this.#config = config;
    this.#ownsDispatcher = config.dispatcher === undefined;
    this.#dispatcher =
      config.dispatcher ??
      new Pool(config.origin, {
        connections: config.connections,
        connect: { timeout: Math.min(config.timeoutMs, 30_000) },
      });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * POSTs `body` to `path` (relative to the base URL). Throws only when nothing was sent: the provider
   * is closed, the options are bad, or the caller's signal was already aborted.
   */
  async post(path: string, body: string, type: ContentType, callOptions?: CallOptions): Promise<Exchange> {
    if (this.#closed) {
      throw new ProviderUnavailableError('the provider is closed', { providerId: this.#config.id });
    }
    // The operations check these already; checked again here so no caller can reach a TypeError below.
    const options = parseCallOptions(callOptions);
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    options.signal?.throwIfAborted();

    const controller = new AbortController();
    const timedOut = new Error(`no answer within ${timeoutMs} ms`);
    const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
    const forward = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forward, { once: true });
    try {
      const response = await this.#dispatcher.request({
        origin: this.#config.origin,
        path: `${this.#config.basePath}${path}`,
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPES[type], accept: 'application/json' },
        body,
        signal: controller.signal,
        // Our own timer decides; these only back it up.
        headersTimeout: timeoutMs + 1_000,
        bodyTimeout: timeoutMs + 1_000,
      });
      const bytes = await readBody(response.body);
      if (bytes === null) {
        return this.#fail(
          'malformed_response',
          `the answer exceeds ${MAX_BODY_BYTES} bytes`,
          response.statusCode,
        );
      }
      return this.#decode(response.statusCode, response.headers['content-type'], bytes);
    } catch (error) {
      if (controller.signal.aborted) {
        return controller.signal.reason === timedOut
          ? this.#fail('timeout', timedOut.message, null)
          : this.#fail('aborted', 'the call was aborted after the request was sent', null);
      }
      return this.#fault(error);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forward);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // An injected dispatcher belongs to the caller.
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #decode(statusCode: number, contentType: string | string[] | undefined, bytes: Uint8Array): Exchange {
    const type = (Array.isArray(contentType) ? contentType.join(';') : (contentType ?? '')).toLowerCase();
    const success = statusCode >= 200 && statusCode < 300;
    const problem = (reason: TransportReason, what: string): Exchange =>
      success
        ? this.#fail(reason, what, statusCode)
        : this.#fail(
            'http_error',
            `HTTP ${statusCode} with ${what.replace(/^the answer is /, '')}`,
            statusCode,
          );

    if (bytes.length === 0) return problem('empty_response', 'the answer is empty');
    const charset = /charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return problem('malformed_response', `the answer is encoded as ${charset}, not UTF-8`);
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return problem('malformed_response', 'the answer is not valid UTF-8');
    }
    if (text.trim() === '') return problem('empty_response', 'the answer is empty');
    if (type.includes('html') || text.trimStart().startsWith('<')) {
      return problem('malformed_response', 'the answer is an HTML page, not JSON');
    }
    try {
      return { ok: true, statusCode, document: parseWireJson(text) };
    } catch {
      return problem('malformed_response', 'the answer is not JSON');
    }
  }

  #fault(error: unknown): Exchange {
    const codes = errorCodes(error);
    const detail = describe(error, codes);
    if (nothingSent(error)) {
      return this.#fail('connection_refused', `could not connect, nothing was sent (${detail})`, null);
    }
    if (codes.some((code) => TIMEOUT_CODES.has(code))) return this.#fail('timeout', detail, null);
    return this.#fail('connection_lost', `the connection failed mid-request (${detail})`, null);
  }

  #fail(reason: TransportReason, message: string, statusCode: number | null): Exchange {
    return { ok: false, reason, message: scrub(message, [this.#config.password]), statusCode };
  }
}

async function readBody(body: Dispatcher.ResponseData['body']): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      return null;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Whether an error along the cause chain proves the request never left (see CONNECT_ONLY_CODES). */
function nothingSent(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const { code, syscall } = current as { code?: unknown; syscall?: unknown };
    if (typeof code === 'string' && NOTHING_SENT_CODES.has(code)) {
      if (!CONNECT_ONLY_CODES.has(code) || syscall === 'connect') return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Every error code along the cause chain (undici wraps socket errors). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function describe(error: unknown, codes: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 ? `${codes.join('/')}: ${message}` : message;
}
