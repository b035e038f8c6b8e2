import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '@tolem/core';
import { int, writeJson } from './json-writer.js';
import { statusMessage } from './status-codes.js';
import type { Timers } from './timers.js';

/** How the simulator calls the agent back when a payment turns final (protocol §3.16). */
export interface CallbackOptions {
  /** Extra identical deliveries right after the first one (default 0). */
  duplicates?: number;
  /** Wait before the first delivery, in ms (default 0). */
  delayMs?: number;
  /** One more identical delivery this long after the first, in ms (default: none). */
  lateMs?: number;
  /** Per-delivery timeout, in ms (default 5000). */
  timeoutMs?: number;
  /** Retries of a failed delivery (no connection, timeout, non-2xx), default 0. */
  retries?: number;
  /** Wait between retries, in ms (default 200). */
  retryDelayMs?: number;
}

/** What a callback says: the provider's CallBack body fields. */
export interface CallbackMessage {
  transactionId: string;
  providerRequestId: string;
  status: number;
  /** Defaults to the status's Russian message. */
  message?: string;
}

export type DeliveryKind = 'first' | 'duplicate' | 'late' | 'retry' | 'manual';

export interface CallbackDelivery {
  url: string;
  kind: DeliveryKind;
  transactionId: string;
  status: number;
  /** The exact body posted. */
  body: string;
  /** The agent's HTTP status, or null when no answer came. */
  httpStatus: number | null;
  /** Why the delivery failed without an answer. */
  error: string | null;
  at: Date;
}

interface ResolvedCallbackOptions {
  duplicates: number;
  delayMs: number;
  lateMs: number | null;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

/** Posts CallBack bodies to agents and keeps a log of every delivery. */
export class CallbackSender {
  readonly #options: ResolvedCallbackOptions;
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #deliveries: CallbackDelivery[] = [];
  readonly #tasks = new Set<Promise<void>>();

  constructor(options: CallbackOptions, timers: Timers, clock: Clock) {
    this.#options = {
      duplicates: options.duplicates ?? 0,
      delayMs: options.delayMs ?? 0,
      lateMs: options.lateMs ?? null,
      timeoutMs: options.timeoutMs ?? 5000,
      retries: options.retries ?? 0,
      retryDelayMs: options.retryDelayMs ?? 200,
    };
    this.#timers = timers;
    this.#clock = clock;
  }

  /** Schedules the deliveries of a payment that just turned final, as configured. */
  notify(url: string, message: CallbackMessage): void {
    const options = this.#options;
    this.#run(async () => {
      if (!(await this.#timers.sleep(options.delayMs))) return;
      await this.#deliverWithRetries(url, message, 'first');
      for (let copy = 0; copy < options.duplicates; copy++) await this.#deliver(url, message, 'duplicate');
      if (options.lateMs !== null && (await this.#timers.sleep(options.lateMs))) {
        await this.#deliver(url, message, 'late');
      }
    });
  }

  /** Posts one callback now, e.g. for a TransactionID the agent never sent. */
  async send(url: string, message: CallbackMessage): Promise<CallbackDelivery> {
    let delivery: CallbackDelivery | undefined;
    await this.#run(async () => {
      delivery = await this.#deliver(url, message, 'manual');
    });
    if (!delivery) throw new Error('the simulator is closed');
    return delivery;
  }

  /** Every delivery so far, oldest first. */
  deliveries(): CallbackDelivery[] {
    return this.#deliveries.map((delivery) => ({ ...delivery, at: new Date(delivery.at) }));
  }

  /** Resolves once every scheduled delivery (late ones included) is done. */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  #run(task: () => Promise<void>): Promise<void> {
    if (this.#timers.closed) return Promise.resolve();
    const running = this.#timers.track(task());
    this.#tasks.add(running);
    const forget = () => this.#tasks.delete(running);
    running.then(forget, forget);
    return running;
  }

  async #deliverWithRetries(url: string, message: CallbackMessage, kind: DeliveryKind): Promise<void> {
    let delivery = await this.#deliver(url, message, kind);
    for (let retry = 0; retry < this.#options.retries && !succeeded(delivery); retry++) {
      if (!(await this.#timers.sleep(this.#options.retryDelayMs))) return;
      delivery = await this.#deliver(url, message, 'retry');
    }
  }

  async #deliver(url: string, message: CallbackMessage, kind: DeliveryKind): Promise<CallbackDelivery> {
    const body = callbackBody(message);
    const at = this.#clock.now();
    const result = await post(url, body, this.#options.timeoutMs);
    const delivery: CallbackDelivery = {
      url,
      kind,
      transactionId: message.transactionId,
      status: message.status,
      body,
      httpStatus: result.status,
      error: result.error,
      at,
    };
    this.#deliveries.push(delivery);
    return delivery;
  }
}

/** The CallBack body of the spec: RequestID, ResponseType, TransactinID (sic), ResponseStatus, Message. */
export function callbackBody(message: CallbackMessage): string {
  return writeJson({
    RequestID: int(message.providerRequestId),
    ResponseType: 'CallBack',
    TransactinID: int(message.transactionId),
    ResponseStatus: int(message.status),
    Message: message.message ?? statusMessage(message.status),
  });
}

function succeeded(delivery: CallbackDelivery): boolean {
  return delivery.httpStatus !== null && delivery.httpStatus >= 200 && delivery.httpStatus < 300;
}

function post(
  url: string,
  body: string,
  timeoutMs: number,
): Promise<{ status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null) => {
      if (!settled) {
        settled = true;
        resolve({ status, error });
      }
    };
    try {
      const send = url.startsWith('https:') ? httpsRequest : httpRequest;
      const payload = Buffer.from(body, 'utf8');
      const outgoing = send(url, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length },
      });
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('response', (response) => {
        response.resume();
        response.on('end', () => finish(response.statusCode ?? null, null));
        response.on('error', (error) => finish(response.statusCode ?? null, error.message));
      });
      outgoing.on('error', (error) => finish(null, error.message));
      outgoing.end(payload);
    } catch (error) {
      finish(null, error instanceof Error ? error.message : String(error));
    }
  });
}
