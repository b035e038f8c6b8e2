import { describe, expect, it } from 'vitest';
import { compiled, factsOf, request, SUCCESS_RATE } from '../../test/route-fixtures.js';
import type { RouteTarget } from '../types.js';
import { type Ranking, rankRoute } from './route-policy.js';

const ordered: RouteTarget[] = [
  { provider: 'vf-a', serviceId: '7' },
  { provider: 'vf-usd', serviceId: '7', currency: 'USD' },
  { provider: 'vf-b', serviceId: '70' },
];
const everyone = { 'vf-a': {}, 'vf-b': {}, 'vf-usd': {} };

const chosen = (ranking: Ranking) => ranking.ranked.map((target) => target.provider);
const skips = (ranking: Ranking) => ranking.skipped.map((skip) => [skip.target.provider, skip.reason]);

describe('rankRoute: ordered (today’s routing, with reasons)', () => {
  it('ranks in route order the targets that take a call now and have no attempt yet', () => {
    const route = compiled(ordered);
    const first = rankRoute(route, request('p1'), factsOf(everyone), SUCCESS_RATE);
    expect(chosen(first)).toEqual(['vf-a', 'vf-b']);
    expect(skips(first)).toEqual([['vf-usd', 'currency']]);
    expect(first).toMatchObject({ route: 'steam', strategy: 'ordered', explored: false });
    const failover = rankRoute(route, request('p1'), factsOf(everyone), SUCCESS_RATE, new Set(['vf-a']));
    expect(chosen(failover)).toEqual(['vf-b']);
    expect(skips(failover)).toEqual([
      ['vf-a', 'tried'],
      ['vf-usd', 'currency'],
    ]);
    const none = rankRoute(route, request('p1'), factsOf(everyone), SUCCESS_RATE, new Set(['vf-a', 'vf-b']));
    expect(chosen(none)).toEqual([]);
  });

  it('passes over a target whose breaker takes no call, and says so', () => {
    const route = compiled(ordered);
    const ranking = rankRoute(
      route,
      request('p1'),
      factsOf({ ...everyone, 'vf-a': { admits: false } }),
      SUCCESS_RATE,
    );
    expect(chosen(ranking)).toEqual(['vf-b']);
    expect(skips(ranking)).toEqual([
      ['vf-a', 'breaker_open'],
      ['vf-usd', 'currency'],
    ]);
  });

  it('skips a provider the router does not have as unknown_provider', () => {
    const ranking = rankRoute(compiled(ordered), request('p1'), factsOf({ 'vf-b': {} }), SUCCESS_RATE);
    expect(chosen(ranking)).toEqual(['vf-b']);
    expect(skips(ranking)).toEqual([
      ['vf-a', 'unknown_provider'],
      ['vf-usd', 'unknown_provider'],
    ]);
  });

  it('answers from its arguments alone: the same input gives the same ranking, and nothing is changed', () => {
    const route = compiled(ordered);
    const facts = factsOf({ ...everyone, 'vf-a': { admits: false } });
    const before = JSON.stringify(ordered);
    const first = rankRoute(route, request('p1'), facts, SUCCESS_RATE);
    expect(rankRoute(route, request('p1'), facts, SUCCESS_RATE)).toEqual(first);
    expect(JSON.stringify(ordered)).toBe(before);
    expect(facts.of('vf-a')?.admits).toBe(false);
  });
});

