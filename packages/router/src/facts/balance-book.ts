import { type Balance, Dec } from '@tolem/core';
import { floorHundredths } from '../routing/amount-keys.js';

const ZERO = new Dec(0);

/** A payment sent to the provider, counted against its balance until a later check covers it. */
interface SentEntry {
  currency: string;
  amount: Dec;
  /** When its answer came back (null while in flight): a check started after that reflects it. */
  answeredAt: number | null;
}

export interface BalanceLine {
  currency: string;
  /** Balance plus overdraft at the last check. */
  checked: Dec;
  /** Sent since that check (this router and, when shared, every instance on the journal). */
  sentSince: Dec;
  reserve: Dec;
  available: Dec;
}

/**
 * What one provider can still pay, per currency: the balance (plus overdraft) of its last check, less
 * what was sent to it since — by this router (`sent`, exact) and by every instance on the journal
 * (`shared`, read every few seconds) — less the reserve; and the currencies a -2 marked out of funds.
 * A check is trusted for `trustMs`, then the balance is unknown again (never a stale reason to skip).
 * Times are the router clock's milliseconds.
 */
export class BalanceBook {
  readonly #reserve: ReadonlyMap<string, Dec>;
  readonly #trustMs: number;
  #checked = new Map<string, Dec>();
  /** When the request of the last check left (what it reports covers what was answered before). */
  #checkedAt: number | null = null;
  /** A check under way, since when: sends answered after it may not be in what it reports. */
  #checking: number | null = null;
  readonly #sent = new Map<string, SentEntry>();
  #shared = new Map<string, { currency: string; amount: Dec }>();
  /** Currency → the smallest amount a -2 refused, and when. */
  readonly #marks = new Map<string, { amount: Dec; at: number }>();
  /** What `available` answers: floor hundredths of the exact amounts (amount-keys.ts). */
  #available: Map<string, bigint> | null = null;

  constructor(reserve: ReadonlyMap<string, Dec>, trustMs: number) {
    this.#reserve = reserve;
    this.#trustMs = trustMs;
  }

  /** When the balance in use was checked (null: none is known). */
  checkedAt(now: number): number | null {
    this.#expire(now);
    return this.#checkedAt;
  }

  /** A payment is about to be sent: it counts until a check started after its answer. */
  sent(paymentId: string, currency: string, amount: Dec): void {
    this.#sent.set(paymentId, { currency, amount, answeredAt: null });
    this.#available = null;
  }

  /** Its answer came back; with no balance known, any later check will reflect it. */
  answered(paymentId: string, at: number): void {
    const entry = this.#sent.get(paymentId);
    if (entry === undefined) return;
    if (this.#checkedAt === null && this.#checking === null) {
      this.#sent.delete(paymentId);
      this.#available = null;
    } else {
      entry.answeredAt = at;
    }
  }

  /** The attempt moved no money (declined, or provably not sent): it no longer counts. */
  released(paymentId: string): void {
    const sent = this.#sent.delete(paymentId);
    const shared = this.#shared.delete(paymentId);
    if (sent || shared) this.#available = null;
  }

  /** What every instance sent since the check, as read from the journal. */
  shared(entries: ReadonlyMap<string, { currency: string; amount: Dec }>): void {
    this.#shared = new Map(entries);
    this.#available = null;
  }

  /** A -2 for `amount`: out of funds in `currency` until a check shows at least the smallest such amount. */
  mark(currency: string, amount: Dec, at: number): void {
    const known = this.#marks.get(currency);
    if (known === undefined || amount.lessThan(known.amount)) this.#marks.set(currency, { amount, at });
  }

