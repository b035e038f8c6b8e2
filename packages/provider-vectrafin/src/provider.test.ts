import { inspect } from 'node:util';
import { type PaymentRequest, Secret, ValidationError } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, type MockSetup, mockVectrafin, PASSWORD } from '../test/mock-vectrafin.js';
import { checkIdAt, VECTRAFIN_CAPABILITIES } from './provider.js';
import { VECTRAFIN_STATUS_TABLE } from './status-table.js';

let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

const PAYMENT: PaymentRequest = {
  serviceId: '7',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  transactionId: '112',
};

/** A Payment/Status answer for transaction 112, with `status` and the echoed content. */
function answer(
  status: string | number,
  content = '"Service":7,"account":"galek10","Amount":100.0,"Currency":"KZT"',
) {
  return `{"RequestID":11637004,"ResponseType":"Payment","TransactinID":112,"ResponseStatus":${status},"Message":"m","TransactionContent":{${content}}}`;
}

async function refusal(run: () => Promise<unknown>): Promise<ValidationError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!ValidationError.is(error)) throw new Error(`expected a ValidationError, got ${String(error)}`);
  return error;
}

describe('bad input is refused before anything is sent', () => {
  const cases: [label: string, change: Record<string, unknown>, field: string][] = [
    ['three decimals', { amount: '100.001' }, 'amount'],
    ['a number amount', { amount: 100 }, 'amount'],
    ['a zero amount', { amount: '0.00' }, 'amount'],
    ['a negative amount', { amount: '-1.00' }, 'amount'],
    ['an exponent', { amount: '1e3' }, 'amount'],
    ['a comma', { amount: '100,00' }, 'amount'],
    ['16 digits', { transactionId: '1234567890123456' }, 'transactionId'],
    ['a leading zero', { transactionId: '0112' }, 'transactionId'],
    ['letters', { transactionId: '11a' }, 'transactionId'],
    ['a number id', { transactionId: 112 }, 'transactionId'],
    ['no transaction id', { transactionId: undefined }, 'transactionId'],
    ['a 201-character account', { account: 'a'.repeat(201) }, 'account'],
    ['an empty account', { account: '' }, 'account'],
    ['a control character', { account: 'gal\nek' }, 'account'],
    ['a currency outside the contract', { currency: 'EUR' }, 'currency'],
    ['an unknown currency', { currency: 'XTS' }, 'currency'],
    ['a service id with letters', { serviceId: 'steam' }, 'serviceId'],
    ['a sendType other than api', { sendType: 'email' }, 'sendType'],
    ['an invoiceId for a direct top-up', { invoiceId: '4063' }, 'invoiceId'],
    ['a dynamic voucher without invoiceId', { serviceId: '1911' }, 'invoiceId'],
    [
      'Alseko lines that do not sum to Amount',
      { serviceId: '815', amount: '5610.18', services: [{ serviceId: '13', amount: '5110.18' }] },
      'services',
    ],
    ['Alseko without lines', { serviceId: '815' }, 'services'],
    ['an invalid requestedAt', { requestedAt: new Date('x') }, 'requestedAt'],
  ];

  it.each(cases)('pay with %s → ValidationError on %s', async (_label, change, field) => {
    mock = mockVectrafin();
    mock.reply(answer(1));
    const error = await refusal(() => mock.provider.pay({ ...PAYMENT, ...change } as PaymentRequest));
    expect(error.field).toBe(field);
    expect(mock.sent).toHaveLength(0);
    expect(mock.agent.pendingInterceptors()).toHaveLength(1);
  });

  it('an account failing its service pattern is refused (the spec asks the agent to check it)', async () => {
    mock = mockVectrafin({ accountPatterns: { '7': /^[a-z0-9]{3,32}$/ } });
    mock.reply(answer(1));
    expect((await refusal(() => mock.provider.pay({ ...PAYMENT, account: 'Galek 10!' }))).field).toBe(
      'account',
    );
    expect((await refusal(() => mock.provider.checkAccount({ ...PAYMENT, account: 'x' }))).field).toBe(
      'account',
    );
    expect((await refusal(() => mock.provider.quote({ ...PAYMENT, account: 'x' }))).field).toBe('account');
    expect(mock.sent).toHaveLength(0);
    expect((await mock.provider.pay(PAYMENT)).state).toBe('pending');
  });

  it('every other operation checks its input too', async () => {
    mock = mockVectrafin();
    mock.reply(answer(1));
    const field = async (run: () => Promise<unknown>) => (await refusal(run)).field;
    expect(await field(() => mock.provider.checkAccount({ ...PAYMENT, amount: '1.234' }))).toBe('amount');
    expect(await field(() => mock.provider.checkAccount({ ...PAYMENT, transactionId: '0' }))).toBe(
      'transactionId',
    );
    expect(await field(() => mock.provider.quote({ ...PAYMENT, currency: 'GBP' }))).toBe('currency');
    expect(await field(() => mock.provider.getStatus({ transactionId: '1234567890123456' }))).toBe(
      'transactionId',
    );
    expect(
      await field(() => mock.provider.getStatus({ transactionId: '1', expected: { amount: '1.001' } })),
    ).toBe('expected.amount');
    expect(
      await field(() =>
        mock.provider.listPayments({ from: new Date('2024-07-10'), to: new Date('2024-07-09') }),
      ),
    ).toBe('to');
    expect(await field(() => mock.provider.listPayments({ from: new Date('x'), to: new Date() }))).toBe(
      'from',
    );
    expect(await field(() => mock.provider.submitRegistry([]))).toBe('entries');
    expect(mock.sent).toHaveLength(0);
  });
});

