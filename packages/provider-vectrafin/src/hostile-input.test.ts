import { TolemError, ValidationError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type MockSetup, mockVectrafin } from '../test/mock-vectrafin.js';

/**
 * Hostile values at every provider operation — in the request and in the call options (`null`, a
 * signal that is not an AbortSignal, a timeout out of range) — give a ValidationError naming the field,
 * and nothing sent (the mock records every request that leaves).
 */

let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

async function rejection(run: () => unknown): Promise<TolemError> {
  try {
    await run();
  } catch (error) {
    if (TolemError.isTolemError(error)) return error;
    throw new Error(`expected a tolem error, got ${String(error)}`);
  }
  throw new Error('expected an error, got none');
}

const payment = {
  serviceId: '7',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  transactionId: '112',
};
const fields: [string, unknown][] = [
  ['serviceId', undefined],
  ['serviceId', 7],
  ['serviceId', ''],
  ['serviceId', '-5'],
  ['account', null],
  ['account', 123],
  ['account', ''],
  ['account', 'a'.repeat(201)],
  ['amount', undefined],
  ['amount', 100],
  ['amount', '1e3'],
  ['amount', '10.001'],
  ['amount', '-5'],
  ['amount', ''],
  ['amount', 'NaN'],
  ['currency', undefined],
  ['currency', 'XTS'],
  ['currency', 398],
];

