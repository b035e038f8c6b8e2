/*
 * What the router knows about each provider right now, as plain data: the ranking function reads these
 * and nothing else (no breaker, journal or clock). lifecycle/routing-facts.ts keeps them up to date;
 * tests build them by hand.
 */

/** One service of a provider, from its service settings (VectraFin GetSettingServices). */
export interface ServiceFacts {
  /**
   * Smallest and largest amount per contract currency, in hundredths (the minimum rounded up, the
   * maximum down: exact for amounts of two decimals, amount-keys.ts); absent currency: no limit known.
   */
  readonly limits: ReadonlyMap<string, { readonly min: bigint; readonly max: bigint }>;
  /** The agent's remuneration as the provider reports it (VectraFin `Rate`) as a rateKey; null when not given. */
  readonly rate: bigint | null;
}

export interface CandidateFacts {
  /** The breaker takes a call now (closed, or half-open with its probe free). */
  readonly admits: boolean;
  /** Currencies in which a -2 (`insufficient_funds`) said it cannot pay, until a balance check shows enough. */
  readonly outOfFunds: ReadonlySet<string> | null;
  /**
   * What it can still pay per currency, in hundredths rounded down: the last balance checked plus
   * overdraft, less what was sent to it since (every instance on the journal) and the reserve. A
   * currency absent: not known.
   */
  readonly available: ReadonlyMap<string, bigint> | null;
  /** Its service settings by its own service id; null when not read (then no limit is known). */
  readonly services: ReadonlyMap<string, ServiceFacts> | null;
  /** Recent payment outcomes counted for success-rate routing: successes among `samples`. */
  readonly successes: number;
  readonly samples: number;
  /** Payments sent to it by this router and not answered yet. */
  readonly inFlight: number;
}

/** The facts of every provider; undefined for a provider the router does not have. */
export interface ProviderFacts {
  of(providerId: string): CandidateFacts | undefined;
}

/** A provider nothing is known about except that its breaker takes calls. */
export const OPEN_FACTS: CandidateFacts = {
  admits: true,
  outOfFunds: null,
  available: null,
  services: null,
  successes: 0,
  samples: 0,
  inFlight: 0,
};
