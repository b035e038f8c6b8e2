import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type LookupFunction,
  type Socket,
} from 'node:net';
import { ProviderUnavailableError, ValidationError } from '@tolem/core';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockSetup, mockVectrafin, PASSWORD, socketError } from '../test/mock-vectrafin.js';
import type { VectrafinOptions } from './config.js';
import { createVectrafinProvider, type VectrafinProvider } from './provider.js';

/**
 * Transport faults (protocol §4.2): each is an unknown outcome with its own reason, never final and never
 * thrown, first through an undici MockAgent injected as the dispatcher, then through real sockets.
 */

const PAYMENT = {
  serviceId: '7',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  transactionId: '112',
};
const OK_BODY =
  '{"RequestID":11637004,"ResponseType":"Payment","TransactinID":112,"ResponseStatus":1,"Message":"Транзакция создана"}';

let mock: MockSetup | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('through a MockAgent dispatcher', () => {
  // Whether anything was sent is undici's phase (was onRequestStart called?), never the error's shape:
  // each error is raised before the request was written, or after, as undici would (mock.ts).
  it.each<[string, string, (m: MockSetup) => void]>([
    [
      'ECONNREFUSED while connecting',
      'connection_refused',
      (m) => m.replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED', 'connect'), 'before-write'),
    ],
    [
      'EHOSTUNREACH while connecting',
      'connection_refused',
      (m) => m.replyWithError(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH', 'connect'), 'before-write'),
    ],
    [
      'every address refused (happy-eyeballs: an AggregateError, no syscall)',
      'connection_refused',
      (m) =>
        m.replyWithError(
          Object.assign(
            new AggregateError(
              [
                socketError('ECONNREFUSED', 'connect ECONNREFUSED ::1:8080', 'connect'),
                socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8080', 'connect'),
              ],
              '',
            ),
            { code: 'ECONNREFUSED' },
          ),
          'before-write',
        ),
    ],
    // Linux reports an ICMP "unreachable" on an established socket once its retransmissions give up:
    // the request may have arrived, so it is not "nothing sent" (protocol §4.2).
    [
      'EHOSTUNREACH on a connection that was already sending',
      'connection_lost',
      (m) => m.replyWithError(socketError('EHOSTUNREACH', 'read EHOSTUNREACH', 'read'), 'after-write'),
    ],
    [
      'ENETUNREACH on a write',
      'connection_lost',
      (m) => m.replyWithError(socketError('ENETUNREACH', 'write ENETUNREACH', 'write'), 'after-write'),
    ],
    // A code alone never proves nothing was sent: after the write, even "refused" may have arrived.
    [
      'ECONNREFUSED reported after the request was written',
      'connection_lost',
      (m) => m.replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED', 'connect'), 'after-write'),
    ],
    ['ENOTFOUND', 'connection_refused', (m) => m.replyWithError(socketError('ENOTFOUND'), 'before-write')],
    ['EAI_AGAIN', 'connection_refused', (m) => m.replyWithError(socketError('EAI_AGAIN'), 'before-write')],
    [
      'a connect timeout',
      'connection_refused',
      (m) => m.replyWithError(socketError('UND_ERR_CONNECT_TIMEOUT'), 'before-write'),
    ],
    [
      'a reset during the TLS handshake, before the request',
      'connection_refused',
      (m) => m.replyWithError(socketError('ECONNRESET'), 'before-write'),
    ],
    [
      'an error without a code before anything was written',
      'connection_refused',
      (m) => m.replyWithError(new Error('boom'), 'before-write'),
    ],
    ['ECONNRESET', 'connection_lost', (m) => m.replyWithError(socketError('ECONNRESET'), 'after-write')],
    [
      'a socket closed by the other side',
      'connection_lost',
      (m) => m.replyWithError(socketError('UND_ERR_SOCKET'), 'after-write'),
    ],
    [
      'a wrapped reset',
      'connection_lost',
      (m) =>
        m.replyWithError(
          Object.assign(new Error('fetch failed'), { cause: socketError('ECONNRESET') }),
          'after-write',
        ),
    ],
    ['an error without a code', 'connection_lost', (m) => m.replyWithError(new Error('boom'), 'after-write')],
    [
      'a headers timeout',
      'timeout',
      (m) => m.replyWithError(socketError('UND_ERR_HEADERS_TIMEOUT'), 'after-write'),
    ],
    ['an empty 200', 'empty_response', (m) => m.reply('')],
    ['a blank 200', 'empty_response', (m) => m.reply(' \r\n\t')],
    [
      'an HTML 200',
      'malformed_response',
      (m) => m.reply({ body: '<html><body>Ошибка</body></html>', headers: {} }),
    ],
    [
      'a 200 labelled text/html',
      'malformed_response',
      (m) => m.reply({ body: '{"ResponseStatus":10}', headers: { 'content-type': 'text/html' } }),
    ],
    ['broken JSON', 'malformed_response', (m) => m.reply('{"ResponseStatus":10')],
    ['JSON of the wrong shape', 'malformed_response', (m) => m.reply('{"Result":"ok"}')],
    ['a JSON list', 'malformed_response', (m) => m.reply('[]')],
    [
      'non-UTF-8 bytes',
      'malformed_response',
      (m) => m.reply({ body: Buffer.from([0x7b, 0xce, 0xf8, 0x7d]) }),
    ],
    [
      'a declared windows-1251 charset',
      'malformed_response',
      (m) =>
        m.reply({
          body: '{"ResponseStatus":10}',
          headers: { 'content-type': 'application/json; charset=windows-1251' },
        }),
    ],
    ['a 500 without a body', 'http_error', (m) => m.reply({ status: 500, body: '' })],
    ['a 502 HTML page', 'http_error', (m) => m.reply({ status: 502, body: '<html>Bad Gateway</html>' })],
    [
      'a 503 with JSON that is no answer',
      'http_error',
      (m) => m.reply({ status: 503, body: '{"error":"busy"}' }),
    ],
    ['a 404 in windows-1251', 'http_error', (m) => m.reply({ status: 404, body: Buffer.from([0xce, 0xf8]) })],
  ])('%s → unknown / %s', async (_label, reason, arrange) => {
    mock = mockVectrafin();
    arrange(mock);
    const result = await mock.provider.pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', final: false, reason, providerStatus: null });
    expect(result).toMatchObject({
      transactionId: '112',
      amount: '100.00',
      currency: 'KZT',
      account: 'galek10',
    });
    expect(mock.sent).toHaveLength(1);
  });

  it('a non-2xx status with a usable answer is that answer', async () => {
    mock = mockVectrafin();
    mock.reply({
      status: 500,
      body: '{"TransactinID":112,"ResponseStatus":-500,"Message":"Ошибка запроса"}',
    });
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({
      state: 'unknown',
      reason: 'request_failed',
      providerStatus: '-500',
    });
  });

  it('a UTF-8 byte order mark is not an error', async () => {
    mock = mockVectrafin();
    mock.reply({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(OK_BODY)]) });
    expect((await mock.provider.pay(PAYMENT)).state).toBe('pending');
  });

  it('scrubs the password from transport messages', async () => {
    mock = mockVectrafin();
    mock.replyWithError(
      socketError('ECONNRESET', `socket hang up sending AgentPassword=${PASSWORD}`),
      'after-write',
    );
    const result = await mock.provider.pay(PAYMENT);
    expect(result.reason).toBe('connection_lost');
    expect(result.message).toContain('[redacted]');
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('an already aborted signal throws its reason and sends nothing', async () => {
    mock = mockVectrafin();
    mock.reply(OK_BODY);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(mock.provider.pay(PAYMENT, { signal: controller.signal })).rejects.toBe(reason);
    expect(mock.sent).toHaveLength(0);
  });

  it('a bad per-call timeout is a ValidationError before sending', async () => {
    mock = mockVectrafin();
    mock.reply(OK_BODY);
    await expect(mock.provider.pay(PAYMENT, { timeoutMs: 0 })).rejects.toThrow(ValidationError);
    expect(mock.sent).toHaveLength(0);
  });

  it('a closed provider throws ProviderUnavailableError and sends nothing', async () => {
    mock = mockVectrafin();
    mock.reply(OK_BODY);
    await mock.provider.close();
    await expect(mock.provider.pay(PAYMENT)).rejects.toThrow(ProviderUnavailableError);
    expect(mock.sent).toHaveLength(0);
  });
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface TestServer {
  url: string;
  requests: number;
  bodies: string[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const providers: VectrafinProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const state = { requests: 0, bodies: [] as string[] };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.bodies.push(Buffer.concat(chunks).toString('utf8'));
      handler(request, response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const result: TestServer = {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    bodies: state.bodies,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
  servers.push(result);
  return result;
}

function providerFor(
  url: string,
  timeoutMs = 20_000,
  extra: Partial<VectrafinOptions> = {},
): VectrafinProvider {
  const provider = createVectrafinProvider({
    id: 'vf-real',
    baseUrl: url,
    agentId: '144',
    password: PASSWORD,
    timeoutMs,
    ...extra,
  });
  providers.push(provider);
  return provider;
}

/** "Ошибка авторизации" and friends in windows-1251: Cyrillic А..я are 0xC0..0xFF. */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((char) => {
      const code = char.codePointAt(0) ?? 0x3f;
      if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
      return code < 0x80 ? code : 0x3f;
    }),
  );
}

describe('through real sockets (node:http on port 0)', () => {
  it('answers normally through the Pool, sending the form body once', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(OK_BODY);
    });
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'pending', providerRequestId: '11637004' });
    expect(new URLSearchParams(server.bodies[0]).get('RequestType')).toBe('Payment');
  });

  it('a reset mid-request is connection_lost, and the Payment is not retried', async () => {
    const server = await serve((request) => request.socket.destroy());
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'connection_lost' });
    expect(server.requests).toBe(1);
  });

  it('a body cut short is connection_lost', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      response.write(OK_BODY.slice(0, 40));
      setImmediate(() => response.socket?.destroy());
    });
    expect((await providerFor(server.url).pay(PAYMENT)).reason).toBe('connection_lost');
  });

  it('an empty body is empty_response', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    expect((await providerFor(server.url).pay(PAYMENT)).reason).toBe('empty_response');
  });

  it('an HTML page is malformed_response', async () => {
    const server = await serve((_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!DOCTYPE html><title>Service Unavailable</title>'),
    );
    expect((await providerFor(server.url).pay(PAYMENT)).reason).toBe('malformed_response');
  });

  it.each([
    ['labelled windows-1251', 'application/json; charset=windows-1251'],
    ['labelled UTF-8 but not UTF-8', 'application/json; charset=utf-8'],
  ])('a windows-1251 body %s is malformed_response (protocol §3.17)', async (_label, type) => {
    const server = await serve((_request, response) =>
      response
        .writeHead(200, { 'content-type': type })
        .end(cp1251('{"TransactinID":112,"ResponseStatus":10,"Message":"Транзакция успешна"}')),
    );
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'malformed_response' });
  });

  it('a 500 without a usable body is http_error', async () => {
    const server = await serve((_request, response) => response.writeHead(500).end('Internal Server Error'));
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', reason: 'http_error' });
    expect(result.message).toContain('500');
  });

  it('no answer within timeoutMs is timeout; the late answer changes nothing', async () => {
    const server = await serve((_request, response) => {
      setTimeout(() => response.writeHead(200).end(OK_BODY), 3_000).unref();
    });
    const result = await providerFor(server.url, 60_000).pay(PAYMENT, { timeoutMs: 150 });
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'timeout' });
    expect(server.requests).toBe(1);
  });

  it('an abort after the request left is unknown/aborted, not a throw', async () => {
    const controller = new AbortController();
    const server = await serve(() => controller.abort(new Error('shutdown')));
    const result = await providerFor(server.url).pay(PAYMENT, { signal: controller.signal });
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'aborted' });
  });

  it('a refused connection is connection_refused: nothing was sent', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const result = await providerFor(url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'connection_refused' });
  });

  it('runs calls concurrently over the pool', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve((_request, response) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end(OK_BODY);
      }, 100);
    });
    const provider = providerFor(server.url);
    const results = await Promise.all(Array.from({ length: 6 }, () => provider.pay(PAYMENT)));
    expect(results.every((result) => result.state === 'pending')).toBe(true);
    expect(peak).toBeGreaterThan(1);
  });
});

