import type { Clock } from '@tolem/core';
import type { CallbackHandling } from '../types.js';

/**
 * Runs the Status check of a callback. `moot()` (asked under the payment's lock, before any Status)
 * says that another check made this one pointless: the check then answers from the journal with
 * `throttled` instead of asking the provider.
 */
export type CallbackCheck = (moot: () => boolean) => Promise<CallbackHandling>;

interface Deferred {
  timer: NodeJS.Timeout;
  /** The Status sequence number when the latest callback it follows arrived. */
  hint: number;
  check: CallbackCheck;
}

interface Checked {
  /** When a callback last made this payment's Status be asked (clock ms), or null. */
  callbackAt: number | null;
  /** When any Status of this payment was last sent (clock ms): the finalizer's count here too. */
  statusAt: number;
  /** Sequence number of that Status, for "was it asked after this callback arrived?". */
  seq: number;
}

export interface CallbackChecksHooks {
  clock: Clock;
  /** Keeps a background follow-up check in the router's in-flight set (stop() waits for it). */
  track(work: Promise<unknown>): void;
  reportError(error: unknown, paymentId: string): void;
}

/**
 * What stops forged callbacks from making the router hammer a provider (issue 10): per payment, one
 * callback check in flight, which callbacks arriving meanwhile join (same answer, no queue on the
 * payment's lock); no new check for a callback within `intervalMs` of the last one, answered from the
 * journal instead; and, so that a genuine callback inside the interval is not lost, one follow-up
 * check when the interval ends, unless some Status was asked after that callback arrived.
 *
 * Memory stays bounded: entries older than the interval are dropped, follow-ups are one timer per
 * payment at most.
 */
export class CallbackChecks {
  readonly #intervalMs: number;
  readonly #hooks: CallbackChecksHooks;
  readonly #inFlight = new Map<string, Promise<CallbackHandling>>();
  readonly #deferred = new Map<string, Deferred>();
  /** Insertion order is update order (entries are deleted and set again), so expiry prunes from the front. */
  readonly #checked = new Map<string, Checked>();
  /** When each payment's last history-only callback entry was written (insertion order = time order). */
  readonly #recorded = new Map<string, number>();
  #seq = 0;
  #closed = false;

  constructor(intervalMs: number, hooks: CallbackChecksHooks) {
    this.#intervalMs = intervalMs;
    this.#hooks = hooks;
  }

  /**
   * Handles one callback for an open payment: joins the check in flight, or answers `throttled` from
   * `fromJournal` within the interval, or starts the one check.
   */
  handle(
    paymentId: string,
    check: CallbackCheck,
    fromJournal: () => CallbackHandling,
  ): Promise<CallbackHandling> {
    const hint = this.#seq;
    const running = this.#inFlight.get(paymentId);
    if (running !== undefined) {
      // Its Status may have left before this callback's news: make sure one follows.
      this.#defer(paymentId, hint, check);
      return running;
    }
    if (this.#recentlyChecked(paymentId)) {
      this.#defer(paymentId, hint, check);
      return Promise.resolve(fromJournal());
    }
    return this.#start(paymentId, hint, check, () => this.#recentlyChecked(paymentId));
  }

  /** Called for every Status sent, by callbacks and the finalizer alike. */
  statusSent(paymentId: string, origin: 'callback' | 'finalizer'): void {
    const now = this.#hooks.clock.now().getTime();
    const previous = this.#checked.get(paymentId);
    this.#checked.delete(paymentId);
    this.#checked.set(paymentId, {
      callbackAt: origin === 'callback' ? now : (previous?.callbackAt ?? null),
      statusAt: now,
      seq: ++this.#seq,
    });
    this.#prune(now);
  }

  /**
   * Whether a callback that changed nothing may be written to the payment's history now: once per
   * payment per interval (at least a second), so a flood of forged callbacks writes a bounded number of
   * entries. Counts the one it allows.
   */
  mayRecord(paymentId: string): boolean {
    const now = this.#hooks.clock.now().getTime();
    const window = Math.max(this.#intervalMs, 1_000);
    for (const [id, at] of this.#recorded) {
      if (now - at < window) break;
      this.#recorded.delete(id);
    }
    const last = this.#recorded.get(paymentId);
    if (last !== undefined && now - last < window) return false;
    this.#recorded.delete(paymentId);
    this.#recorded.set(paymentId, now);
    return true;
  }

  /** Cancels follow-up checks not yet started; checks in flight finish (the router waits for them). */
  close(): void {
    this.#closed = true;
    for (const deferred of this.#deferred.values()) clearTimeout(deferred.timer);
    this.#deferred.clear();
  }

  #recentlyChecked(paymentId: string): boolean {
    const at = this.#checked.get(paymentId)?.callbackAt ?? null;
    return at !== null && this.#hooks.clock.now().getTime() - at < this.#intervalMs;
  }

  /** True when a Status of the payment was sent after sequence number `hint`. */
  #askedSince(paymentId: string, hint: number): boolean {
    return (this.#checked.get(paymentId)?.seq ?? 0) > hint;
  }

  #start(
    paymentId: string,
    hint: number,
    check: CallbackCheck,
    moot: () => boolean,
  ): Promise<CallbackHandling> {
    const work = check(moot).then((handled) => {
      // Skipped because a check came in between (under the lock): this callback still gets its follow-up.
      if (handled.result === 'throttled') this.#defer(paymentId, hint, check);
      return handled;
    });
    this.#inFlight.set(paymentId, work);
    const forget = () => {
      if (this.#inFlight.get(paymentId) === work) this.#inFlight.delete(paymentId);
    };
    work.then(forget, forget);
    return work;
  }

  #defer(paymentId: string, hint: number, check: CallbackCheck): void {
    if (this.#closed) return;
    const pending = this.#deferred.get(paymentId);
    if (pending !== undefined) {
      pending.hint = Math.max(pending.hint, hint);
      return;
    }
    const now = this.#hooks.clock.now().getTime();
    const last = this.#checked.get(paymentId)?.callbackAt ?? now;
    const delay = Math.max(0, last + this.#intervalMs - now);
    const timer = setTimeout(() => this.#followUp(paymentId), delay);
    timer.unref?.();
    this.#deferred.set(paymentId, { timer, hint, check });
  }

  #followUp(paymentId: string): void {
    const deferred = this.#deferred.get(paymentId);
    this.#deferred.delete(paymentId);
    if (deferred === undefined || this.#closed) return;
    if (this.#askedSince(paymentId, deferred.hint)) return;
    const running = this.#inFlight.get(paymentId);
    if (running !== undefined) {
      // Asked before the callback arrived and still out: decide again once it is back.
      const again = () => {
        if (!this.#askedSince(paymentId, deferred.hint))
          this.#defer(paymentId, deferred.hint, deferred.check);
      };
      running.then(again, again);
      return;
    }
    const work = this.#start(paymentId, deferred.hint, deferred.check, () =>
      this.#askedSince(paymentId, deferred.hint),
    ).catch((error: unknown) => this.#hooks.reportError(error, paymentId));
    this.#hooks.track(work);
  }

  #prune(now: number): void {
    for (const [paymentId, entry] of this.#checked) {
      if (now - entry.statusAt < this.#intervalMs) break;
      // A follow-up still waiting reads its payment's entry: keep it until the follow-up is done.
      if (this.#deferred.has(paymentId)) continue;
      this.#checked.delete(paymentId);
    }
  }
}
