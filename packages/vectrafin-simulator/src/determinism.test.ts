import { isLosslessNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type SimulatorOptions, startSimulator } from './index.js';
import { createRawClient } from './raw-client.js';

/** One seed, one clock, one request sequence: one transcript, byte for byte. */

const credentials = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD };
const SCRIPT: Record<string, string>[] = [
  {
    RequestType: 'AccountCheck',
    Service: '7',
    Account: 'galek10',
    Amount: '100',
    Currency: 'KZT',
    TransactionID: '1',
  },
  {
    RequestType: 'AccountCheck',
    Service: '815',
    Account: '7898380',
    Amount: '100',
    Currency: 'KZT',
    TransactionID: '2',
  },
  {
    RequestType: 'Payment',
    Service: '7',
    Account: 'galek10',
    Amount: '100',
    Currency: 'KZT',
    TransactionID: '3',
  },
  {
    RequestType: 'Payment',
    Service: '1549',
    Account: 'kkazbek.smeken@gmail.com',
    Amount: '5333.45',
    Currency: 'KZT',
    TransactionID: '4',
    SendType: 'api',
  },
  { RequestType: 'Status', TransactionID: '3' },
  { RequestType: 'Status', TransactionID: '404' },
  { RequestType: 'GetPaymentsByDate', From: '2024-07-09 00:00:00', To: '2024-07-10 00:00:00' },
];

async function transcript(options: SimulatorOptions): Promise<string[]> {
  const simulator = await startSimulator({
    clock: { now: () => new Date('2024-07-09T09:05:36.218Z') },
    ...options,
  });
  const client = createRawClient(simulator.url);
  try {
    const answers: string[] = [];
    for (const fields of SCRIPT) answers.push((await client.form({ ...credentials, ...fields })).text);
    simulator.catalogue.rotateOffers('1911');
    answers.push(JSON.stringify(simulator.catalogue.offers('1911')));
    return answers;
  } finally {
    await client.close();
    await simulator.close();
  }
}

function requestId(text: string): string {
  const value = (parse(text) as Record<string, unknown>).RequestID;
  return isLosslessNumber(value) ? value.value : '';
}

describe('determinism', () => {
  it('the same seed gives the same ids, voucher codes, fractions and offers', async () => {
    const first = await transcript({ seed: 'replay' });
    expect(await transcript({ seed: 'replay' })).toEqual(first);
    expect(first[3]).toMatch(/"Code":"[A-Z2-9-]{19}"/);
  });

  it('another seed gives other ids', async () => {
    const first = await transcript({ seed: 'replay' });
    const other = await transcript({ seed: 42 });
    expect(requestId(other[0] ?? '')).not.toBe(requestId(first[0] ?? ''));
    expect(other[7]).not.toBe(first[7]);
  });

  it('AccountCheck RequestIDs are 18 digits, above 2^53, and grow', async () => {
    const [first = '', second = ''] = await transcript({ seed: 'ids' });
    const ids = [requestId(first), requestId(second)].map(BigInt);
    expect(ids.every((id) => id > 2n ** 53n && id < 10n ** 18n)).toBe(true);
    expect(ids[1]).toBeGreaterThan(ids[0] ?? 0n);
  });

  it('paymentRequestIds: "large" gives payments 18-digit RequestIDs too (protocol §3.3)', async () => {
    const sequential = await transcript({ seed: 'ids' });
    const large = await transcript({ seed: 'ids', paymentRequestIds: 'large' });
    expect(requestId(sequential[2] ?? '')).toMatch(/^\d{8}$/);
    expect(requestId(large[2] ?? '')).toMatch(/^\d{18}$/);
    expect(large[2]).toMatch(/^\{"RequestID":\d{18},/);
  });
});
