/**
 * Routing that knows money (issue 11), end to end: router + breakers + two VectraFin providers (two
 * agents, one simulator each) + the SQLite journal over real loopback sockets. The simulators' ledgers
 * say what really happened: which agent received a Payment, what was credited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_ID, type Stack, stack } from './stack.js';

const TIMEOUT = 60_000;

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function open(options: Parameters<typeof stack>[0] = {}): Promise<Stack> {
  current = await stack(options);
  return current;
}

const steam = (paymentId: string, amount: string) => ({
  paymentId,
  service: 'steam',
  account: 'galek10',
  amount,
  currency: 'KZT',
});

const agent = (balance: string) => ({
  agents: [{ agentId: AGENT_ID, password: 'pw-Zq9-never-print-me', balances: { KZT: balance } }],
});

describe('routing against the simulator: balances, limits, success rates', () => {
  it(
    'vf-a has 150 KZT, vf-b plenty: a 500 KZT payment goes to vf-b, and nothing is sent to vf-a',
    async () => {
      const s = await open({ a: agent('150.00'), router: { routing: { balances: { refreshMs: 600_000 } } } });
      await s.router.start();
      const view = await s.router.pay(steam('r-500', '500.00'));
      expect(view).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-b' });
      expect(view.attempts).toHaveLength(1);
      expect(view.route).toEqual({
        strategy: 'ordered',
        ranked: ['vf-b'],
        skipped: [{ provider: 'vf-a', reason: 'balance_short' }],
        explored: false,
      });
      expect(s.simA.ledger.requestCount('Payment')).toBe(0);
      expect(s.simA.ledger.balance(AGENT_ID, 'KZT')).toBe('150');
      expect(s.of('route.decided')).toEqual([
        expect.objectContaining({ paymentId: 'r-500', chosen: 'vf-b', attempt: 1 }),
      ]);
      // The decision is in the journal: another router on the same file reads it back.
      const other = s.openRouter();
      expect((await other.getPayment('r-500'))?.route?.skipped).toEqual([
        { provider: 'vf-a', reason: 'balance_short' },
      ]);
      // What vf-a has still pays what it can cover.
      expect((await s.router.pay(steam('r-150', '150.00'))).provider).toBe('vf-a');
      expect(s.simA.ledger.balance(AGENT_ID, 'KZT')).toBe('0');
    },
    TIMEOUT,
  );

  it(
    'a drained agent comes back into rotation after a top-up',
    async () => {
      const s = await open({ a: agent('0.00'), router: { routing: { balances: { refreshMs: 600_000 } } } });
      await s.router.start();
      for (let i = 0; i < 3; i++) {
        const view = await s.router.pay(steam(`drained-${i}`, '200.00'));
        expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
      }
      expect(s.simA.ledger.requestCount('Payment')).toBe(0);
      s.simA.ledger.setBalance(AGENT_ID, 'KZT', '50000.00');
      await s.router.checkBalances();
      const back = await s.router.pay(steam('topped-up', '200.00'));
      expect(back).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
      expect(back.route?.skipped).toEqual([]);
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'an amount above one provider’s limit goes to the other without a decline',
    async () => {
      const s = await open({ router: { routing: { services: {} } } });
      const service = s.simA.catalogue.find('7');
      if (service === undefined) throw new Error('the simulator has no service 7');
      s.simA.catalogue.addService({ ...service, limits: { min: '100', max: '1000' } });
      await s.router.start();
      const view = await s.router.pay(steam('big', '5000.00'));
      expect(view).toMatchObject({ state: 'succeeded', final: true, reason: null, provider: 'vf-b' });
      expect(view.attempts).toHaveLength(1);
      expect(view.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'above_limit' }]);
      expect(s.simA.ledger.requestCount('Payment')).toBe(0);
      expect(s.simA.ledger.requestCount('GetSettingServices')).toBe(1);
      // Within vf-a's limits, vf-a as before.
      expect((await s.router.pay(steam('small', '500.00'))).provider).toBe('vf-a');
    },
    TIMEOUT,
  );

  it(
    'a provider whose success rate drops loses traffic, and regains it after it recovers (exploration)',
    async () => {
      const s = await open({
        router: {
          breaker: { volumeThreshold: 1_000 },
          routing: { successRate: { window: 20, minSamples: 5, tolerance: 0.1, exploration: 0.2 } },
          routes: {
            steam: {
              strategy: 'success-rate',
              targets: [
                { provider: 'vf-a', serviceId: '7' },
                { provider: 'vf-b', serviceId: '7' },
              ],
            },
          },
        },
      });
      const batch = async (name: string, count: number) => {
        const first = { 'vf-a': 0, 'vf-b': 0 };
        for (let i = 0; i < count; i++) {
          const view = await s.router.pay(steam(`${name}-${i}`, '150.00'));
          expect(view.state).toBe('succeeded');
          first[view.attempts[0]?.provider as 'vf-a' | 'vf-b']++;
        }
        return first;
      };
      const healthy = await batch('healthy', 60);
      expect(healthy['vf-a']).toBeGreaterThan(15);
      // vf-a starts declining with -115 (provider_technical): each such payment fails over to vf-b.
      const fault = s.simA.faults.add({ requestType: 'Payment', fault: { kind: 'status', code: -115 } });
      await batch('degrading', 30);
      const failing = await batch('failing', 60);
      expect(failing['vf-a']).toBeLessThan(25);
      expect(s.router.routingFacts('vf-a').successRate.ratio).toBeLessThan(0.5);
      const sentWhileFailing = fault.hits();
      fault.remove();
      await batch('recovering', 100);
      const recovered = await batch('recovered', 60);
      expect(recovered['vf-a']).toBeGreaterThan(15);
      expect(s.router.routingFacts('vf-a').successRate.ratio).toBeGreaterThan(0.9);
      expect(sentWhileFailing).toBeGreaterThan(0);
      // Every payment succeeded exactly once, whichever provider took it.
      const credited = s.simA.ledger.credits().length + s.simB.ledger.credits().length;
      expect(credited).toBe(60 + 30 + 60 + 100 + 60);
    },
    TIMEOUT * 2,
  );

  it(
    'a -2 does not count against the breaker: the payment stays unknown at vf-a, new ones go to vf-b, and after a top-up both are settled at vf-a',
    async () => {
      const s = await open({ a: agent('150.00'), router: { breaker: { volumeThreshold: 1 } } });
      const view = await s.router.pay(steam('short', '500.00'));
      expect(view).toMatchObject({ state: 'unknown', reason: 'insufficient_funds', provider: 'vf-a' });
      expect(view.attempts).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        const next = await s.router.pay(steam(`after-${i}`, '100.00'));
        expect(next).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
        expect(next.route?.skipped).toEqual([{ provider: 'vf-a', reason: 'out_of_funds' }]);
      }
      expect(s.router.breakerState('vf-a')).toBe('closed');
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
      // A balance check that is still short keeps vf-a out; a top-up that covers the refused 500 lets it back.
      await s.router.checkBalances();
      expect((await s.router.pay(steam('still-short', '100.00'))).provider).toBe('vf-b');
      s.simA.ledger.setBalance(AGENT_ID, 'KZT', '10000.00');
      await s.router.checkBalances();
      expect((await s.router.pay(steam('back', '100.00'))).provider).toBe('vf-a');
      // The finalizer resends the very same Payment until it can be settled (protocol §4): once, at vf-a.
      await s.router.start();
      const done = await s.router.waitForFinal('short', { timeoutMs: 30_000 });
      expect(done).toMatchObject({ state: 'succeeded', provider: 'vf-a', transactionId: view.transactionId });
      expect(done.attempts).toHaveLength(1);
      expect(s.simA.ledger.creditCount(view.transactionId ?? '', AGENT_ID)).toBe(1);
      expect(s.simB.ledger.payments({ agentId: AGENT_ID }).map((p) => p.transactionId)).not.toContain(
        view.transactionId,
      );
    },
    TIMEOUT,
  );
});
