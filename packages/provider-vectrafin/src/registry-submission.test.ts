import type { RegistryEntry } from '@tolem/core';
import { ValidationError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, type MockSetup, mockVectrafin, ORIGIN, socketError } from '../test/mock-vectrafin.js';
import { parseWireJson, type WireNumber, type WireObject } from './json-value.js';
import { MAX_REGISTRY_CHUNK } from './registry-codec.js';

let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

const SUCCESS = fixture('ru', 'post-payments.response.json');
const ERROR = fixture('ru', 'post-payments.error-response.json');

function entries(count: number): RegistryEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    transactionId: String(100_000 + index),
    providerRequestId: String(638_405_063_993_273_260n + BigInt(index)),
    agentCreatedAt: '2024-07-09 09:05:15',
    account: `acc-${index}`,
    amount: `${index + 1}.50`,
    serviceId: '48',
    year: 2024,
    month: 7,
  }));
}

function transactions(body: string): WireObject[] {
  return (parseWireJson(body) as WireObject).Transactions as WireObject[];
}

describe('PostPayments: at most 1000 a request (protocol §6)', () => {
  it('splits 2500 entries into 1000 + 1000 + 500 and reports every chunk, sending the rest after a refusal', async () => {
    mock = mockVectrafin();
    mock.reply(SUCCESS, ERROR, SUCCESS);
    const result = await mock.provider.submitRegistry(entries(2500));
    expect(mock.sent.map((sent) => transactions(sent.body).length)).toEqual([1000, 1000, 500]);
    expect(result.chunks.map((chunk) => [chunk.offset, chunk.size, chunk.state, chunk.status])).toEqual([
      [0, 1000, 'succeeded', 'success'],
      [1000, 1000, 'failed', 'error'],
      [2000, 500, 'succeeded', 'success'],
    ]);
    expect(result.accepted).toBe(false);
    // Every entry goes exactly once, in order, with its 18-digit RequestId intact.
    const sentIds = mock.sent.flatMap((sent) => transactions(sent.body).map((entry) => entry.TransactionId));
    expect(sentIds.map((id) => (id as WireNumber).text)).toEqual(
      entries(2500).map((entry) => entry.transactionId),
    );
    const last = transactions(mock.sent[2]!.body).at(-1)!;
    expect((last.RequestId as WireNumber).text).toBe('638405063993275759');
    expect((last.Amount as WireNumber).text).toBe('2500.50');
  });

  it('exactly 1000 entries is one request', async () => {
    mock = mockVectrafin();
    mock.reply(SUCCESS);
    const result = await mock.provider.submitRegistry(entries(MAX_REGISTRY_CHUNK));
    expect(mock.sent).toHaveLength(1);
    expect(result).toMatchObject({ accepted: true, chunks: [{ offset: 0, size: 1000 }] });
  });

  it('a chunk lost in transport is unknown with its reason; the others are still sent', async () => {
    mock = mockVectrafin();
    mock.replyWithError(socketError('ECONNRESET'), 'after-write');
    mock.reply(SUCCESS);
    const result = await mock.provider.submitRegistry(entries(1001));
    expect(result.chunks.map((chunk) => [chunk.state, chunk.reason, chunk.status])).toEqual([
      ['unknown', 'connection_lost', null],
      ['succeeded', null, 'success'],
    ]);
  });

  it('chunks not yet sent when the caller aborts are reported as not sent', async () => {
    mock = mockVectrafin();
    const controller = new AbortController();
    // The caller gives up while the first chunk is at the provider (the body function runs once the
    // request was written; a reply callback would run before, as if the provider saw it unsent).
    mock.agent
      .get(ORIGIN)
      .intercept({ path: '/home/postpayments', method: 'POST' })
      .reply(200, () => {
        controller.abort();
        return SUCCESS;
      });
    const result = await mock.provider.submitRegistry(entries(1500), { signal: controller.signal });
    expect(mock.sent).toHaveLength(1);
    expect(result.chunks[0]).toMatchObject({ state: 'unknown', reason: 'aborted', offset: 0, size: 1000 });
    expect(result.chunks[1]).toMatchObject({ state: 'unknown', reason: 'aborted', offset: 1000, size: 500 });
    expect(result.chunks[1]?.message).toContain('not sent');
  });

  it('a later chunk withdrawn before it was written (the caller aborted while it connected) is reported, not thrown: the earlier chunk was sent', async () => {
    mock = mockVectrafin();
    const controller = new AbortController();
    mock.reply(SUCCESS);
    // A reply callback runs as MockAgent takes the request, before it is written (onRequestStart):
    // the caller's abort lands while the second chunk's connection is being made.
    mock.agent
      .get(ORIGIN)
      .intercept({ path: '/home/postpayments', method: 'POST' })
      .reply(() => {
        controller.abort();
        return { statusCode: 200, data: SUCCESS };
      });
    const result = await mock.provider.submitRegistry(entries(1500), { signal: controller.signal });
    expect(result.chunks[0]).toMatchObject({ state: 'succeeded', offset: 0, size: 1000 });
    expect(result.chunks[1]).toMatchObject({ state: 'unknown', reason: 'aborted', offset: 1000, size: 500 });
    expect(result.chunks[1]?.message).toContain('not sent');
    expect(result.accepted).toBe(false);
  });

  it('calls onDispatch once, for the first chunk', async () => {
    mock = mockVectrafin();
    mock.reply(SUCCESS, SUCCESS, SUCCESS);
    let dispatched = 0;
    await mock.provider.submitRegistry(entries(2500), { onDispatch: () => dispatched++ });
    expect(mock.sent).toHaveLength(3);
    expect(dispatched).toBe(1);
  });

  it.each<[string, (entry: Record<string, unknown>) => void, string]>([
    ['a missing account', (entry) => delete entry.account, 'entries.1.account'],
    ['a missing RequestId', (entry) => delete entry.providerRequestId, 'entries.1.providerRequestId'],
    ['a missing month', (entry) => delete entry.month, 'entries.1.month'],
    ['month 13', (entry) => Object.assign(entry, { month: 13 }), 'entries.1.month'],
    [
      'an amount with three decimals',
      (entry) => Object.assign(entry, { amount: '1.234' }),
      'entries.1.amount',
    ],
    [
      'a bad date',
      (entry) => Object.assign(entry, { agentCreatedAt: '09.07.2024' }),
      'entries.1.agentCreatedAt',
    ],
    [
      'a service id with letters',
      (entry) => Object.assign(entry, { serviceId: 'qiwi' }),
      'entries.1.serviceId',
    ],
    [
      'a duplicate transaction',
      (entry) => Object.assign(entry, { transactionId: '100000' }),
      'entries.1.transactionId',
    ],
  ])('%s is a ValidationError naming %s, and no chunk is sent', async (_label, damage, field) => {
    mock = mockVectrafin();
    mock.reply(SUCCESS);
    const list = entries(1200) as unknown as Record<string, unknown>[];
    damage(list[1]!);
    const error = await mock.provider
      .submitRegistry(list as unknown as RegistryEntry[])
      .catch((e: unknown) => e);
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(mock.sent).toHaveLength(0);
  });
});

