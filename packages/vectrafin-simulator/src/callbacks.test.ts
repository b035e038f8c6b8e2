import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLosslessNumber, parse } from 'lossless-json';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_AGENT_ID,
  DEMO_PASSWORD,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from './index.js';
import { createRawClient, type RawClient } from './raw-client.js';

/** CallBack deliveries to a real node:http receiver on port 0 (protocol §3.16). */

interface Receiver {
  url: string;
  bodies: string[];
  /** Resolves once `count` callbacks have arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(
  answer: (index: number, response: ServerResponse) => void = (_index, response) => response.end('OK'),
): Promise<Receiver> {
  const bodies: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    bodies.push(Buffer.concat(chunks).toString('utf8'));
    for (const waiter of waiters.filter((candidate) => bodies.length >= candidate.count)) waiter.resolve();
    answer(bodies.length - 1, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/vectrafin/callback`,
    bodies,
    received: (count) =>
      bodies.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function field(text: string, name: string): string {
  const value = (parse(text) as Record<string, unknown>)[name];
  return isLosslessNumber(value) ? value.value : String(value);
}

const credentials = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD };
const payment = (transactionId: string, account = 'galek10') => ({
  ...credentials,
  RequestType: 'Payment',
  Service: '7',
  Account: account,
  Amount: '100.00',
  Currency: 'KZT',
  TransactionID: transactionId,
});

describe('callbacks', () => {
  let receiver: Receiver | undefined;
  let simulator: Simulator | undefined;
  let client: RawClient | undefined;

  async function start(options: SimulatorOptions, answer?: Parameters<typeof startReceiver>[0]) {
    const started = await startReceiver(answer);
    receiver = started;
    const sim = await startSimulator({ callbackUrl: started.url, ...options });
    simulator = sim;
    client = createRawClient(sim.url);
    return { receiver: started, simulator: sim, client };
  }
  afterEach(async () => {
    await client?.close();
    await simulator?.close();
    await receiver?.close();
    client = undefined;
    simulator = undefined;
    receiver = undefined;
  });

  it('posts the CallBack body once a payment is final: TransactinID, the payment RequestID, 10', async () => {
    const { receiver, simulator, client } = await start({});
    const answer = await client.form(payment('41'));
    await receiver.received(1);
    const requestId = field(answer.text, 'RequestID');
    expect(receiver.bodies).toEqual([
      `{"RequestID":${requestId},"ResponseType":"CallBack","TransactinID":41,"ResponseStatus":10,"Message":"Транзакция успешна"}`,
    ]);
    await simulator.callbacks.idle();
    expect(simulator.callbacks.deliveries()).toMatchObject([
      { kind: 'first', transactionId: '41', httpStatus: 200 },
    ]);
  });

  it('calls back for final declines too (-105)', async () => {
    const { receiver, client } = await start({});
    await client.form(payment('42', 'no-such-user'));
    await receiver.received(1);
    expect(field(receiver.bodies[0] ?? '', 'ResponseStatus')).toBe('-105');
    expect(field(receiver.bodies[0] ?? '', 'Message')).toBe('Аккаунт не найден');
  });

  it('duplicates: the same body several times', async () => {
    const { receiver, simulator, client } = await start({ callbacks: { duplicates: 2 } });
    await client.form(payment('43'));
    await receiver.received(3);
    await simulator.callbacks.idle();
    expect(new Set(receiver.bodies).size).toBe(1);
    expect(simulator.callbacks.deliveries().map((delivery) => delivery.kind)).toEqual([
      'first',
      'duplicate',
      'duplicate',
    ]);
  });

  it('late delivery: the same body once more after lateMs, when the agent has long seen the final status', async () => {
    const { receiver, simulator, client } = await start({ callbacks: { lateMs: 100 } });
    await client.form(payment('44'));
    await receiver.received(2);
    await simulator.callbacks.idle();
    expect(receiver.bodies[1]).toBe(receiver.bodies[0]);
    expect(simulator.callbacks.deliveries().map((delivery) => delivery.kind)).toEqual(['first', 'late']);
  });

  it('a pending payment calls back on its own when its timers make it final, with no polling', async () => {
    const { receiver, simulator, client } = await start({ progression: { steps: [1, 3], stepMs: 30 } });
    const answer = await client.form(payment('45'));
    expect(field(answer.text, 'ResponseStatus')).toBe('1');
    await receiver.received(1);
    expect(field(receiver.bodies[0] ?? '', 'ResponseStatus')).toBe('10');
    expect(simulator.ledger.requestCount('Status')).toBe(0);
    expect(simulator.ledger.creditCount('45')).toBe(1);
  });

  it('drop-after: the agent never heard the answer, the callback tells it the payment succeeded', async () => {
    const { receiver, simulator, client } = await start({});
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'drop-after' } });
    await expect(client.form(payment('46'))).rejects.toThrow();
    await receiver.received(1);
    expect(field(receiver.bodies[0] ?? '', 'TransactinID')).toBe('46');
    expect(field(receiver.bodies[0] ?? '', 'ResponseStatus')).toBe('10');
  });

  it('retries a delivery the agent refused (HTTP 500), up to `retries` times', async () => {
    const { receiver, simulator, client } = await start(
      { callbacks: { retries: 3, retryDelayMs: 10 } },
      (index, response) => {
        response.statusCode = index < 2 ? 500 : 200;
        response.end();
      },
    );
    await client.form(payment('47'));
    await receiver.received(3);
    await simulator.callbacks.idle();
    expect(simulator.callbacks.deliveries().map((delivery) => [delivery.kind, delivery.httpStatus])).toEqual([
      ['first', 500],
      ['retry', 500],
      ['retry', 200],
    ]);
  });

  it('logs a delivery that found nobody listening', async () => {
    const { receiver, simulator, client } = await start({});
    await receiver.close();
    await client.form(payment('48'));
    await simulator.callbacks.idle();
    const [delivery] = simulator.callbacks.deliveries();
    expect(delivery?.httpStatus).toBeNull();
    expect(delivery?.error).toMatch(/ECONNREFUSED/);
  });

  it('send(): a callback for a TransactionID the agent never used, as an attacker could forge one', async () => {
    const { receiver, simulator } = await start({});
    const delivery = await simulator.callbacks.send(receiver.url, {
      transactionId: '999999',
      providerRequestId: '638405063993273260',
      status: 10,
    });
    expect(delivery).toMatchObject({ kind: 'manual', httpStatus: 200 });
    expect(receiver.bodies[0]).toContain('"RequestID":638405063993273260,');
    expect(simulator.ledger.payments()).toEqual([]);
  });

  it("an agent's own callbackUrl wins over the simulator's", async () => {
    const own = await startReceiver();
    try {
      const { receiver, client } = await start({
        agents: [
          { agentId: '4001', password: 'agent-4001-secret', balances: { KZT: '1000' }, callbackUrl: own.url },
        ],
      });
      await client.form({ ...payment('49'), AgentID: '4001', AgentPassword: 'agent-4001-secret' });
      await client.form(payment('50'));
      await own.received(1);
      await receiver.received(1);
      expect(field(own.bodies[0] ?? '', 'TransactinID')).toBe('49');
      expect(field(receiver.bodies[0] ?? '', 'TransactinID')).toBe('50');
    } finally {
      await own.close();
    }
  });

  it('tick() applies steps due on an injected clock and calls back without any request', async () => {
    let now = Date.parse('2024-07-09T09:00:00Z');
    const { receiver, simulator, client } = await start({
      clock: { now: () => new Date(now) },
      progression: { steps: [1], stepMs: 600_000 },
    });
    expect(field((await client.form(payment('51'))).text, 'ResponseStatus')).toBe('1');
    now += 600_000;
    simulator.tick();
    await receiver.received(1);
    expect(field(receiver.bodies[0] ?? '', 'ResponseStatus')).toBe('10');
  });

  it('close() waits for a delivery in flight', async () => {
    const { receiver, simulator, client } = await start({}, (_index, response) => {
      setTimeout(() => response.end('OK'), 300);
    });
    await client.form(payment('52'));
    await receiver.received(1);
    await client.close();
    await simulator.close();
    expect(simulator.callbacks.deliveries()).toMatchObject([{ transactionId: '52', httpStatus: 200 }]);
  });

  it('close() cancels deliveries not yet due', async () => {
    const { receiver, simulator, client } = await start({ callbacks: { delayMs: 600_000 } });
    await client.form(payment('53'));
    await client.close();
    await simulator.close();
    expect(simulator.callbacks.deliveries()).toEqual([]);
    expect(receiver.bodies).toEqual([]);
  });

  it('sends nothing without a callback URL', async () => {
    const sim = await startSimulator();
    simulator = sim;
    client = createRawClient(sim.url);
    await client.form(payment('54'));
    await sim.callbacks.idle();
    expect(sim.callbacks.deliveries()).toEqual([]);
  });
});
