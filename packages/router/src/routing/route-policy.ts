import type { RouteStrategy } from '../types.js';
import type { CompiledRoute, CompiledTarget } from './compiled-route.js';
import type { CandidateFacts, ProviderFacts } from './provider-facts.js';
import { combine, hashString, unit } from './route-hash.js';

/*
 * The routing policy of architecture §4.7 as one pure function: a route, a payment's request and the
 * providers' facts in; the candidates that can take the payment, best first, and every other target with
 * the reason it was left out. It reads nothing else — no clock, no breaker, no journal, no randomness
 * beyond the payment id — so the same payment id and the same facts always give the same ranking. It
 * only ranks: whether a payment gets a new attempt at all is `decide` (failover-policy.ts) alone.
 */

/**
 * Why a target was left out, in the order they are checked (the first that applies is reported).
 * Request reasons (`tried` … `above_limit`) stay true for the payment; provider reasons may clear.
 */
export const SKIP_REASONS = [
  /** The payment already has an attempt there (a failover decision). */
  'tried',
  /** The router has no such provider. */
  'unknown_provider',
  /** The target is paid in another currency. */
  'currency',
  /** The amount is outside the target's `when.minAmount` / `when.maxAmount`. */
  'amount_rule',
  /** The account does not match the target's `when.account`. */
  'account_rule',
  /** Below the smallest amount in the provider's service settings. */
  'below_limit',
  /** Above the largest amount in the provider's service settings. */
  'above_limit',
  /** Its circuit breaker takes no call now. */
  'breaker_open',
  /** A -2 said it cannot pay, and no balance check has shown enough since. */
  'out_of_funds',
  /** Its known balance, less what was sent since and the reserve, does not cover the amount. */
  'balance_short',
  /** It has `maxInFlight` payments unanswered already. */
  'busy',
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

/** Skip reasons that are about the request itself: they hold for this payment whatever happens. */
export const REQUEST_SKIP_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'currency',
  'amount_rule',
  'account_rule',
  'below_limit',
  'above_limit',
]);

export interface RankingRequest {
  /** The caller's payment id: draws (weights, exploration) are made from it. */
  paymentId: string;
  /** In hundredths (`hundredths("500.00")` = 50000n): payment amounts have two decimals at most. */
  amount: bigint;
  currency: string;
  account: string;
}

export interface SuccessRatePolicy {
  /** Outcomes a provider needs before its ratio counts; with fewer it ranks with the best. */
  minSamples: number;
  /** Providers within this much of the best ratio count as equally good (0.05 = 5 points). */
  tolerance: number;
  /** Share of payments (0–1) sent to a provider outside the best group first, so a recovered one is seen. */
  exploration: number;
}

export interface Skip {
  target: CompiledTarget;
  reason: SkipReason;
}

export interface Ranking {
  route: string;
  strategy: RouteStrategy;
  /** The targets that can take the payment now, best first (empty: none can). */
  ranked: CompiledTarget[];
  /** Every other target of the route, in route order, with why. */
  skipped: Skip[];
  /** True when success-rate exploration put `ranked[0]` first. */
  explored: boolean;
}

const NO_TRIES: ReadonlySet<string> = new Set();
const EXPLORE_SEED = hashString('tolem:explore');
const EXPLORE_PICK_SEED = hashString('tolem:explore-pick');

/** Why `target` cannot take the payment, or null when it can. */
export function skipReason(
  target: CompiledTarget,
  request: RankingRequest,
  facts: CandidateFacts | undefined,
  tried: ReadonlySet<string>,
): SkipReason | null {
  if (tried.has(target.provider)) return 'tried';
  if (facts === undefined) return 'unknown_provider';
  return requestSkip(target, request, facts) ?? providerSkip(target, request, facts);
}

/** The request's own reasons: currency, the target's conditions, the provider's limits. */
export function requestSkip(
  target: CompiledTarget,
  request: RankingRequest,
  facts: CandidateFacts,
): SkipReason | null {
  if (target.currency !== null && target.currency !== request.currency) return 'currency';
  if (target.minAmount !== null && request.amount < target.minAmount) return 'amount_rule';
  if (target.maxAmount !== null && request.amount > target.maxAmount) return 'amount_rule';
  if (target.account !== null && !target.account.test(request.account)) return 'account_rule';
  const limits = facts.services?.get(target.serviceId)?.limits.get(request.currency);
  if (limits !== undefined) {
    if (request.amount < limits.min) return 'below_limit';
    if (request.amount > limits.max) return 'above_limit';
  }
  return null;
}

/** The provider's own reasons right now: breaker, funds, balance, load. */
function providerSkip(
  target: CompiledTarget,
  request: RankingRequest,
  facts: CandidateFacts,
): SkipReason | null {
  if (!facts.admits) return 'breaker_open';
  if (facts.outOfFunds?.has(request.currency)) return 'out_of_funds';
  const available = facts.available?.get(request.currency);
  if (available !== undefined && request.amount > available) return 'balance_short';
  if (target.maxInFlight !== null && facts.inFlight >= target.maxInFlight) return 'busy';
  return null;
}

