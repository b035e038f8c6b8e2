import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, order } from '../../test/harness.js';
import type { Router } from '../types.js';
import { RouterWarning } from '../warnings.js';
import { type CallbackHandlerOptions, createCallbackHandler } from './callback-handler.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(router: Router, options: CallbackHandlerOptions = {}): Promise<string> {
  const server = createServer(createCallbackHandler(router, options));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = { 'content-type': 'application/json' };
const body = (transactionId: string) =>
  `{"RequestID":7241376,"ResponseType":"CallBack","TransactinID":${transactionId},"ResponseStatus":10,"Message":"ok"}`;

async function setup(options: CallbackHandlerOptions = {}) {
  const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
  const h = harness({ a });
  const view = await h.router.pay(order('http-1'));
  h.a.settleLedger(view.transactionId ?? '', { state: 'succeeded', providerStatus: '10' });
  return { h, url: await serve(h.router, options), transactionId: view.transactionId ?? '' };
}

describe('createCallbackHandler', () => {
  it('confirms a known callback POSTed as JSON to /callbacks/<provider>', async () => {
    const { h, url, transactionId } = await setup();
    const response = await fetch(`${url}/callbacks/vf-a`, {
      method: 'POST',
      headers: json,
      body: body(transactionId),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'confirmed' });
    expect((await h.journal.get('http-1'))?.state).toBe('succeeded');
  });

  it('answers 404 for an unknown transaction, and nothing changes', async () => {
    const { h, url } = await setup();
    const response = await fetch(`${url}/callbacks/vf-a`, {
      method: 'POST',
      headers: json,
      body: body('123'),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ result: 'rejected' });
    expect((await h.journal.get('http-1'))?.state).toBe('pending');
  });

  it.each([
    ['GET', '/callbacks/vf-a', json, undefined, 405],
    ['POST', '/callbacks/vf-a', { 'content-type': 'text/plain' }, 'x', 415],
    ['POST', '/callbacks/vf-a', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415],
    ['POST', '/callbacks/vf-x', json, '{}', 404],
    ['POST', '/elsewhere/vf-a', json, '{}', 404],
    ['POST', '/callbacks/vf-a/extra', json, '{}', 404],
    ['POST', '/callbacks/vf-a', json, '{"not":"a callback"}', 400],
  ])('%s %s (%o) → %i', async (method, path, headers, payload, status) => {
    const { h, url } = await setup();
    const response = await fetch(`${url}${path}`, { method, headers, ...(payload ? { body: payload } : {}) });
    expect(response.status).toBe(status);
    if (status === 405) expect(response.headers.get('allow')).toBe('POST');
    expect((await h.journal.get('http-1'))?.state).toBe('pending');
  });

  it('refuses a body over the limit with 413, whether declared or streamed', async () => {
    const { h, url } = await setup({ maxBodyBytes: 256 });
    const big = `{"pad":"${'x'.repeat(1_000)}"}`;
    const declared = await fetch(`${url}/callbacks/vf-a`, { method: 'POST', headers: json, body: big });
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/callbacks/vf-a`, {
      method: 'POST',
      headers: json,
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await h.journal.get('http-1'))?.state).toBe('pending');
  });

  it('with a path token, accepts only /callbacks/<token>/<provider>', async () => {
    const token = 'tok-0123456789abcdef';
    const { h, url, transactionId } = await setup({ pathToken: token });
    const wrong = await fetch(`${url}/callbacks/tok-0123456789abcdeX/vf-a`, {
      method: 'POST',
      headers: json,
      body: body(transactionId),
    });
    expect(wrong.status).toBe(404);
    const bare = await fetch(`${url}/callbacks/vf-a`, {
      method: 'POST',
      headers: json,
      body: body(transactionId),
    });
    expect(bare.status).toBe(404);
    expect((await h.journal.get('http-1'))?.state).toBe('pending');
    const right = await fetch(`${url}/callbacks/${token}/vf-a`, {
      method: 'POST',
      headers: json,
      body: body(transactionId),
    });
    expect(right.status).toBe(200);
    expect((await h.journal.get('http-1'))?.state).toBe('succeeded');
  });

  it('a mount without a path token warns once through the router’s onError; with one, not at all', () => {
    const warnings: unknown[] = [];
    const h = harness({ onError: (error, context) => warnings.push({ error, context }) });
    createCallbackHandler(h.router, { pathToken: 'tok-0123456789abcdef' });
    expect(warnings).toEqual([]);
    createCallbackHandler(h.router);
    createCallbackHandler(h.router, { basePath: '/hooks' });
    expect(warnings).toHaveLength(1);
    const { error, context } = warnings[0] as { error: RouterWarning; context: unknown };
    expect(error).toBeInstanceOf(RouterWarning);
    expect(error).toMatchObject({ name: 'TolemRouterWarning', code: 'TOLEM_CALLBACKS_WITHOUT_TOKEN' });
    expect(error.message).toContain('pathToken');
    expect(context).toEqual({ source: 'startup', paymentId: null });
  });

  it('without onError the warning is a process warning, once per router', () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const a = new FakeProvider('vf-a');
      const h = harness({ a, onError: undefined });
      createCallbackHandler(h.router);
      createCallbackHandler(h.router);
      expect(emitted).toHaveBeenCalledTimes(1);
      expect(emitted.mock.calls[0]?.[1]).toEqual({
        type: 'TolemRouterWarning',
        code: 'TOLEM_CALLBACKS_WITHOUT_TOKEN',
      });
      // Another router warns for itself.
      createCallbackHandler(harness({ onError: undefined }).router);
      expect(emitted).toHaveBeenCalledTimes(2);
    } finally {
      emitted.mockRestore();
    }
  });

  it('answers 200 "throttled" to a callback inside the check interval', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, callbacks: { minCheckIntervalMs: 600_000 } });
    const view = await h.router.pay(order('http-2'));
    const url = await serve(h.router, { pathToken: 'tok-0123456789abcdef' });
    const post = () =>
      fetch(`${url}/callbacks/tok-0123456789abcdef/vf-a`, {
        method: 'POST',
        headers: json,
        body: body(view.transactionId ?? ''),
      });
    expect(await (await post()).json()).toEqual({ result: 'unchanged' });
    const again = await post();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ result: 'throttled' });
    expect(h.a.calledWith('getStatus')).toHaveLength(1);
  });

  it('validates its options', () => {
    const h = harness();
    expect(() => createCallbackHandler(h.router, { pathToken: 'short' })).toThrow(ConfigError);
    expect(() => createCallbackHandler(h.router, { maxBodyBytes: 0 })).toThrow(ConfigError);
  });
});
