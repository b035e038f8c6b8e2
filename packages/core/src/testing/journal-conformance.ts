import { describe, it } from 'vitest';
import { type JournalConformanceOptions, journalChecks } from './journal-checks.js';

/**
 * The suite every PaymentJournal must pass, in a vitest file:
 *
 * ```ts
 * runJournalConformance({ name: 'sqlite', createJournal, reopen });
 * ```
 * Each check gets a fresh, empty journal and closes it afterwards. The restart checks run only when
 * `reopen` is given (durable journals).
 */
export function runJournalConformance(options: JournalConformanceOptions): void {
  describe(`${options.name}: PaymentJournal conformance`, () => {
    for (const check of journalChecks(options)) {
      it(check.name, () => check.run(), options.timeoutMs ?? 60_000);
    }
  });
}
