import type { Clock, OpenGroup, PaymentJournal } from '@tolem/core';
import type { Counter, Gauge } from 'prom-client';
import { NONE } from './labels.js';

export interface OpenPaymentGauges {
  paymentsOpen: Gauge<'journal' | 'provider' | 'state'>;
  paymentOldestOpenAge: Gauge<'journal' | 'provider'>;
  paymentsStuck: Gauge<'journal' | 'provider'>;
  journalReadErrors: Counter;
}

const OPEN_STATES = ['pending', 'unknown'] as const;

/**
 * Fills the open-payment gauges from `journal.openSummary()` when Prometheus scrapes: the journal is
 * the truth about what is still open, so nothing is counted up and down from events and nothing drifts
 * after a restart. The three gauges of one scrape share a single journal read.
 *
 * Every series carries `journal` (the journal's identity): instances sharing one journal export the
 * same numbers under the same label, so `max by (journal, …)` counts each payment once however many
 * instances run, and `sum` over journals adds up instances that each have their own.
 */
export class OpenPaymentsCollector {
  #inflight: Promise<void> | null = null;
  #gauges: OpenPaymentGauges | null = null;

  readonly #journal: PaymentJournal;
  readonly #journalLabel: string;
  readonly #providers: () => Iterable<string>;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;

  constructor(
    journal: PaymentJournal,
    journalLabel: string,
    providers: () => Iterable<string>,
    clock: Clock,
    onError: (error: unknown) => void,
  ) {
    this.#journal = journal;
    this.#journalLabel = journalLabel;
    this.#providers = providers;
    this.#clock = clock;
    this.#onError = onError;
  }

  attach(gauges: OpenPaymentGauges): void {
    this.#gauges = gauges;
  }

  /** Called by each gauge's `collect`: joins the read in flight or starts one. */
  collect(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const read = this.#read().finally(() => {
      this.#inflight = null;
    });
    this.#inflight = read;
    return read;
  }

  async #read(): Promise<void> {
    const gauges = this.#gauges;
    if (!gauges) return;
    let groups: OpenGroup[];
    try {
      groups = await this.#journal.openSummary();
    } catch (error) {
      // No samples beat stale ones: the alert on journal errors says why they are missing.
      gauges.paymentsOpen.reset();
      gauges.paymentOldestOpenAge.reset();
      gauges.paymentsStuck.reset();
      gauges.journalReadErrors.inc();
      this.#onError(error);
      return;
    }
    this.#fill(gauges, groups);
  }

  #fill(gauges: OpenPaymentGauges, groups: readonly OpenGroup[]): void {
    const now = this.#clock.now().getTime();
    const open = new Map<string, number>();
    const stuck = new Map<string, number>();
    const oldest = new Map<string, number>();
    for (const provider of [...this.#providers(), NONE]) {
      for (const state of OPEN_STATES) open.set(key(provider, state), 0);
      stuck.set(provider, 0);
      oldest.set(provider, 0);
    }
    for (const group of groups) {
      const provider = group.provider ?? NONE;
      const k = key(provider, group.state);
      open.set(k, (open.get(k) ?? 0) + group.count);
      stuck.set(provider, (stuck.get(provider) ?? 0) + group.stuck);
      const created = Date.parse(group.oldestCreatedAt);
      const age = Number.isFinite(created) ? Math.max(0, (now - created) / 1000) : 0;
      oldest.set(provider, Math.max(oldest.get(provider) ?? 0, age));
    }
    gauges.paymentsOpen.reset();
    gauges.paymentOldestOpenAge.reset();
    gauges.paymentsStuck.reset();
    const journal = this.#journalLabel;
    for (const [k, count] of open) {
      const [provider = NONE, state = NONE] = k.split('\u0000');
      gauges.paymentsOpen.set({ journal, provider, state }, count);
    }
    for (const [provider, count] of stuck) gauges.paymentsStuck.set({ journal, provider }, count);
    for (const [provider, age] of oldest) gauges.paymentOldestOpenAge.set({ journal, provider }, age);
  }
}

function key(provider: string, state: string): string {
  return `${provider}\u0000${state}`;
}
