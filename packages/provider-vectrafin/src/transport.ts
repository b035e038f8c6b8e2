import {
  type CallOptions,
  ProviderUnavailableError,
  parseCallOptions,
  type Reason,
  scrub,
} from '@tolem/core';
import { type Dispatcher, Pool } from 'undici';
import { DEFAULT_QUEUE_TIMEOUT_CAP_MS, type VectrafinConfig } from './config.js';
import { DispatchQueue, type Slot } from './dispatch-queue.js';
import { parseWireJson, type WireValue } from './json-value.js';

/**
 * HTTP to VectraFin: the provider's own dispatch queue in front of one undici Pool, a timeout and an
 * AbortSignal per call, and never a retry (the router decides whether a Payment is resent). Every
 * failure without a usable answer becomes a transport reason (protocol §4.2): the outcome is unknown, never
 * final.
 *
 * "Nothing was sent" is decided by undici's own phase, never by an error's shape: a request is sent
 * (or may have been) from the moment undici starts writing it to a socket — it calls the handler's
 * `onRequestStart` right before writing the headers (client-h1 `writeH1`). A request that fails before
 * that never left: a refused or failed connect on every address (happy-eyeballs reports those as an
 * AggregateError without a syscall), a DNS failure, a connect or TLS handshake timeout. A request that
 * never got a connection from the queue is `not_dispatched`. Error codes only refine the message.
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
  | 'not_dispatched'
>;

export type TransportResult =
  | { ok: true; statusCode: number; document: WireValue }
  | { ok: false; reason: TransportReason; message: string; statusCode: number | null };

export type ContentType = 'form' | 'json';

const CONTENT_TYPES: Record<ContentType, string> = {
  form: 'application/x-www-form-urlencoded',
  json: 'application/json',
};

/** Larger answers (a month of GetPaymentsByDate is far smaller) are treated as malformed. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** After the request was written, these mean the answer did not come in time. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How one dispatched request ended, before it is turned into a TransportResult. */
type Ending =
  | { kind: 'answer'; statusCode: number; contentType: string | string[] | undefined; bytes: Uint8Array }
  | { kind: 'too_large'; statusCode: number }
  | { kind: 'error'; error: unknown; written: boolean }
  | { kind: 'timeout'; written: boolean; timeoutMs: number }
  | { kind: 'abort'; written: boolean; reason: unknown };

export class VectrafinTransport {
  readonly #config: VectrafinConfig;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #queue: DispatchQueue;
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
    this.#queue = new DispatchQueue(config.connections, config.queueLimit, config.id);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * POSTs `body` to `path` (relative to the base URL). Throws only when nothing was sent: the provider
   * is closed, the options are bad, the caller's signal was aborted before the request was written
   * (while it waited for a connection, or while its connection was being opened), or `onDispatch`
   * threw.
   */
  async post(
    path: string,
    body: string,
    type: ContentType,
    callOptions?: CallOptions,
  ): Promise<TransportResult> {
    if (this.#closed) {
      throw new ProviderUnavailableError('the provider is closed', { providerId: this.#config.id });
    }
    // The operations check these already; checked again here so no caller can reach a TypeError below.
    const options = parseCallOptions(callOptions);
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    const queueTimeoutMs = this.#config.queueTimeoutMs ?? Math.min(timeoutMs, DEFAULT_QUEUE_TIMEOUT_CAP_MS);
    options.signal?.throwIfAborted();

    const admission = await this.#queue.acquire(queueTimeoutMs, options.signal);
    if (!admission.admitted) {
      const { connections, queueLimit } = this.#config;
      return this.#fail(
        'not_dispatched',
        admission.why === 'full'
          ? `not sent: all ${connections} connections busy and ${queueLimit} requests already waiting`
          : `not sent: no free connection (of ${connections}) within ${admission.waitedMs} ms`,
        null,
      );
    }
    try {
      options.onDispatch?.();
    } catch (error) {
      admission.slot.release();
      throw error;
    }
    const ending = await this.#dispatch(path, body, type, timeoutMs, options.signal, admission.slot);
    return this.#conclude(ending);
  }

  /**
   * Hands the request to undici and follows its phases. Settles as soon as the outcome is known (a
   * timeout or an abort does not wait for the socket to close); the slot is released only when undici
   * is done with the request, so no more than `connections` requests are ever inside it.
   */
  #dispatch(
    path: string,
    body: string,
    type: ContentType,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    slot: Slot,
  ): Promise<Ending> {
    return new Promise<Ending>((resolve) => {
      let written = false;
      let settled = false;
      let controller: Dispatcher.DispatchController | null = null;
      // Set when the call gave up before the request was written: undici must then never write it.
      let withdrawn: Error | null = null;
      let statusCode = 0;
      let contentType: string | string[] | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;

      const settle = (ending: Ending) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ending);
      };
      const stop = (ending: Ending & { kind: 'timeout' | 'abort' }, reason: Error) => {
        if (settled) return;
        // Settled first: aborting makes undici call onResponseError synchronously.
        settle(ending);
        if (written) controller?.abort(reason);
        else withdrawn = reason;
      };
      const timedOut = new Error(`no answer within ${timeoutMs} ms`);
      const timer = setTimeout(() => stop({ kind: 'timeout', written, timeoutMs }, timedOut), timeoutMs);
      const onAbort = () => {
        const reason = signal?.reason;
        stop(
          { kind: 'abort', written, reason },
          reason instanceof Error ? reason : new Error('the call was aborted'),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) {
        // Aborted since it left the queue (by onDispatch, say): never hand it to undici.
        slot.release();
        settle({ kind: 'abort', written: false, reason: signal.reason });
        return;
      }

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(requestController) {
          // Called right before undici writes the request: from here on it may reach the provider.
          if (withdrawn !== null) {
            requestController.abort(withdrawn);
            return;
          }
          written = true;
          controller = requestController;
        },
        onResponseStart(_controller, status, headers) {
          if (status < 200) return;
          statusCode = status;
          contentType = headers['content-type'];
        },
        onResponseData(requestController, chunk) {
          if (tooLarge) return;
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            tooLarge = true;
            requestController.abort(new Error(`the answer exceeds ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          slot.release();
          settle({ kind: 'answer', statusCode, contentType, bytes: Buffer.concat(chunks, size) });
        },
        onResponseError(_controller, error) {
          slot.release();
          settle(tooLarge ? { kind: 'too_large', statusCode } : { kind: 'error', error, written });
        },
      };
      try {
        this.#dispatcher.dispatch(
          {
            origin: this.#config.origin,
            path: `${this.#config.basePath}${path}`,
            method: 'POST',
            headers: { 'content-type': CONTENT_TYPES[type], accept: 'application/json' },
            body,
            // Our own timer decides; these only back it up.
            headersTimeout: timeoutMs + 1_000,
            bodyTimeout: timeoutMs + 1_000,
          },
          handler,
        );
      } catch (error) {
        // A dispatcher that throws instead of calling onResponseError never wrote anything.
        slot.release();
        settle({ kind: 'error', error, written });
      }
    });
  }

