import { ProviderUnavailableError } from '@tolem/core';

/** A free connection, held until the HTTP client is done with the request; release once. */
export interface Slot {
  release(): void;
}

export type Admission =
  | { admitted: true; slot: Slot }
  /** The request never left: the queue was full, or no connection came free in time. */
  | { admitted: false; why: 'full' | 'timeout'; waitedMs: number };

interface Waiter {
  grant(): void;
  fail(error: unknown): void;
}

/**
 * The provider's own queue in front of its connection pool: at most `connections` requests are handed
 * to the HTTP client at once, so a request either waits here — where it can still be withdrawn,
 * provably unsent — or gets a connection (or its own connect) straight away. At most `limit` wait,
 * each for at most its own timeout, first come first served.
 */
export class DispatchQueue {
  readonly #connections: number;
  readonly #limit: number;
  readonly #providerId: string;
  readonly #waiting: Waiter[] = [];
  #inFlight = 0;
  #closed = false;

  constructor(connections: number, limit: number, providerId: string) {
    this.#connections = connections;
    this.#limit = limit;
    this.#providerId = providerId;
  }

  /** Requests holding a slot, and requests waiting for one. */
  get load(): { inFlight: number; waiting: number } {
    return { inFlight: this.#inFlight, waiting: this.#waiting.length };
  }

  /**
   * Waits for a slot. Resolves not admitted when the queue is full or `timeoutMs` passes first;
   * rejects with the signal's reason when it is aborted meanwhile, and with ProviderUnavailableError
   * when the queue is closed. Either way the request was never dispatched.
   */
  acquire(timeoutMs: number, signal?: AbortSignal): Promise<Admission> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#inFlight < this.#connections && this.#waiting.length === 0) {
      return Promise.resolve({ admitted: true, slot: this.#take() });
    }
    if (this.#waiting.length >= this.#limit)
      return Promise.resolve({ admitted: false, why: 'full', waitedMs: 0 });
    if (timeoutMs <= 0) return Promise.resolve({ admitted: false, why: 'timeout', waitedMs: 0 });
    const since = Date.now();
    return new Promise<Admission>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve({ admitted: true, slot: this.#take() });
        },
        fail: (error) => {
          leave();
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        leave();
        resolve({ admitted: false, why: 'timeout', waitedMs: Date.now() - since });
      }, timeoutMs);
      const onAbort = () => waiter.fail(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Refuses new requests and rejects every waiting one; slots already held are released as usual. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = this.#closedError();
    for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
  }

  #take(): Slot {
    this.#inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        this.#next();
      },
    };
  }

  #next(): void {
    while (!this.#closed && this.#inFlight < this.#connections) {
      const waiter = this.#waiting[0];
      if (waiter === undefined) return;
      waiter.grant();
    }
  }

  #closedError(): ProviderUnavailableError {
    return new ProviderUnavailableError('the provider is closed', { providerId: this.#providerId });
  }
}