interface Candidate {
  target: CompiledTarget;
  facts: CandidateFacts;
  /** The payment's weighted draw for this target: the smaller, the earlier (an exponential race). */
  draw: number;
}

/**
 * Weighted rendezvous: each target draws u from the payment id and its own seed, and ranks by
 * -ln(u) / weight. The first place goes to each target with probability weight / Σ weights, the rest
 * follow as sampling without replacement, and removing one target never reshuffles the others.
 */
function draw(target: CompiledTarget, paymentHash: number): number {
  if (target.weight <= 0) return Number.POSITIVE_INFINITY;
  return -Math.log(unit(combine(paymentHash, target.seed))) / target.weight;
}

function byDraw(a: Candidate, b: Candidate): number {
  return a.draw - b.draw || a.target.index - b.target.index;
}

function byIndex(a: Candidate, b: Candidate): number {
  return a.target.index - b.target.index;
}

function ratio(facts: CandidateFacts, policy: SuccessRatePolicy): number | null {
  if (facts.samples < Math.max(1, policy.minSamples)) return null;
  return facts.successes / facts.samples;
}

/** The cost `cheapest` ranks by (a rateKey): the target's fee, else the provider's rate as a negative fee. */
export function costOf(candidate: { target: CompiledTarget; facts: CandidateFacts }): bigint | null {
  if (candidate.target.fee !== null) return candidate.target.fee;
  const rate = candidate.facts.services?.get(candidate.target.serviceId)?.rate ?? null;
  return rate === null ? null : -rate;
}

function cheapest(candidates: Candidate[]): Candidate[] {
  const costs = new Map(candidates.map((candidate) => [candidate, costOf(candidate)]));
  return candidates.sort((a, b) => {
    const ca = costs.get(a) ?? null;
    const cb = costs.get(b) ?? null;
    if (ca === null || cb === null) return ca === cb ? byDraw(a, b) : ca === null ? 1 : -1;
    return ca < cb ? -1 : ca > cb ? 1 : byDraw(a, b);
  });
}

function bySuccessRate(
  candidates: Candidate[],
  policy: SuccessRatePolicy,
  paymentHash: number,
): { ordered: Candidate[]; explored: boolean } {
  const ratios = new Map(candidates.map((candidate) => [candidate, ratio(candidate.facts, policy)]));
  let best = Number.NEGATIVE_INFINITY;
  for (const value of ratios.values()) if (value !== null && value > best) best = value;
  const good: Candidate[] = [];
  const rest: Candidate[] = [];
  for (const candidate of candidates) {
    const value = ratios.get(candidate) ?? null;
    // Unknown (too few samples) ranks with the best: a new or long-idle provider gets its share and is measured.
    if (value === null || value >= best - policy.tolerance) good.push(candidate);
    else rest.push(candidate);
  }
  good.sort(byDraw);
  rest.sort((a, b) => (ratios.get(b) ?? 0) - (ratios.get(a) ?? 0) || byIndex(a, b));
  if (rest.length > 0 && unit(combine(paymentHash, EXPLORE_SEED)) < policy.exploration) {
    const pick = Math.floor(unit(combine(paymentHash, EXPLORE_PICK_SEED)) * rest.length);
    const [explored] = rest.splice(pick, 1) as [Candidate];
    return { ordered: [explored, ...good, ...rest], explored: true };
  }
  return { ordered: [...good, ...rest], explored: false };
}

/**
 * Ranks a route's targets for one payment: every target that cannot take it is skipped with its
 * reason (`tried` for a provider the payment already had an attempt at), and the others are ordered by
 * the route's strategy. Deterministic: the same route, request, facts and tries give the same answer.
 */
export function rankRoute(
  route: CompiledRoute,
  request: RankingRequest,
  facts: ProviderFacts,
  policy: SuccessRatePolicy,
  tried: ReadonlySet<string> = NO_TRIES,
): Ranking {
  const paymentHash = route.strategy === 'ordered' ? 0 : hashString(request.paymentId);
  const candidates: Candidate[] = [];
  const skipped: Skip[] = [];
  for (const target of route.targets) {
    const known = facts.of(target.provider);
    const reason = skipReason(target, request, known, tried);
    if (reason !== null || known === undefined) {
      skipped.push({ target, reason: reason ?? 'unknown_provider' });
      continue;
    }
    candidates.push({
      target,
      facts: known,
      draw: route.strategy === 'ordered' ? 0 : draw(target, paymentHash),
    });
  }
  let ordered: Candidate[];
  let explored = false;
  switch (route.strategy) {
    case 'ordered':
      ordered = candidates;
      break;
    case 'weighted':
      ordered = candidates.sort(byDraw);
      break;
    case 'cheapest':
      ordered = cheapest(candidates);
      break;
    case 'success-rate':
      ({ ordered, explored } = bySuccessRate(candidates, policy, paymentHash));
      break;
  }
  return {
    route: route.name,
    strategy: route.strategy,
    ranked: ordered.map((candidate) => candidate.target),
    skipped,
    explored,
  };
}
