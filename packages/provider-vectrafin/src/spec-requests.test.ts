import { ValidationError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_ID,
  fixture,
  formSample,
  type Half,
  type MockSetup,
  mockVectrafin,
  PASSWORD,
} from '../test/mock-vectrafin.js';
import { parseWireJson, WireNumber, type WireValue } from './json-value.js';
import type { VectrafinProvider } from './provider.js';

/**
 * Every request sample of the spec (both halves of the Postman collection) against what the provider
 * actually sends for the same input. Placeholders resolve to the test credentials and RequestDate to
 * "yyyy-MM-dd HH:mm:ss" in Europe/Moscow (the Postman script sends ISO-8601: protocol §2).
 */

const REQUEST_DATE = '2024-07-09 12:05:36';
let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

type Call = (provider: VectrafinProvider) => Promise<unknown>;

const FORM_SAMPLES: [name: string, call: Call][] = [
  [
    'account-check',
    (p) =>
      p.checkAccount({
        serviceId: '7',
        account: 'galek10',
        amount: '100',
        currency: 'KZT',
        transactionId: '1100000',
      }),
  ],
  [
    'account-check-dynamic',
    (p) =>
      p.checkAccount({
        serviceId: '1911',
        account: 'kkazbek.smeken@gmail.com',
        amount: '100',
        currency: 'KZT',
        transactionId: '1100000',
      }),
  ],
  [
    'account-check-static',
    (p) =>
      p.checkAccount({
        serviceId: '1549',
        account: 'kkazbek.smeken@gmail.com',
        amount: '100',
        currency: 'KZT',
        transactionId: '1100000',
      }),
  ],
  [
    'account-check-alseko',
    (p) =>
      p.checkAccount({
        serviceId: '815',
        account: '7898380',
        amount: '100',
        currency: 'KZT',
        transactionId: '1100000',
      }),
  ],
  [
    'payment',
    (p) =>
      p.pay({ serviceId: '7', account: 'galek10', amount: '100', currency: 'KZT', transactionId: '112' }),
  ],
  [
    'payment-dynamic',
    (p) =>
      p.pay({
        serviceId: '1911',
        account: 'kkazbek.smeken@gmail.com',
        amount: '238345.45',
        currency: 'KZT',
        transactionId: '113',
        invoiceId: '4063',
      }),
  ],
  [
    'payment-static',
    (p) =>
      p.pay({
        serviceId: '1549',
        account: 'kkazbek.smeken@gmail.com',
        amount: '100',
        currency: 'KZT',
        transactionId: '1100000',
      }),
  ],
  [
    'payment-alseko',
    (p) =>
      p.pay({
        serviceId: '815',
        account: '7898380',
        amount: '5610.18',
        currency: 'KZT',
        transactionId: '115',
        services: [
          { serviceId: '13', amount: '5110.18' },
          { serviceId: '12', amount: '500.00' },
        ],
      }),
  ],
  ['status', (p) => p.getStatus({ transactionId: '112' })],
  ['check-balance', (p) => p.getBalance()],
  [
    'get-payments-by-date',
    // 2024-07-09 00:00:00 .. 2024-07-10 00:00:00 in Moscow (UTC+3).
    (p) => p.listPayments({ from: new Date('2024-07-08T21:00:00Z'), to: new Date('2024-07-09T21:00:00Z') }),
  ],
  ['get-setting-services', (p) => p.listServices()],
  ['calculated-sum', (p) => p.quote({ serviceId: '7', account: 'galek10', amount: '10', currency: 'KZT' })],
];

/** What the sample's field should carry on the wire. */
function expectedValue(name: string, value: string, sample: string, half: Half): string {
  if (value === '{{agentid}}') return AGENT_ID;
  if (value === '{{agentPassword}}') return PASSWORD;
  if (value === '{{currentDateTime}}') return REQUEST_DATE;
  // protocol §2: "180.00" even for integers; the samples write 100 and 10.
  if (name === 'Amount') return /^\d+$/.test(value) ? `${value}.00` : value;
  // protocol §5: the English "Payment Static" sample says AccountCheck by copy error.
  if (name === 'RequestType' && sample === 'payment-static' && half === 'en') return 'Payment';
  return value;
}

