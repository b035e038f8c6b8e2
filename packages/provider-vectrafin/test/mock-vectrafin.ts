import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, MockAgent } from 'undici';
import { createVectrafinProvider, type VectrafinOptions, type VectrafinProvider } from '../src/index.js';

/** Test helpers: spec samples as raw text, and a provider wired to an undici MockAgent. */

export type Half = 'ru' | 'en';

/** The raw text of a fixture file under test/fixtures (`ru/payment.response.json`). */
export function fixture(half: Half, name: string): string {
  return readFileSync(new URL(`fixtures/${half}/${name}`, import.meta.url), 'utf8');
}

/** A form request sample from the Postman collection: its URL and ordered fields. */
export function formSample(half: Half, name: string): { url: string; fields: [string, string][] } {
  return JSON.parse(fixture(half, `${name}.request.form.json`)) as {
    url: string;
    fields: [string, string][];
  };
}

export const ORIGIN = 'https://processing.vectrafin.test';
export const PASSWORD = 'pa$$-W0rd&=+ secret';
export const AGENT_ID = '144';
/** 2024-07-09 12:05:36 in Moscow (UTC+3). */
export const FIXED_NOW = new Date('2024-07-09T09:05:36Z');

export interface Sent {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** The form fields, in order (empty for JSON bodies). */
  fields: [string, string][];
}

export interface Reply {
  status?: number;
  body: string | Buffer;
  headers?: IncomingHttpHeaders;
}

export interface MockSetup {
  agent: MockAgent;
  provider: VectrafinProvider;
  sent: Sent[];
  /** Queues the next answers, in order; each is used once. */
  reply(...replies: (Reply | string)[]): void;
  /**
   * Queues an error as the next answer, raised where undici would raise it: `before-write` while
   * connecting (nothing of the request was written: refused, DNS, connect timeout), or `after-write`
   * once undici started writing the request (a reset, a timeout waiting for the answer).
   */
  replyWithError(error: Error, phase: ErrorPhase): void;
  close(): Promise<void>;
}

function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      record[key.toLowerCase()] = String(value);
    }
  }
  return record;
}

export type ErrorPhase = 'before-write' | 'after-write';

/** A scripted answer: MockAgent's own (its intercepts, in order), or an error after the write. */
type Scripted = { kind: 'mock' } | { kind: 'error-after-write'; error: Error };

/**
 * A MockAgent that records every request dispatched through it, answered or not. MockAgent raises a
 * `replyWithError` before the request is "written" (it never calls onRequestStart first), which is
 * right for connect errors only; errors after the write are raised here in undici's order instead.
 */
class RecordingMockAgent extends MockAgent {
  readonly #record: (options: Dispatcher.DispatchOptions) => void;
  readonly script: Scripted[] = [];

  constructor(record: (options: Dispatcher.DispatchOptions) => void) {
    super();
    this.#record = record;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const next = this.script.shift();
    if (next?.kind === 'error-after-write') {
      this.#record(options);
      setImmediate(() => failAfterWrite(handler, next.error));
      return true;
    }
    this.#record(options);
    return super.dispatch(options, handler);
  }
}

/** What undici does when the socket fails after it began writing: onRequestStart, then the error. */
function failAfterWrite(handler: Dispatcher.DispatchHandler, error: Error): void {
  let aborted = false;
  const controller: Dispatcher.DispatchController = {
    get aborted() {
      return aborted;
    },
    get paused() {
      return false;
    },
    get reason() {
      return null;
    },
    abort() {
      aborted = true;
    },
    pause() {},
    resume() {},
  };
  if (handler.onRequestStart) {
    handler.onRequestStart(controller, null);
    handler.onResponseError?.(controller, error);
  } else {
    handler.onConnect?.(() => undefined);
    handler.onError?.(error);
  }
}

/** A provider whose every request goes to a MockAgent (never the global dispatcher). */
export function mockVectrafin(options: Partial<VectrafinOptions> = {}): MockSetup {
  const sent: Sent[] = [];
  const agent = new RecordingMockAgent((opts) => {
    const body = typeof opts.body === 'string' ? opts.body : String(opts.body ?? '');
    const headers = headerRecord(opts.headers);
    const fields = headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ? [...new URLSearchParams(body).entries()]
      : [];
    sent.push({ path: opts.path, body, headers, fields });
  });
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  let closed = false;
  const provider = createVectrafinProvider({
    id: 'vf-test',
    baseUrl: ORIGIN,
    agentId: AGENT_ID,
    password: PASSWORD,
    dispatcher: agent,
    clock: { now: () => FIXED_NOW },
    ...options,
  });
  return {
    agent,
    provider,
    sent,
    reply(...replies) {
      for (const item of replies) {
        const reply = typeof item === 'string' ? { body: item } : item;
        pool
          .intercept({ path: () => true, method: 'POST' })
          .reply(() => {
            return {
              statusCode: reply.status ?? 200,
              data: reply.body,
              responseOptions: {
                headers: reply.headers ?? { 'content-type': 'application/json; charset=utf-8' },
              },
            };
          })
          .times(1);
        agent.script.push({ kind: 'mock' });
      }
    },
    replyWithError(error, phase) {
      if (phase === 'after-write') {
        agent.script.push({ kind: 'error-after-write', error });
        return;
      }
      pool.intercept({ path: () => true, method: 'POST' }).replyWithError(error);
      agent.script.push({ kind: 'mock' });
    },
    async close() {
      if (closed) return;
      closed = true;
      await provider.close();
      await agent.close();
    },
  };
}

/** An error shaped like the ones Node's sockets raise (`syscall`: 'connect', 'read', 'write', …). */
export function socketError(code: string, message = code, syscall?: string): Error {
  return Object.assign(new Error(message), syscall === undefined ? { code } : { code, syscall });
}