describe('rankRoute: what rules a target out (the first reason that applies)', () => {
  it('the route’s own conditions: amount range (inclusive) and account pattern', () => {
    const route = compiled([
      { provider: 'vf-small', serviceId: '7', when: { maxAmount: '1000.00' } },
      { provider: 'vf-big', serviceId: '7', when: { minAmount: '1000.00', account: /^vip-/g } },
      { provider: 'vf-any', serviceId: '7' },
    ]);
    const facts = factsOf({ 'vf-small': {}, 'vf-big': {}, 'vf-any': {} });
    expect(
      chosen(rankRoute(route, request('p', '1000.00', { account: 'vip-1' }), facts, SUCCESS_RATE)),
    ).toEqual(['vf-small', 'vf-big', 'vf-any']);
    const big = rankRoute(route, request('p', '1000.01', { account: 'vip-1' }), facts, SUCCESS_RATE);
    expect(skips(big)).toEqual([['vf-small', 'amount_rule']]);
    const plain = rankRoute(route, request('p', '5000.00'), facts, SUCCESS_RATE);
    expect(skips(plain)).toEqual([
      ['vf-small', 'amount_rule'],
      ['vf-big', 'account_rule'],
    ]);
    // A `g` flag would make RegExp.test stateful: the same account must match every time.
    for (let i = 0; i < 3; i++) {
      expect(
        chosen(rankRoute(route, request('p', '2000.00', { account: 'vip-9' }), facts, SUCCESS_RATE)),
      ).toEqual(['vf-big', 'vf-any']);
    }
  });

  it('the provider’s limits for the service and currency (inclusive); other currencies and services have none', () => {
    const route = compiled([
      { provider: 'vf-a', serviceId: '7' },
      { provider: 'vf-b', serviceId: '7' },
    ]);
    const facts = factsOf({
      'vf-a': { limits: { '7': { KZT: ['300.00', '1000.00'] } } },
      'vf-b': { limits: { '7': { USD: ['1.00', '2.00'] }, '8': { KZT: ['1.00', '2.00'] } } },
    });
    expect(chosen(rankRoute(route, request('p', '300.00'), facts, SUCCESS_RATE))).toEqual(['vf-a', 'vf-b']);
    expect(chosen(rankRoute(route, request('p', '1000.00'), facts, SUCCESS_RATE))).toEqual(['vf-a', 'vf-b']);
    expect(skips(rankRoute(route, request('p', '299.99'), facts, SUCCESS_RATE))).toEqual([
      ['vf-a', 'below_limit'],
    ]);
    expect(skips(rankRoute(route, request('p', '1000.01'), facts, SUCCESS_RATE))).toEqual([
      ['vf-a', 'above_limit'],
    ]);
  });

  it('funds: a -2 mark in the payment’s currency, a known balance short of the amount (equal is enough)', () => {
    const route = compiled([
      { provider: 'vf-a', serviceId: '7' },
      { provider: 'vf-b', serviceId: '7' },
    ]);
    // The scenario of issue 11: vf-a has 150 KZT left, vf-b plenty.
    const facts = factsOf({
      'vf-a': { available: { KZT: '150.00' } },
      'vf-b': { available: { KZT: '1000000.00' } },
    });
    const big = rankRoute(route, request('p', '500.00'), facts, SUCCESS_RATE);
    expect(chosen(big)).toEqual(['vf-b']);
    expect(skips(big)).toEqual([['vf-a', 'balance_short']]);
    expect(chosen(rankRoute(route, request('p', '150.00'), facts, SUCCESS_RATE))).toEqual(['vf-a', 'vf-b']);
    const marked = factsOf({ 'vf-a': { outOfFunds: ['KZT'] }, 'vf-b': {} });
    expect(skips(rankRoute(route, request('p', '1.00'), marked, SUCCESS_RATE))).toEqual([
      ['vf-a', 'out_of_funds'],
    ]);
    expect(skips(rankRoute(route, request('p', '1.00', { currency: 'USD' }), marked, SUCCESS_RATE))).toEqual(
      [],
    );
    // A balance in another currency says nothing about this one.
    const usdOnly = factsOf({ 'vf-a': { available: { USD: '0.00' } }, 'vf-b': {} });
    expect(chosen(rankRoute(route, request('p', '500.00'), usdOnly, SUCCESS_RATE))).toEqual(['vf-a', 'vf-b']);
  });

  it('load: a target at its maxInFlight is busy', () => {
    const route = compiled({
      strategy: 'weighted',
      targets: [
        { provider: 'vf-a', serviceId: '7', maxInFlight: 2 },
        { provider: 'vf-b', serviceId: '7' },
      ],
    });
    const busy = rankRoute(
      route,
      request('p'),
      factsOf({ 'vf-a': { inFlight: 2 }, 'vf-b': {} }),
      SUCCESS_RATE,
    );
    expect(skips(busy)).toEqual([['vf-a', 'busy']]);
    const free = rankRoute(
      route,
      request('p'),
      factsOf({ 'vf-a': { inFlight: 1 }, 'vf-b': {} }),
      SUCCESS_RATE,
    );
    expect(skips(free)).toEqual([]);
  });

  it('reports the request’s reasons before the provider’s', () => {
    const route = compiled([{ provider: 'vf-a', serviceId: '7', when: { maxAmount: '10.00' } }]);
    const ranking = rankRoute(
      route,
      request('p', '500.00'),
      factsOf({ 'vf-a': { admits: false, outOfFunds: ['KZT'] } }),
      SUCCESS_RATE,
    );
    expect(skips(ranking)).toEqual([['vf-a', 'amount_rule']]);
  });
});

