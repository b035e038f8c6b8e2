import {
  ConfigError,
  type PaymentState,
  ProviderUnavailableError,
  type Reason,
  reasonKind,
  TolemError,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import CircuitBreaker from 'opossum';
import type { BreakerState, ProviderOperation, RouterEventBus } from './events.js';
import type { ResolvedBreakerOptions } from './options.js';

/** What a finished call tells the breaker and the `provider.call` event. */
export interface CallVerdict {
  state: PaymentState;
  reason: Reason | null;
}

/**
 * Passed to an action so it can say when the provider request really starts: after journal writes,
 * and again when the provider reports its request left its local queue (`CallOptions.onDispatch`).
 */
export interface CallContext {
  started(): void;
}

/**
 * Whether an outcome counts against the provider's health: transport faults and request-level errors
 * (the provider could not answer about the payment). A decline, a missing account, a "transaction not
 * found" (an answer about one payment), the caller's own abort, or a request that never left this
 * process (a `local` reason) does not.
 */
export function countsAsBreakerFailure(verdict: CallVerdict): boolean {
  if (verdict.state !== 'unknown' || verdict.reason === null) return false;
  if (verdict.reason === 'not_found' || verdict.reason === 'aborted') return false;
  const kind = reasonKind(verdict.reason);
  return kind === 'transport' || kind === 'request' || kind === 'integrity';
}

/** The request never left this process (queued too long, queue full): no evidence either way. */
export function neverLeft(verdict: CallVerdict): boolean {
  return verdict.reason !== null && reasonKind(verdict.reason) === 'local';
}

/**
 * Errors the port throws only when nothing was sent (architecture §2), and the abort reason of a signal that
 * fired before sending. They say nothing about the provider's health.
 */
export function isNothingSentError(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && error === signal.reason) return true;
  return (
    ValidationError.is(error) ||
    ConfigError.is(error) ||
    ProviderUnavailableError.is(error) ||
    UnsupportedOperationError.is(error)
  );
}

/** Carries a value through opossum as a rejection, so the breaker counts a failure; converted back. */
class CountedFailure {
  constructor(readonly value: unknown) {}
}

/** Wraps an error that is not the provider's fault (a journal write), so the breaker ignores it. */
export class LocalFailure {
  constructor(readonly cause: unknown) {}
}

/** Carries the value of a call whose request never left through opossum like a LocalFailure; converted back. */
class UncountedValue {
  constructor(readonly value: unknown) {}
}

type Task = () => Promise<unknown>;

/**
 * One opossum breaker per provider instance: no percentiles, no snapshots, a volume threshold, no
 * opossum timeout (the provider has its own, and each call carries its own AbortSignal).
 */
export class ProviderBreakers {
  readonly #breakers = new Map<string, CircuitBreaker<[Task], unknown>>();
  readonly #states = new Map<string, BreakerState>();

  readonly #events: RouterEventBus;
  readonly #now: () => number;

