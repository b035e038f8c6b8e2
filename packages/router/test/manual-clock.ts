/** A clock tests move by hand. */
export class ManualClock {
  #now: number;
  constructor(start = Date.parse('2024-07-09T09:00:00.000Z')) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Moves the clock to `ms` since the epoch (forward or back). */
  set(ms: number): void {
    this.#now = ms;
  }
}
