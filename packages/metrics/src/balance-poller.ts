import { Dec, millisecondsSchema, type PaymentProvider } from '@tolem/core';
import type { Gauge } from 'prom-client';
import * as z from 'zod';

export interface BalancePollingOptions {
  /** Time between two polls of every provider, in milliseconds (the first poll starts at once). */
  intervalMs: number;
  /** Only these currencies become series (default: every currency a provider reports). */
  currencies?: readonly string[];
  /** Per-call timeout handed to `getBalance` (default: the provider's own). */
  timeoutMs?: number;
}

export interface BalanceGauges {
  providerBalance: Gauge<'provider' | 'currency'>;
  providerOverdraft: Gauge<'provider' | 'currency'>;
}

/** How a poll went, in the terms of a `provider.call` event, so it lands in the request metrics. */
export interface BalanceCall {
  provider: string;
  state: string;
  reason: string | null;
  durationMs: number;
}

export interface BalancePoller {
  /** Polls every provider once; resolves when all answered (never rejects). */
  pollNow(): Promise<void>;
  stop(): void;
}

const CURRENCY_LABEL = /^[A-Z]{3}$/;
const CURRENCY_RULE = 'must be a three-letter upper-case currency code';

/** `instrumentRouter`'s `balance` option: named `balance.…` in a ConfigError. */
export const balanceOptionsSchema = z
  .object(
    {
      intervalMs: millisecondsSchema(),
      currencies: z
        .array(z.string({ error: CURRENCY_RULE }).regex(CURRENCY_LABEL, { error: CURRENCY_RULE }), {
          error: 'must be an array of currency codes',
        })
        .optional(),
      timeoutMs: millisecondsSchema().optional(),
    },
    { error: 'must be an object like { intervalMs: 60000 }' },
  )
  .strict();

/**
 * Asks every provider that can (`capabilities.operations.balance`) for the agent's balance, every
 * `intervalMs`, one poll at a time. A failed poll keeps the last value (the failure shows in
 * `provider_requests_total{operation="getBalance"}`); a currency the provider stops reporting is removed.
 */
export function startBalancePoller(
  providers: ReadonlyMap<string, PaymentProvider>,
  gauges: BalanceGauges,
  options: BalancePollingOptions,
  hooks: { record: (call: BalanceCall) => void; onError: (error: unknown) => void },
): BalancePoller {
  const wanted = options.currencies ? new Set(options.currencies) : null;
  const reported = new Map<string, Set<string>>();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const pollProvider = async (provider: PaymentProvider): Promise<void> => {
    const getBalance = provider.getBalance;
    if (!getBalance || !provider.capabilities.operations.balance) return;
    let started = performance.now();
    let result: Awaited<ReturnType<NonNullable<PaymentProvider['getBalance']>>>;
    try {
      result = await getBalance.call(provider, {
        signal: abort.signal,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        // Timed from when the request left the provider's queue, like the router's calls.
        onDispatch: () => {
          started = performance.now();
        },
      });
    } catch (error) {
      // Thrown means nothing was sent (or we are stopping): not a provider outcome.
      if (!stopped) hooks.onError(error);
      return;
    }
    if (stopped) return;
    hooks.record({
      provider: provider.id,
      state: result.state,
      reason: result.reason,
      durationMs: performance.now() - started,
    });
    if (result.state !== 'succeeded') return;
    const seen = new Set<string>();
    for (const line of result.balances) {
      if (!CURRENCY_LABEL.test(line.currency) || (wanted && !wanted.has(line.currency))) continue;
      const balance = toGaugeValue(line.balance);
      const overdraft = toGaugeValue(line.overdraft);
      if (balance === null) continue;
      const labels = { provider: provider.id, currency: line.currency };
      gauges.providerBalance.set(labels, balance);
      if (overdraft === null) gauges.providerOverdraft.remove(labels);
      else gauges.providerOverdraft.set(labels, overdraft);
      seen.add(line.currency);
    }
    for (const currency of reported.get(provider.id) ?? []) {
      if (seen.has(currency)) continue;
      gauges.providerBalance.remove({ provider: provider.id, currency });
      gauges.providerOverdraft.remove({ provider: provider.id, currency });
    }
    reported.set(provider.id, seen);
  };

  const pollNow = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) return running;
    running = Promise.all(
      [...providers.values()].map((provider) => pollProvider(provider).catch(hooks.onError)),
    )
      .then(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void pollNow().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };

  void pollNow().finally(schedule);

  return {
    pollNow,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort(new Error('balance poller stopped'));
    },
  };
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