describe('rankRoute: strategies', () => {
  const two = (
    strategy: 'weighted' | 'cheapest' | 'success-rate',
    extra: Partial<RouteTarget>[] = [{}, {}],
  ) =>
    compiled({
      strategy,
      targets: [
        { provider: 'vf-a', serviceId: '7', ...extra[0] },
        { provider: 'vf-b', serviceId: '7', ...extra[1] },
      ],
    });

  it('weighted: a payment id always draws the same provider; weight 0 only when nothing else can', () => {
    const route = two('weighted', [{ weight: 1 }, { weight: 0 }]);
    const facts = factsOf({ 'vf-a': {}, 'vf-b': {} });
    for (let i = 0; i < 100; i++)
      expect(chosen(rankRoute(route, request(`p${i}`), facts, SUCCESS_RATE))).toEqual(['vf-a', 'vf-b']);
    const down = factsOf({ 'vf-a': { admits: false }, 'vf-b': {} });
    expect(chosen(rankRoute(route, request('p1'), down, SUCCESS_RATE))).toEqual(['vf-b']);
    const even = two('weighted');
    const picks = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const first = chosen(rankRoute(even, request(`order-${i}`), facts, SUCCESS_RATE))[0] ?? '';
      expect(chosen(rankRoute(even, request(`order-${i}`), facts, SUCCESS_RATE))[0]).toBe(first);
      picks.add(first);
    }
    expect(picks).toEqual(new Set(['vf-a', 'vf-b']));
  });

  it('cheapest: by the target’s fee, else by the provider’s rate read as a negative fee; unknown cost last', () => {
    const byFee = two('cheapest', [{ fee: '1.5' }, { fee: '0.8' }]);
    expect(chosen(rankRoute(byFee, request('p'), factsOf({ 'vf-a': {}, 'vf-b': {} }), SUCCESS_RATE))).toEqual(
      ['vf-b', 'vf-a'],
    );
    const byRate = two('cheapest');
    // VectraFin's Rate is the agent's remuneration: the higher, the cheaper.
    const rates = factsOf({ 'vf-a': { rate: { '7': '0.5' } }, 'vf-b': { rate: { '7': '1.2' } } });
    expect(chosen(rankRoute(byRate, request('p'), rates, SUCCESS_RATE))).toEqual(['vf-b', 'vf-a']);
    const unknown = factsOf({ 'vf-a': {}, 'vf-b': { rate: { '7': '-3' } } });
    expect(chosen(rankRoute(byRate, request('p'), unknown, SUCCESS_RATE))).toEqual(['vf-b', 'vf-a']);
  });

  it('cheapest: equally cheap targets share by weight', () => {
    const route = two('cheapest', [{ fee: '1.00' }, { fee: '1.0' }]);
    const facts = factsOf({ 'vf-a': {}, 'vf-b': {} });
    const firsts = new Set<string>();
    for (let i = 0; i < 50; i++)
      firsts.add(chosen(rankRoute(route, request(`q${i}`), facts, SUCCESS_RATE))[0] ?? '');
    expect(firsts).toEqual(new Set(['vf-a', 'vf-b']));
  });

  it('success-rate: a provider well below the best ranks after it; too few samples rank with the best', () => {
    const route = two('success-rate');
    const policy = { ...SUCCESS_RATE, exploration: 0 };
    const failing = factsOf({
      'vf-a': { successes: 5, samples: 20 },
      'vf-b': { successes: 19, samples: 20 },
    });
    for (let i = 0; i < 50; i++)
      expect(chosen(rankRoute(route, request(`r${i}`), failing, policy))).toEqual(['vf-b', 'vf-a']);
    const close = factsOf({ 'vf-a': { successes: 19, samples: 20 }, 'vf-b': { successes: 20, samples: 20 } });
    const unseen = factsOf({ 'vf-a': { successes: 0, samples: 3 }, 'vf-b': { successes: 20, samples: 20 } });
    for (const facts of [close, unseen]) {
      const firsts = new Set<string>();
      for (let i = 0; i < 50; i++)
        firsts.add(chosen(rankRoute(route, request(`r${i}`), facts, policy))[0] ?? '');
      expect(firsts).toEqual(new Set(['vf-a', 'vf-b']));
    }
  });

  it('success-rate: exploration sends about its share of payments to the provider outside the best group first', () => {
    const route = two('success-rate');
    const failing = factsOf({
      'vf-a': { successes: 0, samples: 20 },
      'vf-b': { successes: 20, samples: 20 },
    });
    let explored = 0;
    const total = 10_000;
    for (let i = 0; i < total; i++) {
      const ranking = rankRoute(route, request(`x-${i}`), failing, { ...SUCCESS_RATE, exploration: 0.1 });
      if (ranking.explored) {
        explored++;
        expect(chosen(ranking)).toEqual(['vf-a', 'vf-b']);
      } else {
        expect(chosen(ranking)).toEqual(['vf-b', 'vf-a']);
      }
    }
    expect(Math.abs(explored / total - 0.1)).toBeLessThan(0.015);
  });
});
