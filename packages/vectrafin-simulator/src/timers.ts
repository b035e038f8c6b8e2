/**
 * Every timer and background task the simulator starts goes through here, so `close()` can stop
 * the timers and wait for the tasks: nothing outlives the simulator.
 */
export class Timers {
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  readonly #tasks = new Set<Promise<unknown>>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` after `ms` (0 or less: on the next turn), unless the simulator closes first. */
  after(ms: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.#timers.set(timer, () => undefined);
  }

  /** Resolves true after `ms`, or false as soon as the simulator closes. */
  sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.#timers.delete(timer);
          resolve(true);
        },
        Math.max(0, ms),
      );
      this.#timers.set(timer, () => resolve(false));
    });
  }

  /** Keeps `task` until it settles; `drain()` waits for it. */
  track<T>(task: Promise<T>): Promise<T> {
    this.#tasks.add(task);
    const forget = () => this.#tasks.delete(task);
    task.then(forget, forget);
    return task;
  }

  /** Waits until no tracked task is running (tasks started meanwhile included). */
  async idle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Cancels every pending timer and waits for the running tasks. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [timer, cancel] of this.#timers) {
      clearTimeout(timer);
      cancel();
    }
    this.#timers.clear();
    await this.idle();
  }
}
