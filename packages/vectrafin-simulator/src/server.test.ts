import { ConfigError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, startSimulator } from './index.js';
import { createRawClient } from './raw-client.js';

/** The server's life: loopback on port 0, option validation, a clean close. */

const balance = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD, RequestType: 'CheckBalance' };

describe('startSimulator', () => {
  it('listens on loopback, on a free port by default, and two can run side by side', async () => {
    const first = await startSimulator();
    const second = await startSimulator();
    try {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.port).toBeGreaterThan(0);
      expect(second.port).not.toBe(first.port);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('close() ends kept-alive connections, is idempotent, and the port stops answering', async () => {
    const simulator = await startSimulator();
    const client = createRawClient(simulator.url);
    try {
      expect((await client.form(balance)).status).toBe(200);
      const closing = simulator.close();
      expect(simulator.close()).toBe(closing);
      await closing;
      await expect(client.form(balance)).rejects.toThrow();
    } finally {
      await client.close();
    }
  });

  it('close() does not wait for a request held by a long delay', async () => {
    const simulator = await startSimulator();
    const client = createRawClient(simulator.url);
    simulator.faults.add({ fault: { kind: 'delay', ms: 600_000 } });
    const pending = client.form(balance).catch((error: unknown) => error);
    while (simulator.ledger.requestCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await simulator.close();
    expect(await pending).toBeInstanceOf(Error);
    await client.close();
  });

  it.each([
    [{ timeZone: 'Mars/Olympus_Mons' }, /^timeZone: /],
    [{ agentTimeZone: 'GMT+6 please' }, /^agentTimeZone: /],
    [{ timeZone: '+05:00' }, /^timeZone: an IANA zone name, not an offset/],
    [{ port: 70_000 }, /^port: /],
    [{ agents: [{ agentId: 'abc', password: 'x' }] }, /^agents\.0\.agentId: /],
    [{ agents: [{ agentId: '1', password: '' }] }, /^agents\.0\.password: /],
    [{ agents: [{ agentId: '1', password: 'x', balances: { KZT: '1e6' } }] }, /^agents\.0\.balances\.KZT: /],
    [{ callbackUrl: 'ftp://127.0.0.1/callback' }, /^callbackUrl: /],
    [{ callbacks: { duplicates: -1 } }, /^callbacks\.duplicates: /],
    [{ paymentRequestIds: 'huge' }, /^paymentRequestIds: /],
    [{ clock: {} }, /^clock: /],
    [{ colour: 'blue' }, /colour/],
  ])('refuses %o with a ConfigError naming the option', async (options, message) => {
    const attempt = startSimulator(options as never);
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('a ConfigError about an agent never shows its password', async () => {
    const attempt = startSimulator({ agents: [{ agentId: 'x1', password: 'do-not-print-me' }] });
    await expect(attempt).rejects.toThrow(ConfigError);
    const error = (await attempt.catch((caught: unknown) => caught)) as Error;
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('do-not-print-me');
  });
});
