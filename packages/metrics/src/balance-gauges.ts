import { ConfigError, Dec } from '@tolem/core';
import type { RouterEvents } from '@tolem/router';
import type { Gauge } from 'prom-client';
import * as z from 'zod';

/**
 * `instrumentRouter`'s `balance` option. The balances come from the router's own checks
 * (`createRouter({ routing: { balances: { refreshMs } } })`, a -2, or `router.checkBalances()`): one
 * poller, whose numbers routing uses too; the metrics only export what it reports.
 */
export interface BalanceExportOptions {
  /** Only these currencies become series (default: every currency a provider reports). */
  currencies?: readonly string[];
}

export interface BalanceGaugeSet {
  providerBalance: Gauge<'provider' | 'currency'>;
  providerOverdraft: Gauge<'provider' | 'currency'>;
}

const CURRENCY_LABEL = /^[A-Z]{3}$/;
const CURRENCY_RULE = 'must be a three-letter upper-case currency code';
const MOVED =
  'balance polling moved to the router (one poller for routing and metrics): createRouter({ routing: { balances: { refreshMs } } })';

/** `instrumentRouter`'s `balance` option: named `balance.…` in a ConfigError. */
export const balanceOptionsSchema = z
  .object(
    {
      currencies: z
        .array(z.string({ error: CURRENCY_RULE }).regex(CURRENCY_LABEL, { error: CURRENCY_RULE }), {
          error: 'must be an array of currency codes',
        })
        .optional(),
    },
    { error: 'must be an object like { currencies: ["KZT"] } (or {} for every currency)' },
  )
  .strict();

/** Refuses the options of the poller the metrics used to run, saying where polling went. */
export function refuseOldPolling(balance: unknown): void {
  if (typeof balance !== 'object' || balance === null) return;
  for (const key of ['intervalMs', 'timeoutMs']) {
    if (Object.hasOwn(balance, key)) throw new ConfigError(`balance.${key}`, MOVED);
  }
}

/**
 * The `provider_balance` / `provider_overdraft` gauges, following the router's `balance.checked`
 * events. A failed check keeps the last value (the failure shows in
 * `provider_requests_total{operation="getBalance"}`); a currency the provider stops reporting is removed.
 */
export class BalanceGauges {
  readonly #gauges: BalanceGaugeSet;
  readonly #wanted: ReadonlySet<string> | null;
  readonly #reported = new Map<string, Set<string>>();
  readonly #provider: (id: string) => string;

  constructor(gauges: BalanceGaugeSet, options: BalanceExportOptions, provider: (id: string) => string) {
    this.#gauges = gauges;
    this.#wanted = options.currencies ? new Set(options.currencies) : null;
    this.#provider = provider;
  }

  update(event: RouterEvents['balance.checked']): void {
    if (event.state !== 'succeeded') return;
    const provider = this.#provider(event.provider);
    const seen = new Set<string>();
    for (const line of event.balances) {
      if (!CURRENCY_LABEL.test(line.currency) || (this.#wanted && !this.#wanted.has(line.currency))) continue;
      const balance = toGaugeValue(line.balance);
      const overdraft = toGaugeValue(line.overdraft);
      if (balance === null) continue;
      const labels = { provider, currency: line.currency };
      this.#gauges.providerBalance.set(labels, balance);
      if (overdraft === null) this.#gauges.providerOverdraft.remove(labels);
      else this.#gauges.providerOverdraft.set(labels, overdraft);
      seen.add(line.currency);
    }
    for (const currency of this.#reported.get(provider) ?? []) {
      if (seen.has(currency)) continue;
      this.#gauges.providerBalance.remove({ provider, currency });
      this.#gauges.providerOverdraft.remove({ provider, currency });
    }
    this.#reported.set(provider, seen);
  }
}

/**
 * A Prometheus sample is a float64 by definition: the balance is exported for display and alerting only,
 * never read back as money. Invalid decimals are skipped, not guessed.
 */
function toGaugeValue(amount: string): number | null {
  try {
    const value = new Dec(amount);
    return value.isFinite() ? value.toNumber() : null;
  } catch {
    return null;
  }
}
