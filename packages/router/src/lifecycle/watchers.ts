import type { PaymentRecord } from '@tolem/core';

/** In-process listeners waiting for a payment to change (`waitForFinal`), woken by journal writes. */
export class PaymentWatchers {
  readonly #watchers = new Map<string, Set<(record: PaymentRecord) => void>>();

  watch(paymentId: string, listener: (record: PaymentRecord) => void): () => void {
    let set = this.#watchers.get(paymentId);
    if (!set) {
      set = new Set();
      this.#watchers.set(paymentId, set);
    }
    set.add(listener);
    return () => {
      const current = this.#watchers.get(paymentId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#watchers.delete(paymentId);
    };
  }

  notify(record: PaymentRecord): void {
    const set = this.#watchers.get(record.paymentId);
    if (!set) return;
    for (const listener of [...set]) listener(record);
  }
}
