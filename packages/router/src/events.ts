import { EventEmitter } from 'node:events';
import type { PaymentState, Reason, Secret } from '@tolem/core';

/** Operations a provider call can be, as reported in `provider.call` events and metrics labels. */
export type ProviderOperation =
  | 'checkAccount'
  | 'pay'
  | 'getStatus'
  | 'getBalance'
  | 'quote'
  | 'listServices'
  | 'listPayments'
  | 'submitRegistry'
  | 'submitDailyTotals';

export type BreakerState = 'closed' | 'half_open' | 'open';

/**
 * Everything the router reports. Payloads carry no account, amount, transaction id or secret beyond
 * the `paymentId` the caller chose (metrics must not put that in a label either) — except the
 * `voucher` event's code, as a Secret.
 */
export interface RouterEvents {
  /** One call to a provider finished (or was refused by its breaker: `rejected`). */
  'provider.call': {
    provider: string;
    operation: ProviderOperation;
    state: PaymentState;
    reason: Reason | null;
    /**
     * From the moment the request left (the provider's `onDispatch`, else the call) to its outcome;
     * 0 when it never left: refused by the breaker, or a `local` reason such as `not_dispatched`.
     */
    durationMs: number;
    /** True when the breaker refused the call and nothing was sent. */
    rejected: boolean;
  };
  /** A payment's journaled state changed. */
  'payment.updated': {
    paymentId: string;
    service: string;
    provider: string | null;
    state: PaymentState;
    final: boolean;
    reason: Reason | null;
    previousState: PaymentState;
  };
  /** A payment reached its final state (once per payment). */
  'payment.final': {
    paymentId: string;
    service: string;
    provider: string | null;
    state: 'succeeded' | 'failed';
    reason: Reason | null;
    /** From creation to finality. */
    durationMs: number;
  };
  /** A payment stayed open past the escalation age (emitted once when it crosses it). */
  'payment.stuck': {
    paymentId: string;
    service: string;
    provider: string | null;
    state: PaymentState;
    ageMs: number;
  };
  /**
   * A person made a payment final by hand (`router.resolve`): `confirmation` says what backed it —
   * `provider` (its Status answers agree), `journal` (no attempt can have moved money) or `evidence`
   * (the provider could not confirm it; the person's evidence is in the payment's history). `actor` is
   * the person's name, as given. Emitted after `payment.updated` and `payment.final`.
   */
  'payment.resolved': {
    paymentId: string;
    service: string;
    provider: string | null;
    state: 'succeeded' | 'failed';
    confirmation: 'provider' | 'journal' | 'evidence';
    actor: string;
  };
  'breaker.state': { provider: string; state: BreakerState; previous: BreakerState };
  /** A call moved to the next provider of a route. */
  failover: {
    service: string;
    operation: ProviderOperation;
    from: string;
    to: string;
    /** Why the first provider was left: a canonical reason or `breaker_open` / `unavailable`. */
    reason: Reason | 'breaker_open' | 'unavailable';
    paymentId: string | null;
  };
  /**
   * The voucher code of a `sendType: 'api'` payment arrived with its success (from the first answer,
   * the finalizer or a callback's Status), once per payment. For in-process consumers: `code` is a
   * Secret (printed, inspected and serialised as `[redacted]`; `code.reveal()` gives it). `kept`: it
   * was sealed into the journal (a voucher key is configured).
   */
  voucher: {
    paymentId: string;
    service: string;
    provider: string | null;
    code: Secret;
    kept: boolean;
  };
  /**
   * A finalizer pass finished: it claimed the due payments and checked each (a check that failed is
   * reported to `onError`, not here). Emitted by the background loop and by `finalizeDue()`; the
   * metrics' finalizer heartbeat. Not emitted when the claim itself failed (the journal did not answer).
   */
  'finalizer.pass': {
    /** Payments claimed for a re-check in this pass. */
    claimed: number;
    durationMs: number;
  };
  /** A provider callback was handled (`result` as in CallbackHandling). */
  callback: {
    provider: string;
    result: 'confirmed' | 'unchanged' | 'throttled' | 'rejected' | 'invalid';
    paymentId: string | null;
  };
}

export type RouterEventName = keyof RouterEvents;
export type RouterListener<K extends RouterEventName> = (event: RouterEvents[K]) => void;

/**
 * A typed event bus. `emit` takes a thunk so that building a payload costs nothing when nobody listens;
 * a listener that throws is isolated (reported on `error` listeners if any) and never breaks a payment.
 */
export class RouterEventBus {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  on<K extends RouterEventName>(name: K, listener: RouterListener<K>): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  off<K extends RouterEventName>(name: K, listener: RouterListener<K>): void {
    this.#emitter.off(name, listener);
  }

  hasListeners(name: RouterEventName): boolean {
    return this.#emitter.listenerCount(name) > 0;
  }

  emit<K extends RouterEventName>(name: K, payload: RouterEvents[K] | (() => RouterEvents[K])): void {
    if (this.#emitter.listenerCount(name) === 0) return;
    const event = typeof payload === 'function' ? payload() : payload;
    for (const listener of this.#emitter.listeners(name) as RouterListener<K>[]) {
      try {
        listener(event);
      } catch (error) {
        if (this.#emitter.listenerCount('listenerError') > 0)
          this.#emitter.emit('listenerError', error, name);
      }
    }
  }

  /** Called with (error, eventName) when a listener throws. */
  onListenerError(listener: (error: unknown, event: RouterEventName) => void): () => void {
    this.#emitter.on('listenerError', listener);
    return () => this.#emitter.off('listenerError', listener);
  }
}