describe('provider operations refuse hostile input before sending', () => {
  it.each([
    ...fields.flatMap(([field, value]) => [
      ['checkAccount', field, value] as const,
      ['pay', field, value] as const,
      ['quote', field, value] as const,
    ]),
    ...(
      [
        ['transactionId', undefined],
        ['transactionId', 112],
        ['transactionId', '1234567890123456'],
        ['transactionId', '0'],
        ['transactionId', '1e3'],
        ['sendType', 'email'],
        ['invoiceId', 5],
      ] as const
    ).map(([field, value]) => ['pay', field, value] as const),
  ])('%s with %s = %j → ValidationError naming it', async (operation, field, value) => {
    mock = mockVectrafin();
    const error = await rejection(() => mock.provider[operation]({ ...payment, [field]: value } as never));
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(mock.sent).toEqual([]);
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ['getStatus(undefined)', () => mock.provider.getStatus(undefined as never), 'ref'],
    [
      'getStatus with a numeric id',
      () => mock.provider.getStatus({ transactionId: 112 } as never),
      'transactionId',
    ],
    [
      'getStatus with 16 digits',
      () => mock.provider.getStatus({ transactionId: '1234567890123456' }),
      'transactionId',
    ],
    ['listPayments(null)', () => mock.provider.listPayments(null as never), 'range'],
    ['listPayments with strings', () => mock.provider.listPayments({ from: 'x', to: 'y' } as never), 'from'],
    [
      'listPayments backwards',
      () => mock.provider.listPayments({ from: new Date(2), to: new Date(1) }),
      'to',
    ],
    ['submitRegistry(5)', () => mock.provider.submitRegistry(5 as never), 'entries'],
    ['submitRegistry([{}])', () => mock.provider.submitRegistry([{}] as never), 'entries.0.transactionId'],
    ['submitDailyTotals({})', () => mock.provider.submitDailyTotals({} as never), 'date'],
    [
      'submitDailyTotals with a number amount',
      () =>
        mock.provider.submitDailyTotals({
          date: '2025-03-01',
          totalAmount: 5,
          totalCount: 0,
          services: [],
        } as never),
      'totalAmount',
    ],
    [
      'submitDailyTotals with a negative count',
      () =>
        mock.provider.submitDailyTotals({
          date: '2025-03-01',
          totalAmount: '0',
          totalCount: -1,
          services: [],
        }),
      'totalCount',
    ],
    ['a negative per-call timeout', () => mock.provider.pay(payment, { timeoutMs: -5 }), 'timeoutMs'],
    ['a NaN per-call timeout', () => mock.provider.getBalance({ timeoutMs: Number.NaN }), 'timeoutMs'],
  ])('%s → ValidationError naming %s', async (_label, run, field) => {
    mock = mockVectrafin();
    const error = await rejection(run);
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(mock.sent).toEqual([]);
  });

  // Valid arguments for every operation: only the options are wrong, so the options must be what is refused.
  const operations: [string, (provider: MockSetup['provider'], options: unknown) => Promise<unknown>][] = [
    ['checkAccount', (provider, options) => provider.checkAccount(payment, options as never)],
    ['pay', (provider, options) => provider.pay(payment, options as never)],
    ['getStatus', (provider, options) => provider.getStatus({ transactionId: '112' }, options as never)],
    ['getBalance', (provider, options) => provider.getBalance(options as never)],
    ['quote', (provider, options) => provider.quote(payment, options as never)],
    ['listServices', (provider, options) => provider.listServices(options as never)],
    ['getServiceSettings', (provider, options) => provider.getServiceSettings('7', options as never)],
    [
      'listPayments',
      (provider, options) =>
        provider.listPayments(
          { from: new Date('2024-07-01T00:00:00Z'), to: new Date('2024-07-02T00:00:00Z') },
          options as never,
        ),
    ],
    [
      'submitRegistry',
      (provider, options) =>
        provider.submitRegistry(
          [
            {
              transactionId: '112',
              providerRequestId: '9001',
              agentCreatedAt: '2024-07-01 10:00:00',
              account: 'galek10',
              amount: '100.00',
              serviceId: '7',
              year: 2024,
              month: 7,
            },
          ],
          options as never,
        ),
    ],
    [
      'submitDailyTotals',
      (provider, options) =>
        provider.submitDailyTotals(
          {
            date: '2024-07-01',
            totalAmount: '100.00',
            totalCount: 1,
            services: [{ serviceId: '7', amount: '100.00', count: 1 }],
          },
          options as never,
        ),
    ],
  ];
  const badOptions: [string, unknown, string][] = [
    ['null options', null, 'options'],
    ['string options', 'fast', 'options'],
    ['an array as options', [], 'options'],
    ['{ signal: 5 }', { signal: 5 }, 'signal'],
    ['{ signal: {} }', { signal: {} }, 'signal'],
    ['{ signal: null }', { signal: null }, 'signal'],
    ['{ timeoutMs: -1 }', { timeoutMs: -1 }, 'timeoutMs'],
    ['{ timeoutMs: 0 }', { timeoutMs: 0 }, 'timeoutMs'],
    ['{ timeoutMs: 1.5 }', { timeoutMs: 1.5 }, 'timeoutMs'],
    ["{ timeoutMs: '100' }", { timeoutMs: '100' }, 'timeoutMs'],
    ['{ timeoutMs: 2^31 }', { timeoutMs: 2 ** 31 }, 'timeoutMs'],
  ];
  it.each(operations)(
    '%s with valid options does send (the table above is not refused for its arguments)',
    async (_name, run) => {
      mock = mockVectrafin();
      await run(mock.provider, { timeoutMs: 5_000 });
      expect(mock.sent.length).toBeGreaterThan(0);
    },
  );

  it.each(
    operations.flatMap(([name, run]) =>
      badOptions.map(([label, options, field]) => [name, label, field, run, options] as const),
    ),
  )('%s with %s → ValidationError naming %s, nothing sent', async (_name, _label, field, run, options) => {
    mock = mockVectrafin();
    const error = await rejection(() => run(mock.provider, options));
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(mock.sent).toEqual([]);
  });

  it.each([undefined, null, 5, '', {}])('parseCallback(%j) → ValidationError on body', (body) => {
    mock = mockVectrafin();
    let error: unknown;
    try {
      mock.provider.parseCallback(body as never);
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.is(error)).toBe(true);
    expect((error as ValidationError).field).toBe('body');
  });
});