const pools: Pool[] = [];
const tcpServers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(tcpServers.splice(0).map((server) => server.close()));
});

/** An undici Pool whose DNS answers are `lookup`'s (the real connect path: happy-eyeballs and all). */
function poolWithLookup(origin: string, lookup: LookupFunction, connectTimeoutMs?: number): Pool {
  const pool = new Pool(origin, {
    connect: connectTimeoutMs === undefined ? { lookup } : { lookup, timeout: connectTimeoutMs },
  });
  pools.push(pool);
  return pool;
}

/** A name that resolves to the IPv6 and the IPv4 loopback, in that order (like a dual-stack host). */
const dualStack: LookupFunction = (_hostname, options, callback) => {
  const all = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ];
  if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
  else callback(null, '::1', 6);
};

/** A port nothing listens on, on either loopback address (taken from a dual-stack listener, then freed). */
async function unusedPort(): Promise<number> {
  const probe = createTcpServer();
  probe.listen({ port: 0, host: '::', ipv6Only: false });
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * A TCP server that accepts connections and never says a word: a TLS client never completes its
 * handshake, so the request is never written. Records what arrives.
 */
async function silentTcpServer(): Promise<{ port: number; received: () => Buffer }> {
  const sockets: Socket[] = [];
  const chunks: Buffer[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  tcpServers.push({
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  });
  return { port: (server.address() as AddressInfo).port, received: () => Buffer.concat(chunks) };
}

describe('nothing sent: decided by whether undici began writing the request (issue 10 item 2)', () => {
  it('a host whose IPv6 and IPv4 addresses both refuse (happy-eyeballs AggregateError) is connection_refused', async () => {
    const port = await unusedPort();
    const origin = `http://localhost:${port}`;
    const dispatched: string[] = [];
    const result = await providerFor(origin, 5_000, { dispatcher: poolWithLookup(origin, dualStack) }).pay(
      PAYMENT,
      { onDispatch: () => dispatched.push('left the queue') },
    );
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'connection_refused' });
    expect(result.message).toContain('nothing was sent');
    expect(result.message).toContain('ECONNREFUSED');
    // It did leave the provider's queue (a connect was tried): that is not the same as being sent.
    expect(dispatched).toEqual(['left the queue']);
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('a DNS failure (%s) is connection_refused', async (code) => {
    const origin = 'https://processing.vectrafin.invalid';
    const failing: LookupFunction = (hostname, _options, callback) =>
      callback(
        Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, syscall: 'getaddrinfo' }),
        '',
        4,
      );
    const result = await providerFor(origin, 5_000, { dispatcher: poolWithLookup(origin, failing) }).pay(
      PAYMENT,
    );
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_refused' });
    expect(result.message).toContain(code);
  });

  it('a connect that never completes (a TLS handshake nobody answers) is connection_refused at our timeout', async () => {
    const silent = await silentTcpServer();
    const result = await providerFor(`https://127.0.0.1:${silent.port}`, 300).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_refused' });
    expect(result.message).toContain('could not connect within 300 ms');
    // Only the TLS ClientHello (record type 0x16) reached the server, never the HTTP request.
    expect(silent.received()[0]).toBe(0x16);
    expect(silent.received().toString('latin1')).not.toContain('POST');
  });

  it("undici's own connect timeout (UND_ERR_CONNECT_TIMEOUT) is connection_refused", async () => {
    const silent = await silentTcpServer();
    const origin = `https://127.0.0.1:${silent.port}`;
    const pool = new Pool(origin, { connect: { timeout: 150 } });
    pools.push(pool);
    const result = await providerFor(origin, 10_000, { dispatcher: pool }).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_refused' });
    expect(result.message).toContain('UND_ERR_CONNECT_TIMEOUT');
  });

  it('an abort while the connection is still being opened throws: nothing was sent', async () => {
    const silent = await silentTcpServer();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 100);
    await expect(
      providerFor(`https://127.0.0.1:${silent.port}`, 10_000).pay(PAYMENT, { signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('a reset after the request was written is connection_lost, never nothing sent', async () => {
    const server = await serve((request) => request.socket.destroy());
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_lost' });
    expect(server.requests).toBe(1);
  });

  it('a server that closes after sending the headers is connection_lost, never nothing sent', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      response.flushHeaders();
      setImmediate(() => response.socket?.destroy());
    });
    const result = await providerFor(server.url).pay(PAYMENT);
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_lost' });
    expect(server.requests).toBe(1);
  });
});

describe('waiting for a connection is not the provider’s time (issue 10 item 3)', () => {
  /** "Transaction created", echoing the transaction id the request carried. */
  const createdFor = (body: string | undefined) =>
    `{"RequestID":11637004,"ResponseType":"Payment","TransactinID":${new URLSearchParams(body).get('TransactionID')},"ResponseStatus":1,"Message":"Транзакция создана"}`;

  /** A server that holds every request until `release()`, then answers "created". */
  async function holdingServer() {
    const held: { response: ServerResponse; body: string | undefined }[] = [];
    const server: TestServer = await serve((_request, response) => {
      held.push({ response, body: server.bodies.at(-1) });
    });
    return {
      server,
      held,
      release() {
        for (const { response, body } of held.splice(0)) {
          response.writeHead(200, { 'content-type': 'application/json' }).end(createdFor(body));
        }
      },
    };
  }

  const payment = (transactionId: string) => ({ ...PAYMENT, transactionId });

  it('with the queue full (queueLimit 0), a request comes back not_dispatched at once and never reaches the server', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 10_000, { connections: 1, queueLimit: 0 });
    const dispatched: string[] = [];
    const first = provider.pay(payment('1'), { onDispatch: () => dispatched.push('1') });
    await expect.poll(() => held.length).toBe(1);
    const second = await provider.pay(payment('2'), { onDispatch: () => dispatched.push('2') });
    expect(second).toMatchObject({ state: 'unknown', final: false, reason: 'not_dispatched' });
    expect(second.message).toContain('1 connections busy');
    expect(JSON.stringify(second)).not.toContain(PASSWORD);
    release();
    expect((await first).state).toBe('pending');
    expect(server.requests).toBe(1);
    expect(dispatched).toEqual(['1']);
  });

  it('a request that waits longer than queueTimeoutMs comes back not_dispatched, and is never sent later', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 10_000, { connections: 1, queueTimeoutMs: 100 });
    const first = provider.pay(payment('1'));
    await expect.poll(() => held.length).toBe(1);
    const second = await provider.pay(payment('2'));
    expect(second).toMatchObject({ state: 'unknown', reason: 'not_dispatched' });
    expect(second.message).toContain('no free connection');
    release();
    await first;
    // A third call gets the freed connection; the second never went out.
    const third = provider.pay(payment('3'));
    await expect.poll(() => held.length).toBe(1);
    release();
    expect((await third).state).toBe('pending');
    expect(server.bodies.map((body) => new URLSearchParams(body).get('TransactionID'))).toEqual(['1', '3']);
  });

  it('by default a request waits for a connection as long as the call’s own timeout', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 150, { connections: 1 });
    const first = provider.pay(payment('1'), { timeoutMs: 10_000 });
    await expect.poll(() => held.length).toBe(1);
    expect(await provider.pay(payment('2'))).toMatchObject({ reason: 'not_dispatched' });
    release();
    await first;
    expect(server.requests).toBe(1);
  });

  it('the provider timeout starts when the request leaves the queue, not before', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 10_000, { connections: 1, queueTimeoutMs: 5_000 });
    const first = provider.pay(payment('1'));
    await expect.poll(() => held.length).toBe(1);
    // Queued longer than its own 1.5 s timeout, then answered at once: not a timeout.
    const second = provider.pay(payment('2'), { timeoutMs: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    release();
    await first;
    await expect.poll(() => held.length).toBe(1);
    release();
    expect((await second).state).toBe('pending');
  });

  it('an abort while waiting for a connection throws its reason; the request is never sent', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 10_000, { connections: 1 });
    const first = provider.pay(payment('1'));
    await expect.poll(() => held.length).toBe(1);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const second = provider.pay(payment('2'), { signal: controller.signal });
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
    release();
    await first;
    expect(server.requests).toBe(1);
  });

  it('close() while requests wait: they throw ProviderUnavailableError, nothing sent', async () => {
    const { server, held, release } = await holdingServer();
    const provider = providerFor(server.url, 10_000, { connections: 1 });
    const first = provider.pay(payment('1'));
    await expect.poll(() => held.length).toBe(1);
    const waiting = provider.pay(payment('2'));
    const closing = provider.close();
    await expect(waiting).rejects.toSatisfy((error) => ProviderUnavailableError.is(error));
    release();
    expect((await first).state).toBe('pending');
    await closing;
    expect(server.requests).toBe(1);
  });

  it('a signal aborted as the request leaves the queue (here by onDispatch) throws; nothing is sent', async () => {
    const { server } = await holdingServer();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    await expect(
      providerFor(server.url).pay(payment('1'), {
        signal: controller.signal,
        onDispatch: () => controller.abort(reason),
      }),
    ).rejects.toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toBe(0);
  });

  it('an onDispatch that throws sends nothing and throws its error', async () => {
    const { server } = await holdingServer();
    const boom = new Error('hook failed');
    await expect(
      providerFor(server.url).pay(payment('1'), {
        onDispatch: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(server.requests).toBe(0);
  });

  it('2 connections, 16 concurrent pays, a 400 ms provider and a 1 s timeout: only requests that reached the server can time out', async () => {
    const reached = new Set<string>();
    const server: TestServer = await serve((_request, response) => {
      const body = server.bodies.at(-1);
      setTimeout(
        () => response.writeHead(200, { 'content-type': 'application/json' }).end(createdFor(body)),
        400,
      );
    });
    const provider = providerFor(server.url, 1_000, { connections: 2 });
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, index) => provider.pay(payment(String(index + 1)))),
    );
    for (const body of server.bodies) reached.add(new URLSearchParams(body).get('TransactionID') ?? '');
    const byReason = (reason: string | null) => results.filter((result) => result.reason === reason);
    // The ones that never left the queue say so; none of them reached the server.
    expect(byReason('not_dispatched').length).toBeGreaterThan(0);
    for (const result of byReason('not_dispatched')) expect(reached.has(result.transactionId)).toBe(false);
    // Every other outcome is for a request the server saw.
    for (const result of results.filter((r) => r.reason !== 'not_dispatched')) {
      expect(reached.has(result.transactionId), result.reason ?? 'pending').toBe(true);
    }
    expect(byReason('not_dispatched').length + server.requests).toBe(16);
  });
});