describe('what the provider echoes is checked (protocol §4.3: conflict)', () => {
  it.each([
    ['another amount', answer(10, '"Service":7,"account":"galek10","Amount":1000.0,"Currency":"KZT"')],
    ['another account', answer(10, '"Service":7,"account":"galek11","Amount":100.0,"Currency":"KZT"')],
    ['another currency', answer(10, '"Service":7,"account":"galek10","Amount":100.0,"Currency":"USD"')],
    ['another service', answer(10, '"Service":8,"account":"galek10","Amount":100.0,"Currency":"KZT"')],
    ['another transaction', answer(10).replace('"TransactinID":112', '"TransactinID":113')],
  ])('a success echoing %s is unknown/conflict, not succeeded', async (_label, body) => {
    mock = mockVectrafin();
    mock.reply(body);
    const result = await mock.provider.pay(PAYMENT);
    expect(result).toMatchObject({
      state: 'unknown',
      final: false,
      reason: 'conflict',
      providerStatus: '10',
    });
  });

  it('a decline echoing another transaction is not a final failure either', async () => {
    mock = mockVectrafin();
    mock.reply(answer(-105).replace('"TransactinID":112', '"TransactinID":999'));
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({ state: 'unknown', reason: 'conflict' });
  });

  it('the same amount written differently (100.0 for 100.00) and a flipped sign are no conflict (protocol §3.2)', async () => {
    mock = mockVectrafin();
    mock.reply(answer(10).replace('"TransactinID":112', '"TransactinID":-112'));
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({ state: 'succeeded', amount: '100.0' });
  });

  it('an answer without content or id is taken at its word (error answers carry none)', async () => {
    mock = mockVectrafin();
    mock.reply('{"ResponseStatus":-1,"Message":"Ошибка авторизации"}');
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({
      state: 'unknown',
      reason: 'auth_failed',
      providerRequestId: null,
      amount: '100.00',
      account: 'galek10',
    });
  });

  it('Status checks the expected amount and account when given', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'status.response.json'), fixture('ru', 'status.response.json'));
    expect(
      await mock.provider.getStatus({ transactionId: '112', expected: { amount: '200.00' } }),
    ).toMatchObject({
      state: 'unknown',
      reason: 'conflict',
    });
    expect(
      await mock.provider.getStatus({ transactionId: '112', expected: { account: 'galek10' } }),
    ).toMatchObject({
      state: 'succeeded',
    });
  });

  it('AccountCheck checks the echo too', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'account-check.response.json'));
    const result = await mock.provider.checkAccount({ ...PAYMENT, amount: '100', transactionId: '1100001' });
    expect(result).toMatchObject({ state: 'unknown', reason: 'conflict' });
  });

  it('CalculatedSum for another service is a conflict', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'calculated-sum.response.json'));
    const result = await mock.provider.quote({
      serviceId: '48',
      account: 'galek10',
      amount: '10',
      currency: 'KZT',
    });
    expect(result).toMatchObject({ state: 'unknown', reason: 'conflict', payAmount: null });
  });
});

describe('every status code through Payment and Status', () => {
  const codes = [
    ...Object.entries(VECTRAFIN_STATUS_TABLE),
    ['42', { state: 'unknown', reason: 'unknown_status' }],
  ] as [string, { state: string; reason: string | null }][];

  it.each(codes)('ResponseStatus %s', async (code, mapping) => {
    mock = mockVectrafin();
    mock.reply(answer(code), answer(`"${code}"`));
    const paid = await mock.provider.pay(PAYMENT);
    const status = await mock.provider.getStatus({ transactionId: '112' });
    for (const result of [paid, status]) {
      expect(result).toMatchObject({
        state: mapping.state,
        reason: mapping.reason,
        final: mapping.state === 'succeeded' || mapping.state === 'failed',
        providerStatus: code,
      });
    }
  });
});

