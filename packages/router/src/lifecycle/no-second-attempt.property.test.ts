/**
 * Architecture §4.7: no routing setting can create a second attempt for a payment whose first attempt
 * may have moved money. Over generated routes (every strategy, weights, conditions, fees, limits,
 * balances, reserves, success-rate settings), first answers that may have moved money, and Status
 * answers that never prove otherwise, the finalizer runs again and again with the routing facts moving
 * underneath (balance checks, service reads, breakers) — and the payment never gets a second attempt,
 * nor does any other provider receive a Payment.
 */
import {
  type BalanceResult,
  createMemoryJournal,
  type NewAttempt,
  NOTHING_SENT_REASONS,
  type PaymentJournal,
  REASON_CODES,
  REASONS,
  type Reason,
  type ServiceInfo,
} from '@tolem/core';
import { type FakeAnswer, FakeProvider } from '@tolem/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/manual-clock.js';
import type { RouterOptions } from '../options.js';
import { createRouter } from '../router.js';
import type { RouteStrategy, RouteTarget } from '../types.js';

const PROVIDERS = ['vf-a', 'vf-b', 'vf-c'] as const;

/** Unknown reasons of an answer that may have arrived (anything but a provable "nothing sent"). */
const MAYBE_ARRIVED: Reason[] = REASON_CODES.filter(
  (reason) => REASONS[reason] !== 'decline' && !NOTHING_SENT_REASONS.has(reason),
);

/** A first answer after which money may have moved. */
const firstAnswer: fc.Arbitrary<FakeAnswer> = fc.oneof(
  fc.constant<FakeAnswer>({ state: 'pending' }),
  fc.constant<FakeAnswer>({ state: 'succeeded' }),
  fc.constantFrom(...MAYBE_ARRIVED).map((reason): FakeAnswer => ({ state: 'unknown', reason })),
);

/** Status answers that never prove the first attempt moved no money. */
const statusAnswer: fc.Arbitrary<FakeAnswer> = fc.oneof(
  fc.constant<FakeAnswer>({ state: 'pending' }),
  fc.constantFrom(...MAYBE_ARRIVED).map((reason): FakeAnswer => ({ state: 'unknown', reason })),
);

const strategy = fc.constantFrom<RouteStrategy>('ordered', 'weighted', 'success-rate', 'cheapest');

const target = (provider: string, routeStrategy: RouteStrategy) =>
  fc
    .record({
      minAmount: fc.option(fc.constantFrom('1.00', '50.00', '100.00'), { nil: undefined }),
      weight: fc.integer({ min: 0, max: 5 }),
      fee: fc.integer({ min: -100, max: 100 }).map((n) => (n / 10).toFixed(1)),
      maxInFlight: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    })
    .map(({ minAmount, weight, fee, maxInFlight }): RouteTarget => {
      const t: RouteTarget = { provider, serviceId: '7' };
      if (minAmount !== undefined) t.when = { minAmount };
      if (routeStrategy !== 'ordered') t.weight = weight;
      if (routeStrategy === 'cheapest') t.fee = fee;
      if (maxInFlight !== undefined) t.maxInFlight = maxInFlight;
      return t;
    });

const routeSetting = strategy.chain((routeStrategy) =>
  fc
    .shuffledSubarray([...PROVIDERS], { minLength: 2, maxLength: 3 })
    .chain((order) => fc.tuple(...order.map((id) => target(id, routeStrategy))))
    .map((targets) => ({ strategy: routeStrategy, targets })),
);

