/**
 * A provider's recent payment outcomes for success-rate routing: the last `window` outcomes, of which
 * those older than `maxAgeMs` no longer count. Times are the router clock's milliseconds, in order.
 */
export class SuccessWindow {
  readonly #window: number;
  readonly #maxAgeMs: number;
  /** Oldest first. */
  #outcomes: { at: number; ok: boolean }[] = [];
  #successes = 0;

  constructor(window: number, maxAgeMs: number) {
    this.#window = window;
    this.#maxAgeMs = maxAgeMs;
  }

  record(ok: boolean, at: number): void {
    this.#outcomes.push({ at, ok });
    if (ok) this.#successes++;
    if (this.#outcomes.length > this.#window) this.#drop(1);
  }

  /** Successes among the outcomes that still count at `now`. */
  counts(now: number): { successes: number; samples: number } {
    const horizon = now - this.#maxAgeMs;
    let stale = 0;
    while (stale < this.#outcomes.length && (this.#outcomes[stale]?.at ?? 0) < horizon) stale++;
    if (stale > 0) this.#drop(stale);
    return { successes: this.#successes, samples: this.#outcomes.length };
  }

  #drop(count: number): void {
    for (const outcome of this.#outcomes.splice(0, count)) if (outcome.ok) this.#successes--;
  }
}