describe('listPayments: succeeded exactly when GetPaymentsByDate answered with a list (every code)', () => {
  const range = { from: new Date('2024-07-09T00:00:00Z'), to: new Date('2024-07-10T00:00:00Z') };

  it.each([...Object.keys(VECTRAFIN_STATUS_TABLE), '42'])(
    'a status-only answer %s is no list: not succeeded, no payments, the code kept',
    async (code) => {
      mock = mockVectrafin();
      mock.reply(`{"ResponseStatus":${code},"Message":"m"}`, `{"StatusId":"${code}","Message":"m"}`);
      for (let answer = 0; answer < 2; answer++) {
        const result = await mock.provider.listPayments(range);
        expect(result.state).not.toBe('succeeded');
        expect(result).toMatchObject({ providerStatus: code, message: 'm', payments: [] });
      }
    },
  );

  it('a list, even an empty one, is succeeded', async () => {
    mock = mockVectrafin();
    mock.reply('[]');
    expect(await mock.provider.listPayments(range)).toMatchObject({
      state: 'succeeded',
      reason: null,
      payments: [],
    });
  });
});

describe('voucher codes (SendType=api) go to voucherCode and nowhere else', () => {
  const CODE = 'PUBG-7788-SECRET-CODE';

  it.each([
    ['an object', `{"InvoiceId":"4063","Code":"${CODE}"}`],
    ['an array', `[{"FieldName":"Code","FieldValue":"${CODE}"}]`],
    ['a camel-cased array', `[{"fieldName":"Code","fieldValue":"${CODE}"}]`],
  ])('Extras as %s', async (_label, extras) => {
    mock = mockVectrafin();
    mock.reply(
      `{"RequestID":1,"TransactinID":113,"ResponseStatus":10,"Message":"Ваш код ${CODE}","TransactionContent":{"Service":1911,"account":"a@b.kz","Amount":238345.45,"Currency":"KZT","Extras":${extras}}}`,
    );
    const result = await mock.provider.pay({
      serviceId: '1911',
      account: 'a@b.kz',
      amount: '238345.45',
      currency: 'KZT',
      transactionId: '113',
      invoiceId: '4063',
      sendType: 'api',
    });
    expect(mock.sent[0]?.fields).toContainEqual(['SendType', 'api']);
    expect(mock.sent[0]?.fields).toContainEqual(['InvoiceId', '4063']);
    expect(result.state).toBe('succeeded');
    expect(result.voucherCode).toBeInstanceOf(Secret);
    expect(result.voucherCode?.reveal()).toBe(CODE);
    expect(result.message).toBe('Ваш код [redacted]');
    for (const printed of [
      JSON.stringify(result),
      inspect(result, { depth: 10 }),
      String(result.voucherCode),
    ]) {
      expect(printed).not.toContain(CODE);
    }
  });

  it('a code on a conflicting answer is not handed out', async () => {
    mock = mockVectrafin();
    mock.reply(`{"TransactinID":999,"ResponseStatus":10,"TransactionContent":{"Extras":{"Code":"${CODE}"}}}`);
    const result = await mock.provider.pay({ ...PAYMENT, sendType: 'api' });
    expect(result.reason).toBe('conflict');
    expect(result.voucherCode).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(CODE);
  });

  it('Status answers can carry the code as well', async () => {
    mock = mockVectrafin();
    mock.reply(`{"TransactinID":112,"ResponseStatus":10,"TransactionContent":{"Extras":{"Code":"${CODE}"}}}`);
    const result = await mock.provider.getStatus({ transactionId: '112' });
    expect(result.voucherCode?.reveal()).toBe(CODE);
    expect(JSON.stringify(result)).not.toContain(CODE);
  });
});

