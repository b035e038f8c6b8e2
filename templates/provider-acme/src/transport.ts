import {
  type CallOptions,
  type Outcome,
  outcome,
  ProviderUnavailableError,
  parseCallOptions,
  type Reason,
  scrub,
} from '@tolem/core';
import { type Dispatcher, Pool } from 'undici';
import type { AcmeConfig } from './options.js';

/**
 * One HTTP call to Acme: an answer, or an `unknown` outcome saying why there is none. It never retries
 * (the router decides whether a payment is sent again) and throws only when nothing was sent: the
 * provider is closed, the call options are bad, the caller's signal was aborted before the request
 * was written, or `onDispatch` threw.
 *
 * "Nothing was sent" is decided by undici's own phase, never by an error's shape: undici calls the
 * handler's `onRequestStart` right before it writes the request to a socket. A failure before that (a
 * refused connect on every address, a DNS failure, a connect timeout) sent nothing and is
 * `connection_refused`; a failure after it may have reached Acme, whatever its code, and is
 * `connection_lost`, `timeout` or `aborted` (architecture §4.9).
 *
 * The Pool opens as many connections as there are requests, so nothing waits in a local queue and
 * `onDispatch` is called right before the request is handed to undici. A provider that limits its
 * connections puts its own queue in front instead, calls `onDispatch` when a request leaves it, and
 * answers a request that waited too long `unknown` / `not_dispatched` (provider-vectrafin's
 * dispatch-queue.ts).
 */

export type AcmeAnswer =
  | { ok: true; statusCode: number; body: Readonly<Record<string, unknown>> }
  | { ok: false; outcome: Outcome };

type TransportReason = Extract<
  Reason,
  | 'timeout'
  | 'connection_refused'
  | 'connection_lost'
  | 'empty_response'
  | 'malformed_response'
  | 'http_error'
  | 'aborted'
>;

/** Larger answers are treated as malformed. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** How one dispatched request ended. */
type Ending =
  | { kind: 'answer'; statusCode: number; bytes: Buffer }
  | { kind: 'too_large' }
  | { kind: 'error'; error: unknown; written: boolean }
  | { kind: 'timeout'; written: boolean }
  | { kind: 'abort'; written: boolean; reason: unknown };

export class AcmeTransport {
  readonly #config: AcmeConfig;
  readonly #pool: Dispatcher;
  #closed = false;

  constructor(config: AcmeConfig) {
    this.#config = config;
    this.#pool = new Pool(config.origin, { connect: { timeout: config.connectTimeoutMs } });
  }

  /** Sends `method path` (relative to the base URL) with an optional JSON body. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    callOptions?: CallOptions,
  ): Promise<AcmeAnswer> {
    if (this.#closed)
      throw new ProviderUnavailableError('the provider is closed', { providerId: this.#config.id });
    const options = parseCallOptions(callOptions);
    options.signal?.throwIfAborted(); // nothing sent yet: throwing is allowed
    options.onDispatch?.(); // no local queue: the request leaves now; if it throws, nothing is sent
    const ending = await this.#dispatch(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      options.timeoutMs ?? this.#config.timeoutMs,
      options.signal,
    );
    return this.#conclude(ending);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  /** Hands the request to undici and follows its phases; settles as soon as the ending is known. */
  #dispatch(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Ending> {
    return new Promise<Ending>((resolve) => {
      let written = false;
      let settled = false;
      let controller: Dispatcher.DispatchController | null = null;
      // Set when the call gave up before the request was written: undici must then never write it.
      let withdrawn: Error | null = null;
      let statusCode = 0;
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;

      const settle = (ending: Ending): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ending);
      };
      const stop = (ending: Ending & { kind: 'timeout' | 'abort' }, reason: Error): void => {
        if (settled) return;
        settle(ending); // first: aborting makes undici call onResponseError at once
        if (written) controller?.abort(reason);
        else withdrawn = reason;
      };
      const timer = setTimeout(
        () => stop({ kind: 'timeout', written }, new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        stop({ kind: 'abort', written, reason }, reason instanceof Error ? reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(requestController) {
          // Right before undici writes the request: from here on it may reach Acme.
          if (withdrawn !== null) {
            requestController.abort(withdrawn);
            return;
          }
          written = true;
          controller = requestController;
        },
        onResponseStart(_controller, status) {
          if (status >= 200) statusCode = status;
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
          settle({ kind: 'answer', statusCode, bytes: Buffer.concat(chunks, size) });
        },
        onResponseError(_controller, error) {
          settle(tooLarge ? { kind: 'too_large' } : { kind: 'error', error, written });
        },
      };
      try {
        this.#pool.dispatch(
          {
            origin: this.#config.origin,
            path: `${this.#config.basePath}${path.replace(/^\//, '')}`,
            method,
            headers: {
              authorization: `Bearer ${this.#config.apiKey.reveal()}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body ?? null,
            // Our own timer decides; these only back it up.
            headersTimeout: timeoutMs + 1_000,
            bodyTimeout: timeoutMs + 1_000,
          },
          handler,
        );
      } catch (error) {
        // A dispatcher that throws instead of calling onResponseError never wrote anything.
        settle({ kind: 'error', error, written });
      }
    });
  }

  #conclude(ending: Ending): AcmeAnswer {
    switch (ending.kind) {
      case 'answer':
        return this.#decode(ending.statusCode, ending.bytes);
      case 'too_large':
        return this.#fail('malformed_response', `the answer exceeds ${MAX_BODY_BYTES} bytes`);
      case 'timeout':
        return ending.written
          ? this.#fail('timeout', 'no answer in time')
          : this.#fail('connection_refused', 'could not connect in time, nothing was sent');
      case 'abort':
        // Aborted before the request was written: nothing was sent, so the port says throw.
        if (!ending.written) throw ending.reason;
        return this.#fail('aborted', 'aborted by the caller after the request was sent');
      case 'error': {
        const detail = ending.error instanceof Error ? ending.error.message : String(ending.error);
        return ending.written
          ? this.#fail('connection_lost', `the connection failed mid-request (${detail})`)
          : this.#fail('connection_refused', `could not connect, nothing was sent (${detail})`);
      }
    }
  }

  /** Acme answers JSON objects with a `code`, on errors too (401, 404): read those whatever the HTTP status. */
  #decode(statusCode: number, bytes: Buffer): AcmeAnswer {
    const success = statusCode >= 200 && statusCode < 300;
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      return success
        ? this.#fail('empty_response', 'an empty answer')
        : this.#fail('http_error', `HTTP ${statusCode}`);
    }
    let parsed: unknown;
    try {
      // Acme sends ids and amounts as strings. A provider that sends them as JSON numbers parses
      // losslessly instead (lossless-json, as provider-vectrafin's json-value.ts does).
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'code' in parsed) {
      return { ok: true, statusCode, body: parsed as Record<string, unknown> };
    }
    return success
      ? this.#fail('malformed_response', 'not a JSON object with a code')
      : this.#fail('http_error', `HTTP ${statusCode} without an Acme answer`);
  }

  #fail(reason: TransportReason, message: string): AcmeAnswer {
    return { ok: false, outcome: outcome('unknown', reason, null, scrub(message, [this.#config.apiKey])) };
  }
}
