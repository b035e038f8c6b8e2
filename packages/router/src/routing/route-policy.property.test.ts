/**
 * Property tests of the routing policy (issue 11): over generated routes, requests and facts, the
 * ranking never offers a target that cannot take the payment, accounts for every target, is a function
 * of its arguments, and splits weighted traffic as configured.
 */
import { Dec } from '@tolem/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compiled, type FactsInput, factsOf } from '../../test/route-fixtures.js';
import type { RouteStrategy, RouteTarget } from '../types.js';
import { hundredths } from './amount-keys.js';
import { type RankingRequest, rankRoute, type SuccessRatePolicy, skipReason } from './route-policy.js';

const PROVIDERS = ['vf-a', 'vf-b', 'vf-c', 'vf-d', 'vf-e', 'vf-f', 'vf-g', 'vf-h', 'vf-i', 'vf-j'];
const CURRENCIES = ['KZT', 'USD'];

/** Amounts in cents, as two-decimal strings. */
const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => (n / 100).toFixed(2));

const strategy = fc.constantFrom<RouteStrategy>('ordered', 'weighted', 'success-rate', 'cheapest');

function targetFor(provider: string, routeStrategy: RouteStrategy) {
  return fc
    .record(
      {
        serviceId: fc.constantFrom('7', '70'),
        currency: fc.option(fc.constantFrom(...CURRENCIES), { nil: undefined }),
        when: fc.option(
          fc.record(
            {
              minAmount: fc.option(cents(1, 50_000), { nil: undefined }),
              maxAmount: fc.option(cents(50_000, 1_000_000), { nil: undefined }),
              account: fc.option(fc.constantFrom('^vip-', '^[a-z]+\\d*$', /^g/), { nil: undefined }),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        weight:
          routeStrategy === 'ordered'
            ? fc.constant(undefined)
            : fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        fee:
          routeStrategy === 'cheapest'
            ? fc.option(
                fc.integer({ min: -300, max: 300 }).map((n) => (n / 100).toFixed(2)),
                { nil: undefined },
              )
            : fc.constant(undefined),
        maxInFlight: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      },
      { requiredKeys: [] },
    )
    .map((fields): RouteTarget => {
      const target: RouteTarget = { provider, serviceId: fields.serviceId ?? '7' };
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined && key !== 'serviceId')
          (target as unknown as Record<string, unknown>)[key] = value;
      }
      return target;
    });
}

const route = strategy.chain((routeStrategy) =>
  fc
    .shuffledSubarray(PROVIDERS, { minLength: 1, maxLength: 10 })
    .chain((providers) => fc.tuple(...providers.map((provider) => targetFor(provider, routeStrategy))))
    .map((targets) => ({ strategy: routeStrategy, targets })),
);

/** Balances and limits as providers report them: up to four decimals (the ranking rounds them safely). */
const fine = (min: number, max: number) => fc.integer({ min, max }).map((n) => (n / 10_000).toFixed(4));

const limitPair = fc
  .tuple(fine(1, 10_000_000), fine(1, 200_000_000))
  .map(([a, b]): [string, string] => (new Dec(a).lessThanOrEqualTo(b) ? [a, b] : [b, a]));

const facts: fc.Arbitrary<FactsInput> = fc
  .record(
    {
      admits: fc.boolean(),
      outOfFunds: fc.subarray(CURRENCIES),
      available: fc.dictionary(fc.constantFrom(...CURRENCIES), fine(-1_000_000, 100_000_000), { maxKeys: 2 }),
      limits: fc.dictionary(
        fc.constantFrom('7', '70'),
        fc.dictionary(fc.constantFrom(...CURRENCIES), limitPair, { maxKeys: 2 }),
        { maxKeys: 2 },
      ),
      rate: fc.dictionary(fc.constantFrom('7', '70'), fine(-50_000, 50_000), { maxKeys: 2 }),
      successes: fc.nat(50),
      samples: fc.nat(50),
      inFlight: fc.nat(6),
    },
    { requiredKeys: [] },
  )
  .map((input) => ({ ...input, successes: Math.min(input.successes ?? 0, input.samples ?? 0) }));

/** Facts for every provider (some left out: the router does not have them). */
const providerFacts = fc.dictionary(fc.constantFrom(...PROVIDERS), facts, { minKeys: 0, maxKeys: 10 });

/** A request with its amount both as the ranking reads it (hundredths) and as text, to check against. */
const request: fc.Arbitrary<RankingRequest & { text: string }> = fc
  .record({
    paymentId: fc.string({ minLength: 1, maxLength: 40 }),
    amount: cents(1, 1_500_000),
    currency: fc.constantFrom(...CURRENCIES),
    account: fc.constantFrom('galek10', 'vip-7', 'g', 'Bob', 'x1'),
  })
  .map((r) => ({ ...r, text: r.amount, amount: hundredths(r.amount) }));

const policy: fc.Arbitrary<SuccessRatePolicy> = fc.record({
  minSamples: fc.integer({ min: 1, max: 30 }),
  tolerance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  exploration: fc.double({ min: 0, max: 1, noNaN: true }),
});

const tries = fc.subarray(PROVIDERS, { maxLength: 3 }).map((list) => new Set(list));

describe('rankRoute properties', () => {
  it('never ranks a target whose breaker is open, whose limits or conditions exclude the amount, whose known balance is short, or that is marked out of funds', () => {
    fc.assert(
      fc.property(route, request, providerFacts, policy, tries, (spec, asked, known, success, tried) => {
        const facts = factsOf(known);
        const ranking = rankRoute(compiled(spec), asked, facts, success, tried);
        // Checked against the facts as written (exact decimals), not as the ranking keys them.
        const amount = new Dec(asked.text);
        for (const target of ranking.ranked) {
          const raw = known[target.provider];
          expect(raw, target.provider).toBeDefined();
          if (raw === undefined) continue;
          const when = spec.targets.find((t) => t.provider === target.provider)?.when ?? {};
          expect(raw.admits ?? true).toBe(true);
          expect(raw.outOfFunds?.includes(asked.currency) ?? false).toBe(false);
          const available = raw.available?.[asked.currency];
          if (available !== undefined) expect(amount.lessThanOrEqualTo(available)).toBe(true);
          const limits = raw.limits?.[target.serviceId]?.[asked.currency];
          if (limits !== undefined) {
            expect(amount.greaterThanOrEqualTo(limits[0])).toBe(true);
            expect(amount.lessThanOrEqualTo(limits[1])).toBe(true);
          }
          if (when.minAmount !== undefined) expect(amount.greaterThanOrEqualTo(when.minAmount)).toBe(true);
          if (when.maxAmount !== undefined) expect(amount.lessThanOrEqualTo(when.maxAmount)).toBe(true);
          if (target.currency !== null) expect(target.currency).toBe(asked.currency);
          if (target.maxInFlight !== null) expect(raw.inFlight ?? 0).toBeLessThan(target.maxInFlight);
          expect(tried.has(target.provider)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accounts for every target exactly once: ranked, or skipped (in route order) with the reason that applies', () => {
    fc.assert(
      fc.property(route, request, providerFacts, policy, tries, (spec, asked, known, success, tried) => {
        const facts = factsOf(known);
        const table = compiled(spec);
        const ranking = rankRoute(table, asked, facts, success, tried);
        const seen = [...ranking.ranked, ...ranking.skipped.map((skip) => skip.target)].map(
          (t) => t.provider,
        );
        expect([...seen].sort()).toEqual(spec.targets.map((t) => t.provider).sort());
        const skippedOrder = ranking.skipped.map((skip) => skip.target.index);
        expect(skippedOrder).toEqual([...skippedOrder].sort((a, b) => a - b));
        for (const skip of ranking.skipped) {
          expect(skip.reason).toBe(skipReason(skip.target, asked, facts.of(skip.target.provider), tried));
        }
        for (const target of ranking.ranked)
          expect(skipReason(target, asked, facts.of(target.provider), tried)).toBeNull();
        expect(ranking.explored && spec.strategy !== 'success-rate').toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('ranks the same payment id the same way given the same facts (and an ordered route keeps route order)', () => {
    fc.assert(
      fc.property(route, request, providerFacts, policy, tries, (spec, asked, known, success, tried) => {
        // Two independent builds of the same inputs: nothing in the answer may depend on identity or time.
        const first = rankRoute(compiled(spec), asked, factsOf(known), success, tried);
        const again = rankRoute(
          compiled(structuredClone(spec)),
          { ...asked, amount: hundredths(asked.text) },
          factsOf(structuredClone(known)),
          { ...success },
          new Set(tried),
        );
        const names = (r: typeof first) => ({
          ranked: r.ranked.map((t) => t.provider),
          skipped: r.skipped.map((s) => [s.target.provider, s.reason]),
          explored: r.explored,
        });
        expect(names(again)).toEqual(names(first));
        if (spec.strategy === 'ordered') {
          const order = first.ranked.map((t) => t.index);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      }),
      { numRuns: 500 },
    );
  });

  /**
   * Stated tolerance: over 10 000 payment ids, each target's share of first places is within 2.5
   * percentage points of weight / Σ weights (the binomial standard deviation at 10 000 draws is at most
   * 0.5 points, so this is 5σ: a failure means a biased draw, not bad luck).
   */
  it('weighted: first places converge to the weights within ±2.5 points over 10 000 payment ids', () => {
    const weighted = fc.shuffledSubarray(PROVIDERS, { minLength: 2, maxLength: 5 }).chain((providers) =>
      fc.tuple(
        fc.constant(providers),
        fc.array(fc.integer({ min: 1, max: 10 }), {
          minLength: providers.length,
          maxLength: providers.length,
        }),
      ),
    );
    fc.assert(
      fc.property(weighted, fc.string({ minLength: 0, maxLength: 12 }), ([providers, weights], prefix) => {
        const table = compiled({
          strategy: 'weighted',
          targets: providers.map((provider, i) => ({ provider, serviceId: '7', weight: weights[i] ?? 1 })),
        });
        const facts = factsOf(Object.fromEntries(providers.map((provider) => [provider, {}])));
        const firsts = new Map<string, number>();
        const total = 10_000;
        const policyOff = { minSamples: 1, tolerance: 0, exploration: 0 };
        for (let i = 0; i < total; i++) {
          const ranking = rankRoute(
            table,
            { paymentId: `${prefix}order-${i}`, amount: 10_000n, currency: 'KZT', account: 'galek10' },
            facts,
            policyOff,
          );
          const first = ranking.ranked[0]?.provider ?? '';
          firsts.set(first, (firsts.get(first) ?? 0) + 1);
        }
        const sum = weights.reduce((a, b) => a + b, 0);
        providers.forEach((provider, i) => {
          const share = (firsts.get(provider) ?? 0) / total;
          expect(
            Math.abs(share - (weights[i] ?? 0) / sum),
            `${provider} weight ${weights[i]}/${sum}`,
          ).toBeLessThan(0.025);
        });
      }),
      { numRuns: 25 },
    );
  });

  it('weighted: a target leaving never moves a payment between the targets that stay', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(PROVIDERS, { minLength: 3, maxLength: 10 }),
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 20, maxLength: 50 }),
        (providers, paymentIds) => {
          const table = compiled({
            strategy: 'weighted',
            targets: providers.map((provider, i) => ({ provider, serviceId: '7', weight: (i % 4) + 1 })),
          });
          const all = factsOf(Object.fromEntries(providers.map((provider) => [provider, {}])));
          const gone = providers[0] ?? '';
          const without = factsOf(
            Object.fromEntries(
              providers.map((provider) => [provider, provider === gone ? { admits: false } : {}]),
            ),
          );
          const off = { minSamples: 1, tolerance: 0, exploration: 0 };
          for (const paymentId of paymentIds) {
            const asked = { paymentId, amount: 10_000n, currency: 'KZT', account: 'galek10' };
            const before = rankRoute(table, asked, all, off)
              .ranked.map((t) => t.provider)
              .filter((p) => p !== gone);
            expect(rankRoute(table, asked, without, off).ranked.map((t) => t.provider)).toEqual(before);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