describe('operation details', () => {
  it('generates a fresh AccountCheck id of at most 14 digits when none is given (below payment ids)', async () => {
    mock = mockVectrafin();
    mock.reply(answer(10, ''), answer(10, ''));
    await mock.provider.checkAccount({ serviceId: '7', account: 'galek10', amount: '100', currency: 'KZT' });
    await mock.provider.checkAccount({ serviceId: '7', account: 'galek10', amount: '100', currency: 'KZT' });
    const ids = mock.sent.map((sent) => new URLSearchParams(sent.body).get('TransactionID'));
    expect(ids[0]).toMatch(/^[1-9]\d{0,13}$/);
    expect(ids[1]).toMatch(/^[1-9]\d{0,13}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('infers the kind of an unconfigured service from AccountCheck Extras', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'account-check-static.response.json').replace('"1549"', '"2000"'));
    const result = await mock.provider.checkAccount({
      serviceId: '2000',
      account: 'kkazbek.smeken@gmail.com',
      amount: '100',
      currency: 'KZT',
      transactionId: '1100000',
    });
    expect(result).toMatchObject({ kind: 'static_voucher', payAmount: '5333.45' });
  });

  it('a declined AccountCheck reports the decline and no offers', async () => {
    mock = mockVectrafin();
    mock.reply('{"TransactinID":-1100000,"ResponseStatus":-105,"Message":"Аккаунт не найден"}');
    const result = await mock.provider.checkAccount({
      ...PAYMENT,
      serviceId: '1911',
      transactionId: '1100000',
    });
    expect(result).toMatchObject({
      state: 'failed',
      final: true,
      reason: 'account_not_found',
      kind: 'dynamic_voucher',
    });
    expect(result.offers).toBeUndefined();
  });

  it('uses requestedAt and the configured zone for RequestDate, and the zone for GetPaymentsByDate', async () => {
    mock = mockVectrafin({ timeZone: 'Asia/Almaty' });
    mock.reply(answer(1), '[]');
    await mock.provider.pay({ ...PAYMENT, requestedAt: new Date('2024-07-09T09:05:36Z') });
    await mock.provider.listPayments({
      from: new Date('2024-07-08T19:00:00Z'),
      to: new Date('2024-07-09T19:00:00Z'),
    });
    expect(mock.sent[0]?.fields).toContainEqual(['RequestDate', '2024-07-09 14:05:36']);
    expect(mock.sent[1]?.fields).toEqual([
      ['AgentID', '144'],
      ['AgentPassword', PASSWORD],
      ['RequestType', 'GetPaymentsByDate'],
      ['From', '2024-07-09 00:00:00'],
      ['To', '2024-07-10 00:00:00'],
    ]);
  });

  it('posts under a base path prefix', async () => {
    mock = mockVectrafin({ baseUrl: 'https://processing.vectrafin.test/gateway' });
    mock.reply(answer(1));
    await mock.provider.pay(PAYMENT);
    expect(mock.sent[0]?.path).toBe('/gateway/home/index');
  });

  it('a status-only answer to a query is its mapped outcome, never a success without data', async () => {
    mock = mockVectrafin();
    mock.reply(
      '{"ResponseStatus":-1,"Message":"Ошибка авторизации"}',
      '{"ResponseStatus":10}',
      '{"ResponseStatus":-501}',
    );
    expect(await mock.provider.getBalance()).toMatchObject({
      state: 'unknown',
      reason: 'auth_failed',
      balances: [],
    });
    expect(await mock.provider.listServices()).toMatchObject({ state: 'unknown', reason: 'unknown_status' });
    expect(await mock.provider.quote({ ...PAYMENT })).toMatchObject({
      state: 'unknown',
      reason: 'route_not_found',
    });
  });

  it('getServiceSettings picks one service from GetSettingServices', async () => {
    mock = mockVectrafin();
    mock.reply(
      fixture('ru', 'get-setting-services.response.json'),
      fixture('ru', 'get-setting-services.response.json'),
    );
    expect((await mock.provider.getServiceSettings('7')).service?.limits).toEqual([
      { currency: 'KZT', minAmount: '300.0', maxAmount: '90000.0' },
    ]);
    expect((await mock.provider.getServiceSettings('8')).service).toBeNull();
  });

  it('declares its capabilities as data', () => {
    mock = mockVectrafin();
    expect(mock.provider.capabilities).toBe(VECTRAFIN_CAPABILITIES);
    expect(VECTRAFIN_CAPABILITIES.idempotentResend).toBe(true);
    expect(VECTRAFIN_CAPABILITIES.currencies).toEqual(['KZT', 'USD', 'RUB']);
    expect(VECTRAFIN_CAPABILITIES.transactionId.pattern.test('123456789012345')).toBe(true);
    expect(VECTRAFIN_CAPABILITIES.transactionId.pattern.test('1234567890123456')).toBe(false);
    expect(Object.values(VECTRAFIN_CAPABILITIES.operations).every(Boolean)).toBe(true);
  });
});

describe('automatic AccountCheck ids never equal a payment id (protocol §7.1)', () => {
  it('are at most 14 digits, below every id a journal allocates now or later', () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    // The journal's floor for a payment id at the same instant: the clock in hundredths of a millisecond.
    const paymentFloor = BigInt(now.getTime()) * 100n + 1n;
    for (const sequence of [0, 1, 42, 99]) {
      const id = checkIdAt(now, sequence);
      expect(id).toMatch(/^[1-9][0-9]{0,13}$/);
      expect(BigInt(id)).toBeLessThan(paymentFloor);
      expect(BigInt(id)).toBeLessThan(10n ** 14n);
    }
    // Distinct from one millisecond and one counter step to the next.
    expect(checkIdAt(now, 1)).not.toBe(checkIdAt(now, 2));
    expect(checkIdAt(now, 1)).not.toBe(checkIdAt(new Date(now.getTime() + 1), 1));
  });
});
