/**
 * Issue 10 item 5 end to end: forged callbacks posted over HTTP to the callback handler of a router
 * over the simulator. The simulator counts the Status requests that really arrived. Router and
 * simulator share a manual clock, so the interval does not depend on how fast the flood arrives: the
 * clock stands still during the flood and is moved on for the genuine callback.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { createCallbackHandler } from '../src/http/callback-handler.js';
import { ManualClock } from './manual-clock.js';
import { type Stack, stack } from './stack.js';

const TOKEN = 'cb-token-0123456789abcdef';
/** On the manual clock; the follow-up Status after a throttled callback also waits this long in real time. */
const INTERVAL_MS = 1_000;
/** Longer than the test: the payment stays pending until the clock is moved on. */
const PENDING_MS = 600_000;
const TIMEOUT = 60_000;

let current: Stack | null = null;
let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = null;
  await current?.close();
  current = null;
});

it(
  '300 forged callbacks for one pending payment: two Status requests, no queue on its lock; a genuine callback after the interval still settles it',
  async () => {
    let handler: ReturnType<typeof createCallbackHandler> | null = null;
    server = createServer((request, response) => handler?.(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/${TOKEN}/vf-a`;
    const clock = new ManualClock(Date.now());
    // Every payment stays pending (code 1) until the clock passes PENDING_MS; then it succeeds and the
    // simulator calls back.
    current = await stack({
      a: { callbackUrl, progression: { steps: [1], stepMs: PENDING_MS }, clock },
      router: { callbacks: { minCheckIntervalMs: INTERVAL_MS }, clock },
    });
    const s = current;
    handler = createCallbackHandler(s.router, { pathToken: TOKEN });
    // The finalizer is not started: only callbacks can move the payment.
    const view = await s.router.pay({
      paymentId: 'flood',
      service: 'steam',
      account: 'galek10',
      amount: '150.00',
      currency: 'KZT',
    });
    expect(view.state).toBe('pending');
    const transactionId = view.transactionId ?? '';

    // Unknown transaction ids cost no provider call at all.
    const unknown = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        s.simA.callbacks.send(callbackUrl, {
          transactionId: String(BigInt(transactionId) + 10_000n + BigInt(i)),
          providerRequestId: '1',
          status: 10,
        }),
      ),
    );
    expect(new Set(unknown.map((delivery) => delivery.httpStatus))).toEqual(new Set([404]));
    expect(s.simA.ledger.requestCount('Status')).toBe(0);

    // The first Status is slow, so most of the flood arrives while it is in flight.
    s.simA.faults.add({ requestType: 'Status', times: 1, fault: { kind: 'delay', ms: 300 } });
    const forged = await Promise.all(
      Array.from({ length: 300 }, () =>
        s.simA.callbacks.send(callbackUrl, { transactionId, providerRequestId: '1', status: 10 }),
      ),
    );
    expect(new Set(forged.map((delivery) => delivery.httpStatus))).toEqual(new Set([200]));
    // One more, surely after that check: answered from the journal, and owed one follow-up Status.
    const straggler = await s.simA.callbacks.send(callbackUrl, {
      transactionId,
      providerRequestId: '1',
      status: 10,
    });
    expect(straggler.httpStatus).toBe(200);
    const results = s.of('callback').filter((event) => event.paymentId === 'flood');
    expect(results).toHaveLength(301);
    expect(results.at(-1)?.result).toBe('throttled');
    // Joined the first check or throttled: none asked Status on its own.
    expect(new Set(results.map((event) => event.result))).toEqual(new Set(['unchanged', 'throttled']));
    // The follow-up comes when the interval ends (its real length: the clock stands still) ...
    await expect.poll(() => s.simA.ledger.requestCount('Status'), { timeout: 15_000 }).toBe(2);
    // ... and nothing after it: two Status requests for 301 forged callbacks.
    await sleep(INTERVAL_MS * 2);
    const statusRequests = s.simA.ledger.requestCount('Status');
    expect(statusRequests).toBe(2);
    // Each check that takes the payment's lock asks Status exactly once: no queue of checks formed.
    const statusCalls = s.of('provider.call').filter((event) => event.operation === 'getStatus');
    expect(statusCalls).toHaveLength(statusRequests);
    expect((await s.router.getPayment('flood'))?.state).toBe('pending');

    // The payment really succeeds at the simulator, which calls back: long after the interval.
    clock.advance(PENDING_MS);
    s.simA.tick();
    const done = await s.router.waitForFinal('flood', { timeoutMs: 20_000 });
    expect(done).toMatchObject({ state: 'succeeded', final: true });
    await s.simA.callbacks.idle();
    const genuine = s.simA.callbacks.deliveries().filter((delivery) => delivery.kind === 'first');
    expect(genuine).toHaveLength(1);
    expect(genuine[0]?.httpStatus).toBe(200);
    expect(s.of('callback').filter((event) => event.result === 'confirmed')).toHaveLength(1);
    expect(s.simA.ledger.requestCount('Status')).toBe(statusRequests + 1);
    expect(s.simA.ledger.creditCount(transactionId, '7001')).toBe(1);
  },
  TIMEOUT,
);