describe('PostTotalAmount: totals equal the sum of the service lines (protocol §6)', () => {
  const good = {
    date: '2025-03-01',
    totalAmount: '500000.67',
    totalCount: 250,
    services: [
      { serviceId: '48', amount: '250000.00', count: 100 },
      { serviceId: '59', amount: '200000', count: 100 },
      { serviceId: '78', amount: '50000.67', count: 50 },
    ],
  };

  it('sends one line with amounts as "0.00" numbers', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'post-total-amount.response.json'));
    const result = await mock.provider.submitDailyTotals(good);
    expect(result).toMatchObject({ accepted: true, chunks: [{ offset: 0, size: 1, state: 'succeeded' }] });
    expect(mock.sent[0]!.body).toContain('"TotalAmount":500000.67,"TotalCount":250');
    expect(mock.sent[0]!.body).toContain('{"ServiceId":59,"Amount":200000.00,"Count":100}');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['the spec sample’s total 500254.67', { totalAmount: '500254.67' }, 'totalAmount'],
    ['a total one cent off', { totalAmount: '500000.66' }, 'totalAmount'],
    ['a count that does not add up', { totalCount: 251 }, 'totalCount'],
    ['a bad date', { date: '01.03.2025' }, 'date'],
    ['a negative count', { totalCount: -1 }, 'totalCount'],
    [
      'a duplicated service',
      { services: [...good.services, { serviceId: '48', amount: '0', count: 0 }] },
      'services.3.serviceId',
    ],
    [
      'a service amount with 3 decimals',
      { services: [{ serviceId: '48', amount: '1.001', count: 1 }] },
      'services.0.amount',
    ],
  ])('%s is refused before sending, naming %s', async (_label, change, field) => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'post-total-amount.response.json'));
    const error = await mock.provider
      .submitDailyTotals({ ...good, ...change } as typeof good)
      .catch((e: unknown) => e);
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(mock.sent).toHaveLength(0);
  });

  it('a day without payments is a valid zero line', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'post-total-amount.response.json'));
    await mock.provider.submitDailyTotals({
      date: '2025-03-02',
      totalAmount: '0',
      totalCount: 0,
      services: [],
    });
    expect(mock.sent[0]!.body).toContain('"TotalAmount":0.00,"TotalCount":0,"Services":[]');
  });
});