  #conclude(ending: Ending): TransportResult {
    switch (ending.kind) {
      case 'answer':
        return this.#decode(ending.statusCode, ending.contentType, ending.bytes);
      case 'too_large':
        return this.#fail(
          'malformed_response',
          `the answer exceeds ${MAX_BODY_BYTES} bytes`,
          ending.statusCode,
        );
      case 'timeout':
        return ending.written
          ? this.#fail('timeout', `no answer within ${ending.timeoutMs} ms`, null)
          : this.#fail(
              'connection_refused',
              `could not connect within ${ending.timeoutMs} ms, nothing was sent`,
              null,
            );
      case 'abort':
        // Aborted before the request was written: nothing was sent, so the port says throw.
        if (!ending.written) throw ending.reason;
        return this.#fail('aborted', 'the call was aborted after the request was sent', null);
      case 'error':
        return this.#fault(ending.error, ending.written);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Requests still waiting for a connection were never sent: they throw ProviderUnavailableError.
    this.#queue.close();
    // An injected dispatcher belongs to the caller.
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #decode(
    statusCode: number,
    contentType: string | string[] | undefined,
    bytes: Uint8Array,
  ): TransportResult {
    const type = (Array.isArray(contentType) ? contentType.join(';') : (contentType ?? '')).toLowerCase();
    const success = statusCode >= 200 && statusCode < 300;
    const problem = (reason: TransportReason, what: string): TransportResult =>
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

  #fault(error: unknown, written: boolean): TransportResult {
    const codes = errorCodes(error);
    const detail = describe(error, codes);
    if (!written) {
      return this.#fail('connection_refused', `could not connect, nothing was sent (${detail})`, null);
    }
    if (codes.some((code) => TIMEOUT_CODES.has(code))) return this.#fail('timeout', detail, null);
    return this.#fail('connection_lost', `the connection failed mid-request (${detail})`, null);
  }

  #fail(reason: TransportReason, message: string, statusCode: number | null): TransportResult {
    return { ok: false, reason, message: scrub(message, [this.#config.password]), statusCode };
  }
}

/**
 * Every error code along the cause chain (undici wraps socket errors) and inside an AggregateError
 * (happy-eyeballs: one refused connect per address), each once.
 */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (current: unknown, depth: number) => {
    if (depth > 6 || typeof current !== 'object' || current === null) return;
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
    if (Array.isArray(errors)) for (const inner of errors.slice(0, 8)) visit(inner, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

function describe(error: unknown, codes: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = message === '' ? (error instanceof Error ? error.name : 'error') : message;
  return codes.length > 0 ? `${codes.join('/')}: ${text}` : text;
}
