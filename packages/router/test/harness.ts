import { createMemoryJournal, type PaymentJournal } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import type { RouterEventName, RouterEvents } from '../src/events.js';
import type { RouterOptions } from '../src/options.js';
import { createRouter } from '../src/router.js';
import type { Router } from '../src/types.js';
import { ManualClock } from './manual-clock.js';

export interface Harness {
  router: Router;
  a: FakeProvider;
  b: FakeProvider;
  journal: PaymentJournal;
  clock: ManualClock;
  events: { name: RouterEventName; payload: RouterEvents[RouterEventName] }[];
  of<K extends RouterEventName>(name: K): RouterEvents[K][];
}

/** A router over two fake providers (route `steam`: vf-a then vf-b), a memory journal and a manual clock. */
export function harness(
  options: { a?: FakeProvider; b?: FakeProvider } & Partial<Omit<RouterOptions, 'providers' | 'journal'>> & {
      journal?: PaymentJournal;
    } = {},
): Harness {
  const { a = new FakeProvider('vf-a'), b = new FakeProvider('vf-b'), journal: given, ...rest } = options;
  const clock = (rest.clock as ManualClock | undefined) ?? new ManualClock();
  const journal = given ?? createMemoryJournal({ clock });
  const router = createRouter({
    providers: [a, b],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '70' },
      ],
      solo: [{ provider: 'vf-a', serviceId: '8' }],
    },
    journal,
    clock,
    random: () => 0.5,
    instanceId: 'test-instance',
    onError: (error) => {
      throw error;
    },
    ...rest,
    finalizer: {
      firstDelayMs: 1_000,
      growth: 2,
      maxDelayMs: 60_000,
      inFlightMs: 30_000,
      escalateAfterMs: 3_600_000,
      ...rest.finalizer,
    },
  });
  const events: Harness['events'] = [];
  const names: RouterEventName[] = [
    'provider.call',
    'payment.updated',
    'payment.final',
    'payment.stuck',
    'breaker.state',
    'failover',
    'callback',
  ];
  for (const name of names) router.events.on(name, (payload) => events.push({ name, payload }));
  return {
    router,
    a,
    b,
    journal,
    clock,
    events,
    of: <K extends RouterEventName>(name: K) =>
      events.filter((event) => event.name === name).map((event) => event.payload as RouterEvents[K]),
  };
}

export const order = (paymentId: string, extra: Record<string, unknown> = {}) => ({
  paymentId,
  service: 'steam',
  account: 'galek10',
  amount: '100',
  currency: 'KZT',
  ...extra,
});
