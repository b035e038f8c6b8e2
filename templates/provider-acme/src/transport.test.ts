import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { NOTHING_SENT_REASONS } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAcmeConfig } from './options.js';
import { AcmeTransport } from './transport.js';

/**
 * "Nothing was sent" only with proof (architecture §4.9): a refused connect is `connection_refused`
 * (the router may send the payment elsewhere), while everything after the request was written is an
 * unknown outcome of its own. Raw TCP servers stand in for Acme here, to fail at exact moments.
 */

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.close();
  }
});

/** A TCP server that does `onConnection` with each socket; resolves with its URL and a count of requests. */
async function tcpServer(onConnection: (socket: Socket) => void) {
  let received = 0;
  const server = createServer((socket) => {
    socket.once('data', () => {
      received += 1;
    });
    onConnection(socket);
  });
  open.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, received: () => received };
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function transport(baseUrl: string, timeoutMs = 2_000) {
  return new AcmeTransport(
    resolveAcmeConfig({ id: 'acme-test', baseUrl, apiKey: 'transport-key-91', timeoutMs }),
  );
}

describe('AcmeTransport: what was sent', () => {
  it('a refused connection: connection_refused, the one reason that says nothing was sent', async () => {
    const acme = transport(await closedPort());
    const answer = await acme.call('POST', '/v1/payments', { txn: '1' });
    await acme.close();
    expect(answer).toMatchObject({ ok: false, outcome: { state: 'unknown', reason: 'connection_refused' } });
    expect(NOTHING_SENT_REASONS).toContain('connection_refused');
  });

  it('a connection dropped after the request arrived: connection_lost, which may have reached Acme', async () => {
    const server = await tcpServer((socket) => socket.once('data', () => socket.destroy()));
    const acme = transport(server.url);
    const answer = await acme.call('POST', '/v1/payments', { txn: '2' });
    await acme.close();
    expect(server.received()).toBe(1);
    expect(answer).toMatchObject({ ok: false, outcome: { state: 'unknown', reason: 'connection_lost' } });
    expect(NOTHING_SENT_REASONS).not.toContain('connection_lost');
  });

  it('no answer in time after the request was written: timeout, never connection_refused', async () => {
    const server = await tcpServer(() => {});
    const acme = transport(server.url, 300);
    const answer = await acme.call('GET', '/v1/payments/3', undefined);
    await acme.close();
    expect(server.received()).toBe(1);
    expect(answer).toMatchObject({ ok: false, outcome: { reason: 'timeout' } });
  });

  it('an abort before the request leaves throws and sends nothing; one after it is unknown / aborted', async () => {
    const server = await tcpServer(() => {});
    const acme = transport(server.url);
    const early = new AbortController();
    early.abort(new Error('customer left'));
    await expect(acme.call('POST', '/v1/payments', { txn: '4' }, { signal: early.signal })).rejects.toThrow(
      'customer left',
    );
    const late = new AbortController();
    const pending = acme.call('POST', '/v1/payments', { txn: '5' }, { signal: late.signal });
    await expect.poll(() => server.received()).toBe(1);
    late.abort(new Error('customer left'));
    expect(await pending).toMatchObject({ ok: false, outcome: { state: 'unknown', reason: 'aborted' } });
    await acme.close();
  });

  it('calls onDispatch once as the request leaves; an onDispatch that throws sends nothing and throws', async () => {
    const server = await tcpServer((socket) =>
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n{"code":"OK"}',
        ),
      ),
    );
    const acme = transport(server.url);
    let dispatched = 0;
    const answer = await acme.call('GET', '/v1/balance', undefined, { onDispatch: () => void dispatched++ });
    expect(answer).toMatchObject({ ok: true, body: { code: 'OK' } });
    expect(dispatched).toBe(1);
    const refused = new Error('no budget for this call');
    await expect(
      acme.call('GET', '/v1/balance', undefined, {
        onDispatch: () => {
          throw refused;
        },
      }),
    ).rejects.toBe(refused);
    await acme.close();
    expect(server.received()).toBe(1);
  });

  it('never shows the API key in a message', async () => {
    const acme = transport(await closedPort());
    const answer = await acme.call('GET', '/v1/balance', undefined);
    await acme.close();
    expect(JSON.stringify(answer)).not.toContain('transport-key-91');
    expect(JSON.stringify(acme)).not.toContain('transport-key-91');
  });

  it('a closed transport throws before sending', async () => {
    const acme = transport(await closedPort());
    await acme.close();
    await expect(acme.call('GET', '/v1/balance', undefined)).rejects.toThrow(/closed/);
  });
});