  /** A provider that cannot report its balance: its marks lapse after `lapseMs`, and it is tried again. */
  lapseMarks(now: number, lapseMs: number): void {
    for (const [currency, mark] of this.#marks) if (now - mark.at >= lapseMs) this.#marks.delete(currency);
  }

  hasMarks(): boolean {
    return this.#marks.size > 0;
  }

  /** A check's request left at `startedAt`; `checked` or `checkFailed` follows. */
  checking(startedAt: number): void {
    this.#checking = startedAt;
  }

  checkFailed(): void {
    this.#checking = null;
  }

  /**
   * A balance check whose request left at `startedAt` answered `balances`. Sends answered before it
   * are in the new balance; the journal's shared amounts are read again from it; a mark clears when
   * the new balance covers the amount the -2 refused.
   */
  checked(balances: readonly Balance[], startedAt: number): void {
    const checked = new Map<string, Dec>();
    for (const line of balances) {
      const balance = decimal(line.balance);
      if (balance === null) continue;
      checked.set(line.currency, balance.plus(decimal(line.overdraft) ?? ZERO));
    }
    this.#checked = checked;
    this.#checkedAt = startedAt;
    this.#checking = null;
    for (const [paymentId, entry] of this.#sent) {
      if (entry.answeredAt !== null && entry.answeredAt < startedAt) this.#sent.delete(paymentId);
    }
    this.#shared = new Map();
    this.#available = null;
    const available = this.#exactAvailable();
    for (const [currency, mark] of this.#marks) {
      const can = available.get(currency);
      if (can?.greaterThanOrEqualTo(mark.amount)) this.#marks.delete(currency);
    }
  }

  /** What it can pay per currency now, in hundredths rounded down; null when no trusted balance is known. */
  available(now: number): ReadonlyMap<string, bigint> | null {
    this.#expire(now);
    if (this.#checkedAt === null) return null;
    if (this.#available === null) {
      this.#available = new Map();
      for (const [currency, amount] of this.#exactAvailable())
        this.#available.set(currency, floorHundredths(amount));
    }
    return this.#available;
  }

  outOfFunds(): ReadonlySet<string> | null {
    return this.#marks.size === 0 ? null : new Set(this.#marks.keys());
  }

  /** The currencies marked out of funds and since when (for the operator's view). */
  marks(): { currency: string; at: number }[] {
    return [...this.#marks].map(([currency, mark]) => ({ currency, at: mark.at }));
  }

  /** Each currency of the last check with how its available amount was reached (the operator's view). */
  lines(now: number): BalanceLine[] {
    if (this.available(now) === null) return [];
    const available = this.#exactAvailable();
    const sentSince = this.#sentSince();
    return [...this.#checked].map(([currency, checked]) => ({
      currency,
      checked,
      sentSince: sentSince.get(currency) ?? ZERO,
      reserve: this.#reserve.get(currency) ?? ZERO,
      available: available.get(currency) ?? checked,
    }));
  }

  #sentSince(): Map<string, Dec> {
    const sums = new Map<string, Dec>();
    const add = (currency: string, amount: Dec) =>
      sums.set(currency, (sums.get(currency) ?? ZERO).plus(amount));
    for (const entry of this.#sent.values()) add(entry.currency, entry.amount);
    for (const [paymentId, entry] of this.#shared)
      if (!this.#sent.has(paymentId)) add(entry.currency, entry.amount);
    return sums;
  }

  #exactAvailable(): Map<string, Dec> {
    const sentSince = this.#sentSince();
    const available = new Map<string, Dec>();
    for (const [currency, checked] of this.#checked) {
      const reserve = this.#reserve.get(currency) ?? ZERO;
      available.set(currency, checked.minus(sentSince.get(currency) ?? ZERO).minus(reserve));
    }
    return available;
  }

  #expire(now: number): void {
    if (this.#checkedAt === null || now - this.#checkedAt <= this.#trustMs) return;
    // Too old to skip a provider for: unknown again, and what was counted against it goes with it.
    this.#checked = new Map();
    this.#checkedAt = null;
    this.#shared = new Map();
    for (const [paymentId, entry] of this.#sent) if (entry.answeredAt !== null) this.#sent.delete(paymentId);
    this.#available = null;
  }
}

function decimal(text: string): Dec | null {
  try {
    const value = new Dec(text);
    return value.isFinite() ? value : null;
  } catch {
    return null;
  }
}
