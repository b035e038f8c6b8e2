import { describe, it } from 'vitest';
import { providerChecks } from './provider-checks.js';
import type { ProviderConformanceOptions } from './provider-options.js';

/**
 * The suite every PaymentProvider must pass, in a vitest file:
 *
 * ```ts
 * runProviderConformance({ name: 'acme', createProvider, scenarios, requestsSeen: () => server.requests });
 * ```
 * Each check gets a fresh provider from `createProvider` and closes it afterwards. Optional
 * operations are exercised only when `capabilities.operations.X` is true; otherwise the method must be
 * absent or throw UnsupportedOperationError without sending anything.
 */
export function runProviderConformance(options: ProviderConformanceOptions): void {
  describe(`${options.name}: PaymentProvider conformance`, () => {
    for (const check of providerChecks(options)) {
      it(check.name, () => check.run(), options.timeoutMs ?? 60_000);
    }
  });
}