/** Lossless JSON as plain data with numbers as their exact text, for deep comparison. */
function plain(value: WireValue): unknown {
  if (value instanceof WireNumber) return { number: value.text };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

describe.each(['ru', 'en'] as Half[])('%s half: form request samples', (half) => {
  it.each(FORM_SAMPLES)('%s: same fields, same order, same values', async (name, call) => {
    mock = mockVectrafin();
    mock.reply('{}');
    await call(mock.provider);
    const sample = formSample(half, name);
    expect(mock.sent).toHaveLength(1);
    const sent = mock.sent[0]!;
    expect(sent.path).toBe(new URL(sample.url).pathname);
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const expected = sample.fields.map(([field, value]) => [field, expectedValue(field, value, name, half)]);
    if (name === 'payment-alseko') {
      // The Services JSON is compared as JSON: the sample pads it with spaces.
      const services = (fields: [string, string][]) =>
        fields.find(([field]) => field === 'Services')?.[1] ?? '';
      expect(plain(parseWireJson(services(sent.fields)))).toEqual(
        plain(parseWireJson(services(expected as [string, string][]))),
      );
      expect(sent.fields.map(([field]) => field)).toEqual(expected.map(([field]) => field));
      expect(sent.fields.filter(([field]) => field !== 'Services')).toEqual(
        expected.filter(([field]) => field !== 'Services'),
      );
    } else {
      expect(sent.fields).toEqual(expected);
    }
  });
});

const REGISTRY_ENTRIES = [
  ['6527505296357515', '11636982', '2024-07-09 09:05:15', '4714.25'],
  ['6527505296357516', '11636983', '2024-07-09 09:05:20', '5000.00'],
  ['6527505296357517', '11636984', '2024-07-09 09:05:30', '15000.89'],
].map(([transactionId, providerRequestId, agentCreatedAt, amount]) => ({
  transactionId: transactionId!,
  providerRequestId: providerRequestId!,
  agentCreatedAt: agentCreatedAt!,
  account: '7081982000',
  amount: amount!,
  serviceId: '48',
  year: 2024,
  month: 7,
}));

describe('JSON request samples', () => {
  it('ru PostPayments: {AgentId, AgentPassword, Transactions} with every number written as in the sample', async () => {
    mock = mockVectrafin({ agentId: '1', password: 'test' });
    mock.reply(fixture('ru', 'post-payments.response.json'));
    await mock.provider.submitRegistry(REGISTRY_ENTRIES);
    const sent = mock.sent[0]!;
    expect(sent.path).toBe('/home/postpayments');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(plain(parseWireJson(sent.body))).toEqual(
      plain(parseWireJson(fixture('ru', 'post-payments.request.json'))),
    );
  });

  it('en PostPayments: the bare array is what goes in Transactions (the Russian body is sent: protocol §5)', async () => {
    mock = mockVectrafin({ agentId: '1', password: 'test' });
    mock.reply(fixture('en', 'post-payments.response.json'));
    await mock.provider.submitRegistry(REGISTRY_ENTRIES);
    const body = plain(parseWireJson(mock.sent[0]!.body)) as Record<string, unknown>;
    expect(body.Transactions).toEqual(plain(parseWireJson(fixture('en', 'post-payments.request.json'))));
  });

  it('ru PostTotalAmount: the sample itself does not add up and is refused before sending (protocol §6)', async () => {
    mock = mockVectrafin({ agentId: '1', password: 'test' });
    mock.reply(fixture('ru', 'post-total-amount.response.json'));
    const sample = {
      date: '2025-03-01',
      totalAmount: '500254.67',
      totalCount: 250,
      services: [
        { serviceId: '48', amount: '250000.00', count: 100 },
        { serviceId: '59', amount: '200000.00', count: 100 },
        { serviceId: '78', amount: '50000.67', count: 50 },
      ],
    };
    const refusal = await mock.provider.submitDailyTotals(sample).catch((error: unknown) => error);
    expect(ValidationError.is(refusal)).toBe(true);
    expect(refusal).toMatchObject({ field: 'totalAmount' });
    expect((refusal as Error).message).toContain('500000.67');
    expect(mock.sent).toHaveLength(0);

    // With the total the lines really add up to, the body is the sample's, number for number.
    await mock.provider.submitDailyTotals({ ...sample, totalAmount: '500000.67' });
    expect(mock.sent).toHaveLength(1);
    expect(mock.sent[0]!.path).toBe('/home/posttotalamount');
    const expected = plain(parseWireJson(fixture('ru', 'post-total-amount.request.json'))) as Record<
      string,
      unknown
    >;
    expect(plain(parseWireJson(mock.sent[0]!.body))).toEqual({
      ...expected,
      TotalAmount: { number: '500000.67' },
    });
  });
});