  constructor(
    providerIds: readonly string[],
    options: ResolvedBreakerOptions,
    events: RouterEventBus,
    now: () => number = Date.now,
  ) {
    this.#events = events;
    this.#now = now;
    for (const id of providerIds) {
      const breaker: CircuitBreaker<[Task], unknown> = new CircuitBreaker<[Task], unknown>(
        (task: Task) => task(),
        {
          name: id,
          timeout: false,
          rollingPercentilesEnabled: false,
          enableSnapshots: false,
          volumeThreshold: options.volumeThreshold,
          errorThresholdPercentage: options.errorThresholdPercentage,
          resetTimeout: options.resetTimeout,
          rollingCountTimeout: options.rollingCountTimeout,
          rollingCountBuckets: options.rollingCountBuckets,
          // An error raised before anything was sent says nothing about the provider. opossum counts a
          // filtered error as a success, which would close a half-open breaker on a probe that never
          // reached the provider: there it counts as a failure instead, and the breaker waits again.
          errorFilter: (error: unknown): boolean =>
            (error instanceof LocalFailure || error instanceof UncountedValue) && !breaker.halfOpen,
        },
      );
      this.#states.set(id, 'closed');
      breaker.on('open', () => this.#moved(id, 'open'));
      breaker.on('halfOpen', () => this.#moved(id, 'half_open'));
      breaker.on('close', () => this.#moved(id, 'closed'));
      this.#breakers.set(id, breaker);
    }
  }

  state(providerId: string): BreakerState {
    const state = this.#states.get(providerId);
    if (state === undefined) throw new ProviderUnavailableError(`unknown provider ${providerId}`);
    return state;
  }

  /** Whether a call would be let through now (closed, or half-open with its probe still free). */
  admits(providerId: string): boolean {
    const breaker = this.#breakers.get(providerId);
    if (!breaker) return false;
    return breaker.closed || (breaker.halfOpen && breaker.pendingClose);
  }

  /** Opens a provider's breaker by hand (operators, tests). */
  open(providerId: string): void {
    this.#breakers.get(providerId)?.open();
  }

  close(providerId: string): void {
    this.#breakers.get(providerId)?.close();
  }

  /**
   * Runs `action` through the provider's breaker. `verdict` reads the action's value: null means no
   * provider request was made (no event, no count). Throws ProviderUnavailableError when the breaker
   * refuses (nothing was sent); rethrows what the action throws, unwrapping LocalFailure.
   */
  async run<T>(
    providerId: string,
    operation: ProviderOperation,
    action: (call: CallContext) => Promise<T>,
    verdict: (value: T) => CallVerdict | null,
    signal?: AbortSignal,
  ): Promise<T> {
    const breaker = this.#breakers.get(providerId);
    if (!breaker) throw new ProviderUnavailableError(`unknown provider ${providerId}`, { providerId });
    let startedAt = this.#now();
    const call: CallContext = {
      started: () => {
        startedAt = this.#now();
      },
    };
    const task: Task = async () => {
      let value: T;
      try {
        value = await action(call);
      } catch (error) {
        if (error instanceof LocalFailure) throw error;
        // Thrown before sending: not the provider's health, not a call to report.
        if (isNothingSentError(error, signal)) throw new LocalFailure(error);
        this.#report(
          providerId,
          operation,
          { state: 'unknown', reason: 'request_failed' },
          this.#since(startedAt),
        );
        throw error;
      }
      const result = verdict(value);
      if (result !== null) {
        // A request that never left took no provider time: its wait is not the provider's latency.
        this.#report(providerId, operation, result, neverLeft(result) ? 0 : this.#since(startedAt));
        if (neverLeft(result)) throw new UncountedValue(value);
        if (countsAsBreakerFailure(result)) throw new CountedFailure(value);
      }
      return value;
    };
    try {
      return (await breaker.fire(task)) as T;
    } catch (error) {
      if (error instanceof CountedFailure || error instanceof UncountedValue) return error.value as T;
      if (error instanceof LocalFailure) throw error.cause;
      if (isBreakerRefusal(error)) {
        this.#report(providerId, operation, { state: 'unknown', reason: null }, 0, true);
        throw new ProviderUnavailableError(`provider ${providerId}: circuit breaker is open, nothing sent`, {
          providerId,
          cause: error,
        });
      }
      throw error;
    }
  }

  shutdown(): void {
    for (const breaker of this.#breakers.values()) breaker.shutdown();
  }

  #moved(providerId: string, state: BreakerState): void {
    const previous = this.#states.get(providerId) ?? 'closed';
    if (previous === state) return;
    this.#states.set(providerId, state);
    this.#events.emit('breaker.state', () => ({ provider: providerId, state, previous }));
  }

  #since(startedAt: number): number {
    return Math.max(0, this.#now() - startedAt);
  }

  #report(
    provider: string,
    operation: ProviderOperation,
    verdict: CallVerdict,
    durationMs: number,
    rejected = false,
  ): void {
    this.#events.emit('provider.call', () => ({
      provider,
      operation,
      state: verdict.state,
      reason: verdict.reason,
      durationMs,
      rejected,
    }));
  }
}

function isBreakerRefusal(error: unknown): boolean {
  if (!(error instanceof Error) || TolemError.isTolemError(error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return CircuitBreaker.isOurError(error) && (code === 'EOPENBREAKER' || code === 'ESHUTDOWN');
}
