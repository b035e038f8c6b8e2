import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeProvider } from '../test/fake-provider.js';
import { harness, order } from '../test/harness.js';
import { type CallbackHandlerOptions, createCallbackHandler } from './callback-handler.js';
import type { Router } from './types.js';

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

  it('validates its options', () => {
    const h = harness();
    expect(() => createCallbackHandler(h.router, { pathToken: 'short' })).toThrow(ConfigError);
    expect(() => createCallbackHandler(h.router, { maxBodyBytes: 0 })).toThrow(ConfigError);
  });
});