const setting = fc.record({
  route: routeSetting,
  balances: fc.array(fc.integer({ min: 0, max: 5_000 }).map(String), { minLength: 3, maxLength: 3 }),
  limits: fc.array(fc.constantFrom<[string, string]>(['1', '100000'], ['100', '1000'], ['200', '300']), {
    minLength: 3,
    maxLength: 3,
  }),
  reserve: fc.constantFrom('0', '50.00'),
  successRate: fc.record({
    window: fc.integer({ min: 5, max: 50 }),
    minSamples: fc.integer({ min: 1, max: 5 }),
    tolerance: fc.double({ min: 0, max: 0.5, noNaN: true }),
    exploration: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  volumeThreshold: fc.integer({ min: 1, max: 5 }),
  onReasons: fc.subarray(['provider_technical', 'operator_error', 'operator_forbidden'] as Reason[]),
});

describe('no routing setting creates a second attempt (architecture §4.7)', () => {
  it('a first attempt that may have moved money is the only one, whatever routing knows or is set to', async () => {
    await fc.assert(
      fc.asyncProperty(
        setting,
        firstAnswer,
        fc.array(statusAnswer, { minLength: 1, maxLength: 6 }),
        fc.string({ minLength: 1, maxLength: 16 }),
        async (config, first, statuses, paymentId) => {
          const clock = new ManualClock();
          const statusQueue = [...statuses];
          const balances = new Map(PROVIDERS.map((id, i) => [id, config.balances[i] ?? '0']));
          const providers = PROVIDERS.map(
            (id, i) =>
              new FakeProvider(id, {
                pay: () => first,
                getStatus: () => statusQueue.shift() ?? statuses[statuses.length - 1] ?? { state: 'pending' },
                getBalance: async (): Promise<BalanceResult> => ({
                  state: 'succeeded',
                  final: true,
                  reason: null,
                  providerStatus: null,
                  message: null,
                  balances: [{ currency: 'KZT', balance: balances.get(id) ?? '0', overdraft: '0' }],
                }),
                listServices: (): ServiceInfo[] => [
                  {
                    id: '7',
                    name: 'Steam',
                    testAccount: null,
                    rate: String(i),
                    topCommission: '0',
                    limits: [
                      {
                        currency: 'KZT',
                        minAmount: config.limits[i]?.[0] ?? '1',
                        maxAmount: config.limits[i]?.[1] ?? '1',
                      },
                    ],
                  },
                ],
              }),
          );
          const { strategy: routeStrategy, targets } = config.route;
          // Every attempt the router asks for: the journal would refuse a second one on its own
          // (architecture §4.3), but the router must not even ask.
          const inner = createMemoryJournal({ clock });
          const opened: string[] = [];
          const journal: PaymentJournal = Object.assign(Object.create(null), {
            create: inner.create.bind(inner),
            get: inner.get.bind(inner),
            findByTransaction: inner.findByTransaction.bind(inner),
            openAttempt: (id: string, version: number, attempt: NewAttempt) => {
              opened.push(attempt.provider);
              return inner.openAttempt(id, version, attempt);
            },
            transition: inner.transition.bind(inner),
            claimDue: inner.claimDue.bind(inner),
            list: inner.list.bind(inner),
            openSummary: inner.openSummary.bind(inner),
            close: inner.close.bind(inner),
          });
          const options: RouterOptions = {
            providers,
            routes: {
              steam: routeStrategy === 'ordered' ? targets : { strategy: routeStrategy, targets },
            },
            journal,
            clock,
            random: () => 0.5,
            instanceId: 'property',
            onError: () => {},
            breaker: { volumeThreshold: config.volumeThreshold, resetTimeout: 1_000 },
            failover: { onReasons: config.onReasons },
            finalizer: { firstDelayMs: 1_000, growth: 1, maxDelayMs: 1_000, inFlightMs: 5_000 },
            routing: {
              balances: { refreshMs: 1_000, reserve: { KZT: config.reserve } },
              services: { refreshMs: 1_000 },
              successRate: {
                ...config.successRate,
                minSamples: Math.min(config.successRate.minSamples, config.successRate.window),
              },
            },
          };
          const router = createRouter(options);
          await router.start();
          try {
            let view: Awaited<ReturnType<typeof router.pay>> | null = null;
            try {
              view = await router.pay({
                paymentId,
                service: 'steam',
                account: 'galek10',
                amount: '250.00',
                currency: 'KZT',
              });
            } catch {
              // No provider could take it: nothing was sent anywhere.
              for (const provider of providers) expect(provider.calledWith('pay')).toEqual([]);
              return;
            }
            for (let round = 0; round < statuses.length + 2; round++) {
              clock.advance(1_500);
              // The facts move: balances go up and down, breakers open and close, settings are re-read.
              for (const id of PROVIDERS) balances.set(id, String((round * 997 + id.length * 131) % 6_000));
              await router.checkBalances();
              await router.refreshServices();
              await router.finalizeDue();
            }
            const stored = await router.getPayment(paymentId);
            expect(stored?.attempts).toHaveLength(1);
            expect(opened).toEqual([view.attempts[0]?.provider]);
            const firstProvider = view.attempts[0]?.provider;
            for (const provider of providers) {
              if (provider.id !== firstProvider) expect(provider.calledWith('pay'), provider.id).toEqual([]);
            }
          } finally {
            await router.stop();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
