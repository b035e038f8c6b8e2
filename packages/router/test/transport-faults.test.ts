/**
 * Issue 10, items 2 and 3, end to end: router + breakers + the VectraFin provider + the SQLite journal
 * over real sockets. A request that provably never left the client — refused on every address of a
 * dual-stack host, or never taken out of the provider's queue — fails over; one that may have reached
 * the server never does, and only those can be journaled as a timeout.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type LookupFunction } from 'node:net';
import { latestAttempt, type PaymentRecord } from '@tolem/core';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { provablyUnsent } from '../src/routing/failover-policy.js';
import { type Stack, stack } from './stack.js';

const TIMEOUT = 60_000;

let current: Stack | null = null;
const pools: Pool[] = [];
afterEach(async () => {
  await current?.close();
  current = null;
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const steam = (paymentId: string) => ({
  paymentId,
  service: 'steam',
  account: 'galek10',
  amount: '150.00',
  currency: 'KZT',
});

/** A port nothing listens on, on either loopback address (taken from a dual-stack listener, then freed). */
async function unusedPort(): Promise<number> {
  const probe = createServer();
  probe.listen({ port: 0, host: '::', ipv6Only: false });
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/** `localhost` as a dual-stack host resolves it: ::1 first, then 127.0.0.1 (happy-eyeballs tries both). */
const dualStackLocalhost: LookupFunction = (_hostname, options, callback) => {
  const all = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ];
  if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
  else callback(null, '::1', 6);
};

describe('nothing sent, end to end', () => {
  it(
    'vf-a refuses on both address families: pay() fails over to vf-b, and the first attempt is journaled connection_refused, provably unsent',
    async () => {
      const origin = `http://localhost:${await unusedPort()}`;
      const pool = new Pool(origin, { connect: { lookup: dualStackLocalhost } });
      pools.push(pool);
      const s = await (async () => {
        current = await stack({ providers: { a: { baseUrl: origin, dispatcher: pool } } });
        return current;
      })();
      const view = await s.router.pay(steam('dual-stack-refused'));
      expect(view).toMatchObject({ provider: 'vf-b' });
      expect(['pending', 'succeeded']).toContain(view.state);
      const record = (await s.journal.get('dual-stack-refused')) as PaymentRecord;
      expect(record.attempts).toHaveLength(2);
      const [first, second] = record.attempts;
      expect(first).toMatchObject({
        provider: 'vf-a',
        state: 'unknown',
        reason: 'connection_refused',
        sends: 1,
      });
      expect(first?.message).toContain('nothing was sent');
      expect(provablyUnsent(first as NonNullable<typeof first>)).toBe(true);
      expect(second).toMatchObject({ provider: 'vf-b' });
      expect(s.of('failover')).toContainEqual(
        expect.objectContaining({ operation: 'pay', from: 'vf-a', to: 'vf-b', reason: 'connection_refused' }),
      );
      expect(s.simB.ledger.requestCount('Payment')).toBe(1);
      expect(s.simA.ledger.requestCount()).toBe(0);
    },
    TIMEOUT,
  );
});

describe('waiting for a connection, end to end', () => {
  it(
    '2 connections, 16 concurrent pays, a 400 ms provider, a 1 s timeout: the queued ones fail over unsent, the breaker stays closed, and only requests that reached the server can time out',
    async () => {
      const s = await (async () => {
        current = await stack({ providerTimeoutMs: 1_000, providers: { a: { connections: 2 } } });
        return current;
      })();
      s.simA.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 400 } });
      const ids = Array.from({ length: 16 }, (_, index) => `queued-${index}`);
      const views = await Promise.all(ids.map((id) => s.router.pay(steam(id))));
      expect(views).toHaveLength(16);

      const reachedA = new Set(
        s.simA.ledger
          .requests()
          .filter((entry) => entry.requestType === 'Payment')
          .map((entry) => entry.transactionId),
      );
      const records = await Promise.all(ids.map(async (id) => (await s.journal.get(id)) as PaymentRecord));
      const firstAttempts = records.map((record) => record.attempts[0]);
      const notDispatched = firstAttempts.filter((attempt) => attempt?.reason === 'not_dispatched');

      // Some waited past the timeout in vf-a's queue: they never reached vf-a and went to vf-b.
      expect(notDispatched.length).toBeGreaterThan(0);
      for (const record of records) {
        const [first] = record.attempts;
        if (first?.reason !== 'not_dispatched') continue;
        expect(first).toMatchObject({ provider: 'vf-a', state: 'unknown', sends: 1 });
        expect(reachedA.has(first.transactionId)).toBe(false);
        expect(latestAttempt(record)).toMatchObject({ provider: 'vf-b' });
      }
      // No payment is journaled as a timeout (or anything else) at vf-a unless its request got there.
      for (const attempt of firstAttempts) {
        if (attempt?.reason === 'not_dispatched') continue;
        expect(reachedA.has(attempt?.transactionId ?? null), `${attempt?.state}/${attempt?.reason}`).toBe(
          true,
        );
      }
      expect(reachedA.size + notDispatched.length).toBe(16);
      // Nothing was lost or paid twice: each payment is at exactly one provider that has it.
      for (const record of records) expect(['pending', 'succeeded']).toContain(record.state);

      // The wait was not the provider's fault: the breaker never moved, and no latency was reported for it.
      expect(s.router.breakerState('vf-a')).toBe('closed');
      expect(s.of('breaker.state')).toEqual([]);
      const unsentCalls = s
        .of('provider.call')
        .filter((call) => call.provider === 'vf-a' && call.reason === 'not_dispatched');
      expect(unsentCalls).toHaveLength(notDispatched.length);
      expect(unsentCalls.every((call) => call.durationMs === 0)).toBe(true);
      expect(s.of('failover').filter((event) => event.reason === 'not_dispatched')).toHaveLength(
        notDispatched.length,
      );
    },
    TIMEOUT,
  );
});
