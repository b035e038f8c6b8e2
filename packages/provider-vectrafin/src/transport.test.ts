import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderUnavailableError, ValidationError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createVectrafinProvider, type VectrafinProvider } from './provider.js';
import { type MockSetup, mockVectrafin, PASSWORD, socketError } from './test-support/mock.js';

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
  it.each<[string, string, (m: MockSetup) => void]>([
    [
      'ECONNREFUSED',
      'connection_refused',
      (m) => m.replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED', 'connect')),
    ],
    [
      'EHOSTUNREACH while connecting',
      'connection_refused',
      (m) => m.replyWithError(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH', 'connect')),
    ],
    // Linux reports an ICMP "unreachable" on an established socket once its retransmissions give up:
    // the request may have arrived, so it is not "nothing sent" (protocol §4.2).
    [
      'EHOSTUNREACH on a connection that was already sending',
      'connection_lost',
      (m) => m.replyWithError(socketError('EHOSTUNREACH', 'read EHOSTUNREACH', 'read')),
    ],
    [
      'ENETUNREACH on a write',
      'connection_lost',
      (m) => m.replyWithError(socketError('ENETUNREACH', 'write ENETUNREACH', 'write')),
    ],
    ['ENOTFOUND', 'connection_refused', (m) => m.replyWithError(socketError('ENOTFOUND'))],
    [
      'a connect timeout',
      'connection_refused',
      (m) => m.replyWithError(socketError('UND_ERR_CONNECT_TIMEOUT')),
    ],
    ['ECONNRESET', 'connection_lost', (m) => m.replyWithError(socketError('ECONNRESET'))],
    [
      'a socket closed by the other side',
      'connection_lost',
      (m) => m.replyWithError(socketError('UND_ERR_SOCKET')),
    ],
    [
      'a wrapped reset',
      'connection_lost',
      (m) => m.replyWithError(Object.assign(new Error('fetch failed'), { cause: socketError('ECONNRESET') })),
    ],
    ['an error without a code', 'connection_lost', (m) => m.replyWithError(new Error('boom'))],
    ['a headers timeout', 'timeout', (m) => m.replyWithError(socketError('UND_ERR_HEADERS_TIMEOUT'))],
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
    mock.replyWithError(socketError('ECONNRESET', `socket hang up sending AgentPassword=${PASSWORD}`));
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

function providerFor(url: string, timeoutMs = 20_000): VectrafinProvider {
  const provider = createVectrafinProvider({
    id: 'vf-real',
    baseUrl: url,
    agentId: '144',
    password: PASSWORD,
    timeoutMs,
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
