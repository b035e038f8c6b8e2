import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallbackSender } from './callbacks.js';
import { Catalogue } from './catalogue.js';
import type { Reply, SimulatorContext } from './context.js';
import { type PreparedRequest, prepare } from './dispatch.js';
import { errorPage, render } from './fault-render.js';
import { type Fault, Faults, processes } from './faults.js';
import { IdGenerator } from './ids.js';
import { Ledger } from './ledger.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { createPrng } from './prng.js';
import { requestError } from './responses.js';
import { statusMessage } from './status-codes.js';
import { Timers } from './timers.js';

const BODY_LIMIT = 10 * 1024 * 1024;

/** A running simulator. */
export interface Simulator {
  /** Base URL without a trailing slash ("http://127.0.0.1:41234"): the provider's `baseUrl`. */
  readonly url: string;
  readonly port: number;
  /** What really happened: payments, credits, balances, requests. */
  readonly ledger: Ledger;
  /** Scripted failures. */
  readonly faults: Faults;
  /** Services, accounts and voucher offers. */
  readonly catalogue: Catalogue;
  /** Callback deliveries and forged callbacks. */
  readonly callbacks: CallbackSender;
  /** Applies every progression step due by the clock (call it after moving an injected clock). */
  tick(): void;
  /** Stops listening, destroys open connections, cancels timers and waits for running callbacks. */
  close(): Promise<void>;
}

/** Starts a VectraFin sandbox on loopback (port 0 by default). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const prng = createPrng(resolved.seed);
  const timers = new Timers();
  const callbacks = new CallbackSender(resolved.callbacks, timers, resolved.clock);
  const ids = new IdGenerator(prng.fork('ids'), resolved.paymentRequestIds);
  const ledger: Ledger = new Ledger({
    clock: resolved.clock,
    prng: prng.fork('progression'),
    ids,
    timers,
    onFinal(record) {
      const url = ledger.agents.callbackUrlOf(record.agentId) ?? resolved.callbackUrl;
      if (url === null) return;
      callbacks.notify(url, {
        transactionId: record.transactionId,
        providerRequestId: record.providerRequestId,
        status: record.status,
      });
    },
  });
  for (const agent of resolved.agents) ledger.agents.addAgent(agent);
  const catalogue = new Catalogue(prng.fork('catalogue'), resolved.services);
  const faults = new Faults(prng.fork('faults'));
  for (const rule of resolved.faults) faults.add(rule);
  const ctx: SimulatorContext = {
    ledger,
    catalogue,
    ids,
    clock: resolved.clock,
    progression: resolved.progression,
    timeZone: resolved.timeZone,
    agentTimeZone: resolved.agentTimeZone,
  };

  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    timers.track(handle(ctx, faults, timers, request, response));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    ledger,
    faults,
    catalogue,
    callbacks,
    tick: () => ledger.refresh(),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await timers.close();
        await stopped;
      })();
      return closing;
    },
  };
}

async function handle(
  ctx: SimulatorContext,
  faults: Faults,
  timers: Timers,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const path = (request.url ?? '/').split('?')[0]?.toLowerCase().replace(/\/+$/, '') ?? '';
    if (request.method !== 'POST') return send(response, 405, 'text/html; charset=utf-8', errorPage(405));
    const body = await readBody(request);
    if (body === null) return send(response, 413, 'text/html; charset=utf-8', errorPage(413));
    const prepared = prepare(ctx, path, body);
    if (!prepared) return send(response, 404, 'text/html; charset=utf-8', errorPage(404));

    const fault = faults.match(prepared.target);
    ctx.ledger.noteRequest({
      requestType: prepared.target.requestType,
      agentId: prepared.target.agentId,
      transactionId: prepared.target.transactionId,
      at: ctx.clock.now(),
      fault: fault?.kind ?? null,
    });
    if (fault?.kind === 'drop-before') return drop(response);
    if (fault?.kind === 'delay' && fault.process === false) {
      // Not processed yet: if the agent gave up meanwhile, the request never happened.
      if (!(await timers.sleep(fault.ms)) || gone(response)) return drop(response);
    }
    const reply = fault && !processes(fault) ? unprocessed(ctx, prepared, fault) : prepared.process();
    if (fault?.kind === 'delay' && fault.process !== false) {
      if (!(await timers.sleep(fault.ms))) return drop(response);
    }
    const outgoing = render(reply, fault);
    if (outgoing.kind === 'drop') return drop(response);
    if (gone(response)) return;
    response.writeHead(outgoing.httpStatus, {
      ...(outgoing.contentType ? { 'content-type': outgoing.contentType } : {}),
      'content-length': outgoing.body.length,
    });
    response.end(outgoing.body);
  } catch (error) {
    // A simulator bug: say so plainly rather than look like a provider answer.
    if (!gone(response) && !response.headersSent) {
      send(response, 500, 'text/plain; charset=utf-8', `simulator error: ${(error as Error).message}`);
    }
  }
}

/** The answer to a request a fault kept from being processed. */
function unprocessed(ctx: SimulatorContext, prepared: PreparedRequest, fault: Fault): Reply {
  const code = fault.kind === 'status' ? fault.code : -500;
  const { requestType, transactionId } = prepared.target;
  if (requestType === 'PostPayments' || requestType === 'PostTotalAmount') {
    return { httpStatus: 200, json: { status: 'error', details: { message: statusMessage(code) } } };
  }
  const echo = transactionId !== null && /^[1-9]\d{0,14}$/.test(transactionId) ? transactionId : null;
  return { httpStatus: 200, json: requestError(ctx, requestType, code, echo) };
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > BODY_LIMIT ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, httpStatus: number, contentType: string, text: string): void {
  const body = Buffer.from(text, 'utf8');
  response.writeHead(httpStatus, { 'content-type': contentType, 'content-length': body.length });
  response.end(body);
}

function drop(response: ServerResponse): void {
  response.socket?.destroy();
}

function gone(response: ServerResponse): boolean {
  return response.socket === null || response.socket.destroyed;
}
