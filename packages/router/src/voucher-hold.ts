import type { Clock, Secret } from '@tolem/core';

/** How many codes, and for how long, a router without a voucher key holds for its waiters. */
export const HOLD_LIMITS = { maxCodes: 1_000, ttlMs: 15 * 60_000 } as const;

/**
 * Without a voucher key nothing may be written down, so a code confirmed after the first answer is
 * held here, in this process only, until it is read once (waitForFinal, getPayment, a repeat pay) or
 * expires; past `maxCodes` the oldest go first. A restart loses them.
 */
export class VoucherHold {
  readonly #codes = new Map<string, { code: Secret; until: number }>();
  readonly #clock: Clock;
  readonly #limits: { maxCodes: number; ttlMs: number };

  constructor(clock: Clock, limits: { maxCodes: number; ttlMs: number } = HOLD_LIMITS) {
    this.#clock = clock;
    this.#limits = limits;
  }

  put(paymentId: string, code: Secret): void {
    const now = this.#clock.now().getTime();
    this.#codes.delete(paymentId);
    this.#codes.set(paymentId, { code, until: now + this.#limits.ttlMs });
    for (const [id, held] of this.#codes) {
      if (this.#codes.size <= this.#limits.maxCodes && held.until > now) break;
      this.#codes.delete(id);
    }
  }

  /** Hands the code out once. */
  take(paymentId: string): Secret | undefined {
    const held = this.#codes.get(paymentId);
    if (held === undefined) return undefined;
    this.#codes.delete(paymentId);
    return held.until > this.#clock.now().getTime() ? held.code : undefined;
  }

  get size(): number {
    return this.#codes.size;
  }
}
