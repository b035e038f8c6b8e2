/**
 * The scenarios of issue 5, end to end: router + breakers + the VectraFin provider + the SQLite
 * journal against the simulator over real loopback sockets. The simulator's ledger says what really
 * happened (how many requests arrived, how many times each transaction was credited).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackHandler } from '../src/http/callback-handler.js';
import { AGENT_PASSWORD, type Stack, stack } from './stack.js';

const here = dirname(fileURLToPath(import.meta.url));
// The loader, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would not reach.
const TSX_LOADER = pathToFileURL(resolve(here, '../../../examples/node_modules/tsx/dist/loader.mjs')).href;
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

const steam = (paymentId: string) => ({
  paymentId,
  service: 'steam',
  account: 'galek10',
  amount: '150.00',
  currency: 'KZT',
});

describe('scenarios against the simulator', () => {
  it(
    'timeout after the provider credited → unknown → finalizer → succeeded, credited once',
    async () => {
      const s = await open();
      // The simulator records and credits the payment, then answers only after the client gave up.
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'delay', ms: 5_000 } });
      const view = await s.router.pay(steam('s-timeout'));
      expect(view).toMatchObject({ state: 'unknown', reason: 'timeout', provider: 'vf-a' });
      const transactionId = view.transactionId ?? '';
      expect(s.simA.ledger.creditCount(transactionId, '7001')).toBe(1);
      await s.router.start();
      const done = await s.router.waitForFinal('s-timeout', { timeoutMs: 30_000 });
      expect(done).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-a', transactionId });
      expect(done.attempts).toHaveLength(1);
      expect(s.simA.ledger.creditCount(transactionId, '7001')).toBe(1);
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
      expect(s.simB.ledger.requestCount()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'a short per-call timeoutMs on pay() → unknown/timeout long before the provider default; the finalizer (provider default) settles it, credited once',
    async () => {
      // The providers wait 20 s by default; the caller's 300 ms must win for its own call only.
      const s = await open({ providerTimeoutMs: 20_000 });
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'delay', ms: 10_000 } });
      // Status answers after 1 s: longer than the caller's 300 ms, well inside the provider default.
      s.simA.faults.add({ requestType: 'Status', times: 1, fault: { kind: 'delay', ms: 1_000 } });
      const view = await s.router.pay(steam('s-call-timeout'), { timeoutMs: 300 });
      expect(view).toMatchObject({ state: 'unknown', final: false, reason: 'timeout', provider: 'vf-a' });
      expect(view.attempts).toHaveLength(1);
      const transactionId = view.transactionId ?? '';
      expect(s.simA.ledger.creditCount(transactionId, '7001')).toBe(1);
      await s.router.start();
      const done = await s.router.waitForFinal('s-call-timeout', { timeoutMs: 30_000 });
      expect(done).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-a', transactionId });
      expect(done.attempts).toHaveLength(1);
      expect(done.attempts[0]?.sends).toBe(1);
      expect(s.simA.ledger.creditCount(transactionId, '7001')).toBe(1);
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
      // The delayed Status was answered, not cut off at 300 ms: one Status was enough.
      expect(s.simA.ledger.requestCount('Status')).toBe(1);
      expect(s.simB.ledger.requestCount()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'checkAccount with a short timeoutMs: a slow A times out and B answers; when both are slow, the timeout is reported',
    async () => {
      const s = await open({ providerTimeoutMs: 20_000 });
      const check = { service: 'steam', account: 'galek10', amount: '150.00', currency: 'KZT' };
      s.simA.faults.add({ requestType: 'AccountCheck', times: 1, fault: { kind: 'delay', ms: 10_000 } });
      const fellThrough = await s.router.checkAccount(check, { timeoutMs: 300 });
      expect(fellThrough).toMatchObject({ provider: 'vf-b', state: 'succeeded' });
      expect(s.of('failover')).toContainEqual(
        expect.objectContaining({ operation: 'checkAccount', from: 'vf-a', to: 'vf-b', reason: 'timeout' }),
      );

      s.simA.faults.add({ requestType: 'AccountCheck', times: 1, fault: { kind: 'delay', ms: 10_000 } });
      s.simB.faults.add({ requestType: 'AccountCheck', times: 1, fault: { kind: 'delay', ms: 10_000 } });
      const bothSlow = await s.router.checkAccount(check, { timeoutMs: 300 });
      expect(bothSlow).toMatchObject({ provider: 'vf-b', state: 'unknown', final: false, reason: 'timeout' });
      expect(s.simA.ledger.requestCount('AccountCheck')).toBe(2);
      expect(s.simB.ledger.requestCount('AccountCheck')).toBe(2);
    },
    TIMEOUT,
  );

  it(
    'dropped before processing → unknown → Status "not found" → resent → succeeded once',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-before' } });
      const view = await s.router.pay(steam('s-drop'));
      expect(view).toMatchObject({ state: 'unknown', final: false, provider: 'vf-a' });
      // The connection was accepted, so this is not "nothing sent": no failover.
      expect(view.reason).not.toBe('connection_refused');
      expect(s.simA.ledger.payments()).toHaveLength(0);
      await s.router.start();
      const done = await s.router.waitForFinal('s-drop', { timeoutMs: 30_000 });
      expect(done).toMatchObject({ state: 'succeeded', provider: 'vf-a', transactionId: view.transactionId });
      expect(done.attempts).toHaveLength(1);
      expect(done.attempts[0]?.sends).toBe(2);
      expect(s.simA.ledger.requestCount('Payment')).toBe(2);
      expect(s.simA.ledger.requestCount('Status')).toBeGreaterThanOrEqual(1);
      expect(s.simA.ledger.creditCount(view.transactionId ?? '', '7001')).toBe(1);
      expect(s.simB.ledger.requestCount()).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'A’s breaker open → a new payment goes to B, nothing is sent to A',
    async () => {
      const s = await open({ router: { breaker: { volumeThreshold: 2, resetTimeout: 600_000 } } });
      s.simA.faults.add({ requestType: 'AccountCheck', fault: { kind: 'http-error', httpStatus: 502 } });
      const check = { service: 'steam', account: 'galek10', amount: '150.00', currency: 'KZT' };
      for (let i = 0; i < 3; i++) {
        expect(await s.router.checkAccount(check)).toMatchObject({ provider: 'vf-b', state: 'succeeded' });
      }
      expect(s.router.breakerState('vf-a')).toBe('open');
      const before = s.simA.ledger.requestCount();
      const view = await s.router.pay(steam('s-breaker'));
      expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
      expect(view.attempts.map((attempt) => attempt.provider)).toEqual(['vf-b']);
      expect(s.simA.ledger.requestCount()).toBe(before);
      expect(s.simA.ledger.requestCount('Payment')).toBe(0);
      expect(s.simB.ledger.creditCount(view.transactionId ?? '', '7001')).toBe(1);
      expect(s.of('breaker.state')).toContainEqual({ provider: 'vf-a', state: 'open', previous: 'closed' });
      expect(s.of('failover')).toContainEqual(
        expect.objectContaining({ operation: 'pay', from: 'vf-a', to: 'vf-b', reason: 'breaker_open' }),
      );
    },
    TIMEOUT,
  );

  it(
    'final decline at A with a listed reason → B succeeds',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', fault: { kind: 'status', code: -115 } });
      const view = await s.router.pay(steam('s-listed'));
      expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
      expect(view.attempts.map((attempt) => [attempt.provider, attempt.state, attempt.reason])).toEqual([
        ['vf-a', 'failed', 'provider_technical'],
        ['vf-b', 'succeeded', null],
      ]);
      expect(s.simA.ledger.credits()).toEqual([]);
      expect(s.simB.ledger.credits()).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    'final decline at A with an unlisted reason → failed, nothing sent to B',
    async () => {
      const s = await open();
      const view = await s.router.pay({ ...steam('s-unlisted'), account: 'no-such-user' });
      expect(view).toMatchObject({
        state: 'failed',
        final: true,
        reason: 'account_not_found',
        provider: 'vf-a',
      });
      expect(s.simB.ledger.requestCount()).toBe(0);
      expect(s.simA.ledger.credits()).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'concurrent duplicate pay() calls, in one process and from a second router on the same file → one transaction',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'delay', ms: 200 } });
      const other = s.openRouter();
      const calls = [
        ...Array.from({ length: 8 }, () => s.router.pay(steam('s-dup'))),
        ...Array.from({ length: 4 }, () => other.pay(steam('s-dup'))),
      ];
      const views = await Promise.all(calls);
      expect(new Set(views.map((view) => view.paymentId))).toEqual(new Set(['s-dup']));
      expect(s.simA.ledger.requestCount('Payment')).toBe(1);
      expect(s.simA.ledger.payments()).toHaveLength(1);
      expect(s.simB.ledger.requestCount()).toBe(0);
      const done = await s.router.waitForFinal('s-dup', { timeoutMs: 10_000 });
      expect(done).toMatchObject({ state: 'succeeded' });
      expect(s.simA.ledger.creditCount(done.transactionId ?? '', '7001')).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'callbacks: an unknown transaction is rejected; a real one is confirmed with Status',
    async () => {
      let handler: ReturnType<typeof createCallbackHandler> | null = null;
      const server = createServer((request, response) => handler?.(request, response));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/vf-a`;
      try {
        const s = await open({ a: { callbackUrl, callbacks: { duplicates: 2 } } });
        handler = createCallbackHandler(s.router, { maxBodyBytes: 4_096 });
        const forged = await s.simA.callbacks.send(callbackUrl, {
          transactionId: '424242424242',
          providerRequestId: '1',
          status: 10,
        });
        expect(forged.httpStatus).toBe(404);
        expect(s.of('callback')).toEqual([{ provider: 'vf-a', result: 'rejected', paymentId: null }]);
        expect(await s.journal.list()).toEqual([]);

        // A payment that stays pending a while; its callback (and two duplicates) arrive when it ends.
        const view = await s.router.pay({ ...steam('s-callback'), account: 'slow-user' });
        expect(view.state).toBe('pending');
        const done = await s.router.waitForFinal('s-callback', { timeoutMs: 20_000 });
        expect(done).toMatchObject({ state: 'succeeded', final: true });
        await s.simA.callbacks.idle();
        const results = s
          .of('callback')
          .filter((event) => event.paymentId === 's-callback')
          .map((event) => event.result);
        expect(results[0]).toBe('confirmed');
        expect(results.slice(1)).toEqual(['unchanged', 'unchanged']);
        expect(s.of('payment.final').filter((event) => event.paymentId === 's-callback')).toHaveLength(1);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    },
    TIMEOUT,
  );

  it(
    'no event and no result carries the agent password',
    async () => {
      const s = await open();
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'html', httpStatus: 500 } });
      const view = await s.router.pay(steam('s-secret'));
      await s.router.checkAccount({
        service: 'steam',
        account: 'galek10',
        amount: '150.00',
        currency: 'KZT',
      });
      expect(s.events.length).toBeGreaterThan(2);
      expect(JSON.stringify(s.events)).not.toContain(AGENT_PASSWORD);
      expect(JSON.stringify(view)).not.toContain(AGENT_PASSWORD);
      expect(JSON.stringify(await s.journal.get('s-secret'))).not.toContain(AGENT_PASSWORD);
    },
    TIMEOUT,
  );
});

describe('crash recovery against the simulator', () => {
  it(
    'a router process killed with payments open → a new router on the same SQLite file finishes them all',
    async () => {
      const s = await open();
      // The first payment's connection drops before processing; the others are credited but answered late.
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-before' } });
      s.simA.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 30_000 } });
      const ids = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5'];
      const child: ChildProcess = spawn(
        process.execPath,
        [
          '--import',
          TSX_LOADER,
          '--conditions=@tolem/source',
          join(here, 'child-router.ts'),
          s.dbPath,
          s.simA.url,
          ...ids,
        ],
        { cwd: resolve(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = once(child, 'exit');
      try {
        await expect
          .poll(() => s.simA.ledger.requestCount('Payment'), { timeout: 40_000, interval: 50 })
          .toBe(ids.length);
      } finally {
        child.kill('SIGKILL');
      }
      const [code, signal] = await exited;
      expect({ code, signal, output: output.includes('succeeded') }).toEqual({
        code: null,
        signal: 'SIGKILL',
        output: false,
      });
      const left = await s.journal.list({ final: false });
      expect(left.map((record) => record.paymentId).sort()).toEqual(ids);

      s.simA.faults.clear();
      const revived = s.openRouter();
      await revived.start();
      for (const id of ids) {
        const done = await revived.waitForFinal(id, { timeoutMs: 30_000 });
        expect(done, id).toMatchObject({ state: 'succeeded', final: true, provider: 'vf-a' });
        expect(s.simA.ledger.creditCount(done.transactionId ?? '', '7001'), id).toBe(1);
        // k-1 never reached the provider and was resent; the others were found by Status.
        expect(
          done.attempts.map((attempt) => attempt.sends),
          id,
        ).toEqual([id === 'k-1' ? 2 : 1]);
      }
      expect(s.simA.ledger.credits()).toHaveLength(ids.length);
      expect(s.simB.ledger.requestCount()).toBe(0);
    },
    TIMEOUT * 2,
  );
});
