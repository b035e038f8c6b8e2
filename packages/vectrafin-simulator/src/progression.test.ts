import { ConfigError } from '@tolem/core';
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

/** Payments moving through pending codes to a final status, on an injected clock. */

function status(text: string): string {
  const value = (parse(text) as Record<string, unknown>).ResponseStatus;
  return isLosslessNumber(value) ? value.value : String(value);
}

describe('progression', () => {
  let simulator: Simulator | undefined;
  let client: RawClient | undefined;
  let now: number;
  const clock = { now: () => new Date(now) };

  async function start(options: SimulatorOptions = {}) {
    now = Date.parse('2024-07-09T09:00:00Z');
    const started = await startSimulator({ clock, ...options });
    simulator = started;
    client = createRawClient(started.url);
  }
  async function stop() {
    await client?.close();
    await simulator?.close();
    client = undefined;
    simulator = undefined;
  }
  afterEach(stop);
  const sim = () => simulator as Simulator;

  const credentials = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD };
  const pay = async (transactionId: string, account = 'galek10') =>
    status(
      (
        await (client as RawClient).form({
          ...credentials,
          RequestType: 'Payment',
          Service: '7',
          Account: account,
          Amount: '1000.00',
          Currency: 'KZT',
          TransactionID: transactionId,
        })
      ).text,
    );
  const statusOf = async (transactionId: string) =>
    status(
      (
        await (client as RawClient).form({
          ...credentials,
          RequestType: 'Status',
          TransactionID: transactionId,
        })
      ).text,
    );

  it('is immediate by default: Payment answers 10 at once', async () => {
    await start();
    expect(await pay('1')).toBe('10');
    expect(
      sim()
        .ledger.get('1')
        ?.history.map((entry) => entry.status),
    ).toEqual([10]);
  });

  it('goes 1 → 3 → 9 → 10 one step per stepMs; money leaves at acceptance, the credit comes at 10', async () => {
    await start({ progression: { steps: [1, 3, 9], stepMs: 1000 } });
    expect(await pay('2')).toBe('1');
    expect(sim().ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('9999000');
    expect(sim().ledger.creditCount('2')).toBe(0);
    expect(await statusOf('2')).toBe('1');
    now += 1000;
    expect(await statusOf('2')).toBe('3');
    now += 999;
    expect(await statusOf('2')).toBe('3');
    now += 1;
    expect(await statusOf('2')).toBe('9');
    expect(sim().ledger.creditCount('2')).toBe(0);
    now += 1000;
    expect(await statusOf('2')).toBe('10');
    const payment = sim().ledger.get('2');
    expect(payment?.history.map((entry) => entry.status)).toEqual([1, 3, 9, 10]);
    expect(payment?.processedAt?.toISOString()).toBe('2024-07-09T09:00:03.000Z');
    expect(payment?.final).toBe(true);
    expect(sim().ledger.creditCount('2')).toBe(1);
  });

  it('a resend while pending answers the current pending status and moves no more money', async () => {
    await start({ progression: { steps: [1, 3], stepMs: 1000 } });
    expect(await pay('3')).toBe('1');
    now += 1000;
    expect(await pay('3')).toBe('3');
    expect(sim().ledger.payments()).toHaveLength(1);
    expect(sim().ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('9999000');
  });

  it('the late-failure account ends in -300 after pending, and the agent gets its money back', async () => {
    await start();
    expect(await pay('4', 'late-failure')).toBe('1');
    expect(sim().ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('9999000');
    now += 500;
    expect(await statusOf('4')).toBe('3');
    now += 500;
    expect(await statusOf('4')).toBe('-300');
    expect(sim().ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('10000000');
    expect(sim().ledger.creditCount('4')).toBe(0);
  });

  it('the slow-user account is pending even when the simulator is immediate', async () => {
    await start();
    expect(await pay('5', 'slow-user')).toBe('1');
    now += 1500;
    expect(await statusOf('5')).toBe('10');
  });

  it('ledger.setOutcome scripts one TransactionID: pending once, then -115', async () => {
    await start();
    sim().ledger.setOutcome('6', { finalStatus: -115, steps: [1], stepMs: 100 });
    expect(await pay('7')).toBe('10');
    expect(await pay('6')).toBe('1');
    now += 100;
    expect(await statusOf('6')).toBe('-115');
    expect(sim().ledger.get('6')?.message).toBe('Транзакция невозможна по техническим причинам');
  });

  it('ledger.setOutcome refuses a code that is not final', async () => {
    await start();
    expect(() => sim().ledger.setOutcome('8', { finalStatus: 3 })).toThrow(ConfigError);
  });

  it('probability sends a seeded share of payments through the steps, the same share for the same seed', async () => {
    const pattern = async () => {
      await start({ seed: 'share', progression: { steps: [1], stepMs: 1000, probability: 0.5 } });
      const answers: string[] = [];
      for (let id = 100; id < 140; id++) answers.push(await pay(String(id)));
      await stop();
      return answers.join(',');
    };
    const first = await pattern();
    expect(first).toContain('1');
    expect(first).toContain('10');
    expect(await pattern()).toBe(first);
  });

  it('invalid progression options throw a ConfigError naming the option', async () => {
    await expect(startSimulator({ progression: { steps: [10] } })).rejects.toThrow(/progression\.steps\.0/);
    await expect(startSimulator({ progression: { probability: 2 } })).rejects.toThrow(ConfigError);
  });
});
