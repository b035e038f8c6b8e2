import { afterEach, describe, expect, it } from 'vitest';
import { fixture, type Half, type MockSetup, mockVectrafin } from '../test/mock-vectrafin.js';

/**
 * Every response sample of the spec, in both halves, as the provider's callers see it. The samples
 * are the raw text of the spec (test/fixtures), never re-serialised.
 */

const HALVES: Half[] = ['ru', 'en'];
let mock: MockSetup;
afterEach(async () => {
  await mock.close();
});

describe.each(HALVES)('%s half: AccountCheck samples', (half) => {
  it('direct top-up (service 7): 18-digit RequestID, sign-flipped TransactinID, Service as a string', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'account-check.response.json'));
    const result = await mock.provider.checkAccount({
      serviceId: '7',
      account: 'galek10',
      amount: '100',
      currency: 'KZT',
      transactionId: '1100000',
    });
    expect(result).toMatchObject({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: '10',
      message: 'Транзакция успешна',
      // protocol §3.3: above 2^53, JSON.parse would give 638405063993273300.
      providerRequestId: '638405063993273260',
      // protocol §3.2: the answer says -1100000; the id is ours all the same.
      transactionId: '1100000',
      serviceId: '7',
      account: 'galek10',
      amount: '100.0',
      currency: 'KZT',
      kind: 'direct',
      exchangeRate: '0.0021819769',
      serviceCurrency: 'USD',
    });
    expect(result.offers).toBeUndefined();
  });

  it('dynamic vouchers (service 1911): ten offers, payAmount rounded up (protocol §3.6, §3.8)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'account-check-dynamic.response.json'));
    const result = await mock.provider.checkAccount({
      serviceId: '1911',
      account: 'kkazbek.smeken@gmail.com',
      amount: '100',
      currency: 'KZT',
      transactionId: '1100000',
    });
    expect(result.state).toBe('succeeded');
    expect(result.kind).toBe('dynamic_voucher');
    expect(result.providerRequestId).toBe('638561232575520668');
    expect(result.offers).toHaveLength(10);
    expect(result.offers?.[0]).toEqual({
      invoiceId: '4063',
      name: '30.000 + 10.500 UC',
      orderAmount: '238345.4409',
      payAmount: '238345.45',
    });
    expect(result.offers?.map((offer) => [offer.invoiceId, offer.orderAmount, offer.payAmount])).toEqual([
      ['4063', '238345.4409', '238345.45'],
      ['4062', '190675.3994', '190675.40'],
      ['4061', '143005.3578', '143005.36'],
      ['4060', '95335.3163', '95335.32'],
      ['4059', '47665.2747', '47665.28'],
      ['4058', '23830.2539', '23830.26'],
      ['2618', '11912.7435', '11912.75'],
      ['2619', '4762.2373', '4762.24'],
      ['2620', '2378.7352', '2378.74'],
      ['2621', '471.9336', '471.94'],
    ]);
  });

  it('static vouchers (service 1549): OrderAmount 5333.4471 is paid as 5333.45 (protocol §3.7, §3.8)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'account-check-static.response.json'));
    const result = await mock.provider.checkAccount({
      serviceId: '1549',
      account: 'kkazbek.smeken@gmail.com',
      amount: '100',
      currency: 'KZT',
      transactionId: '1100000',
    });
    expect(result).toMatchObject({
      state: 'succeeded',
      kind: 'static_voucher',
      providerRequestId: '638561239593184006',
      orderAmount: '5333.4471',
      payAmount: '5333.45',
      serviceCurrency: 'USD',
    });
  });

  it('Alseko (service 815): the nested invoice with every line and the pay-everything line (protocol §3.9)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'account-check-alseko.response.json'));
    const result = await mock.provider.checkAccount({
      serviceId: '815',
      account: '7898380',
      amount: '100',
      currency: 'KZT',
      transactionId: '1100000',
    });
    expect(result.state).toBe('succeeded');
    expect(result.kind).toBe('invoice');
    const invoice = result.invoice;
    expect(invoice?.invoiceId).toBe('240710296539');
    expect(invoice?.address).toBe('Алматы қ.|г.Алматы, ықш.ауд.|м-он Мамыр-7 үй|д.5 27 пәтер/кв.');
    expect(invoice?.lines.map((line) => [line.serviceId, line.fixSum, line.debtSum, line.payAll])).toEqual([
      ['13', '3475.96', '0.0', false],
      ['14', '10517.64', '0.0', false],
      ['12', '1974.64', '0.0', false],
      ['25', '1144.85', '0.0', false],
      ['114', '618.72', '0.0', false],
      ['36', '2345.65', '0.0', false],
      ['11', '4311.0', '0.0', false],
      ['133', '3405.76', '0.0', false],
      ['999', '27794.22', '0', true],
    ]);
    expect(invoice?.lines[0]).toEqual({
      serviceId: '13',
      name: 'Электр қуаты | Электр. энергия',
      fixSum: '3475.96',
      debtSum: '0.0',
      payAll: false,
      measure: null,
      tariff: null,
      previousCount: '18754.0',
      lastCount: '18888.0',
      debtInfo: null,
    });
    expect(invoice?.lines[2]?.previousCount).toBe('931.032');
    expect(invoice?.lines[8]?.name).toBe('Оплатить всё');
  });
});

describe.each(HALVES)('%s half: Payment and Status samples', (half) => {
  it('direct Payment: status 1 is pending, AmountOnClient exact (protocol §3.10, §3.18)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'payment.response.json'));
    const result = await mock.provider.pay({
      serviceId: '7',
      account: 'galek10',
      amount: '100',
      currency: 'KZT',
      transactionId: '112',
    });
    expect(result).toEqual({
      state: 'pending',
      final: false,
      reason: null,
      providerStatus: '1',
      message: 'Транзакция создана',
      transactionId: '112',
      providerRequestId: '11637004',
      amount: '100.0',
      currency: 'KZT',
      account: 'galek10',
      amountOnClient: '0.21598272',
      exchangeRate: '0.0021598272',
      serviceCurrency: 'USD',
    });
  });

  it('dynamic voucher Payment echoes Extras as an object {"InvoiceId":"4063"} (protocol §3.5)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'payment-dynamic.response.json'));
    const result = await mock.provider.pay({
      serviceId: '1911',
      account: 'kkazbek.smeken@gmail.com',
      amount: '238345.45',
      currency: 'KZT',
      transactionId: '113',
      invoiceId: '4063',
    });
    expect(result).toMatchObject({
      state: 'pending',
      providerRequestId: '11637003',
      amount: '238345.45',
      amountOnClient: '238345.45',
    });
    expect(result.voucherCode).toBeUndefined();
  });

  it('static voucher Payment keeps AmountOnClient 11.51933037984 digit for digit (protocol §3.18)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'payment-static.response.json'));
    const result = await mock.provider.pay({
      serviceId: '1549',
      account: 'kkazbek.smeken@gmail.com',
      amount: '5333.45',
      currency: 'KZT',
      transactionId: '114',
    });
    expect(result).toMatchObject({
      state: 'pending',
      providerRequestId: '11637002',
      amount: '5333.45',
      amountOnClient: '11.51933037984',
      exchangeRate: '0.0021598272',
    });
  });

  it('Alseko Payment echoes Extras {"Services": "<json>"} (protocol §3.5, §3.9)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'payment-alseko.response.json'));
    const result = await mock.provider.pay({
      serviceId: '815',
      account: '7898380',
      amount: '5610.18',
      currency: 'KZT',
      transactionId: '115',
      services: [
        { serviceId: '13', amount: '5110.18' },
        { serviceId: '12', amount: '500.00' },
      ],
    });
    expect(result).toMatchObject({ state: 'pending', providerRequestId: '11637001', amount: '5610.18' });
  });

  it('Status 10 is succeeded and final; Service arrives as a number (protocol §3.4)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'status.response.json'));
    const result = await mock.provider.getStatus({
      transactionId: '112',
      serviceId: '7',
      expected: { amount: '100.00', account: 'galek10' },
    });
    expect(result).toMatchObject({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: '10',
      transactionId: '112',
      providerRequestId: '11637004',
      amount: '100.0',
      account: 'galek10',
      amountOnClient: null,
    });
  });
});

describe.each(HALVES)('%s half: the other operations', (half) => {
  it('CheckBalance: no ResponseStatus, Balance 719190.223 exact (protocol §3.11)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'check-balance.response.json'));
    expect(await mock.provider.getBalance()).toEqual({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: null,
      message: null,
      balances: [{ currency: 'KZT', balance: '719190.223', overdraft: '0.0' }],
    });
  });

  it('GetPaymentsByDate: a bare array, 16-digit ids, 7-digit fractions kept verbatim (protocol §3.12)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'get-payments-by-date.response.json'));
    const result = await mock.provider.listPayments({
      from: new Date('2024-07-08T21:00:00Z'),
      to: new Date('2024-07-09T21:00:00Z'),
    });
    expect(result.state).toBe('succeeded');
    expect(result.payments).toEqual([
      {
        transactionId: '6527505296357515',
        providerRequestId: '11636982',
        account: '7081982000',
        amount: '4714.0',
        serviceId: '48',
        agentCreatedAt: '2024-07-09T09:05:15',
        createdAt: '2024-07-09T12:05:36.2186685',
        processedAt: '2024-07-09T12:06:05.3824988',
        state: 'succeeded',
        providerStatus: '10',
      },
    ]);
  });

  it('GetSettingServices: a bare array with lower-case limits (protocol §3.13)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'get-setting-services.response.json'));
    const result = await mock.provider.listServices();
    expect(result.state).toBe('succeeded');
    expect(result.services).toEqual([
      {
        id: '7',
        name: 'Steam',
        testAccount: 'iamkackbip',
        rate: '0.0',
        topCommission: '0.0',
        limits: [{ currency: 'KZT', minAmount: '300.0', maxAmount: '90000.0' }],
      },
    ]);
  });

  it('CalculatedSum: 9 decimals kept, payAmount rounded up to cents (protocol §3.14)', async () => {
    mock = mockVectrafin();
    mock.reply(fixture(half, 'calculated-sum.response.json'));
    const result = await mock.provider.quote({
      serviceId: '7',
      account: 'galek10',
      amount: '10',
      currency: 'KZT',
    });
    expect(result).toEqual({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: null,
      message: null,
      amount: '4630.000029632',
      payAmount: '4630.01',
      exchangeRate: '0.0021598272',
      expectedAmount: '10.0',
      expectedCurrency: 'USD',
    });
  });

  it('PostPayments success and error answers are reported per chunk (protocol §3.15)', async () => {
    mock = mockVectrafin();
    mock.reply(
      fixture(half, 'post-payments.response.json'),
      fixture(half, 'post-payments.error-response.json'),
    );
    const entry = {
      transactionId: '6527505296357515',
      providerRequestId: '11636982',
      agentCreatedAt: '2024-07-09 09:05:15',
      account: '7081982000',
      amount: '4714.25',
      serviceId: '48',
      year: 2024,
      month: 7,
    };
    const first = await mock.provider.submitRegistry([entry]);
    expect(first.accepted).toBe(true);
    expect(first.chunks).toEqual([
      {
        state: 'succeeded',
        final: true,
        reason: null,
        providerStatus: 'success',
        message: 'Реестр успешно загружен',
        status: 'success',
        offset: 0,
        size: 1,
      },
    ]);
    const second = await mock.provider.submitRegistry([entry]);
    expect(second.accepted).toBe(false);
    expect(second.chunks[0]).toMatchObject({
      state: 'failed',
      reason: 'request_failed',
      status: 'error',
      message: 'Неверный формат JSON',
    });
  });

  it('Callback body: a hint with the canonical outcome (protocol §3.16)', () => {
    mock = mockVectrafin();
    expect(mock.provider.parseCallback(fixture(half, 'callback.body.json'))).toEqual({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: '10',
      message: 'Транзакция успешна',
      transactionId: '89539514',
      providerRequestId: '7241376',
    });
  });
});

describe('ru half: PostTotalAmount answers (the English half has no PostTotalAmount, protocol §5)', () => {
  const totals = {
    date: '2025-03-01',
    totalAmount: '500000.67',
    totalCount: 250,
    services: [
      { serviceId: '48', amount: '250000.00', count: 100 },
      { serviceId: '59', amount: '200000.00', count: 100 },
      { serviceId: '78', amount: '50000.67', count: 50 },
    ],
  };

  it('success', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'post-total-amount.response.json'));
    const result = await mock.provider.submitDailyTotals(totals);
    expect(result.accepted).toBe(true);
    expect(result.chunks[0]).toMatchObject({
      state: 'succeeded',
      message: 'Итоговая строка успешно загружена',
    });
  });

  it('error', async () => {
    mock = mockVectrafin();
    mock.reply(fixture('ru', 'post-total-amount.error-response.json'));
    const result = await mock.provider.submitDailyTotals(totals);
    expect(result.accepted).toBe(false);
    expect(result.chunks[0]).toMatchObject({
      state: 'failed',
      status: 'error',
      message: 'Неверный формат JSON',
    });
  });
});

it('the samples are identical in both halves where the spec repeats them', () => {
  for (const name of [
    'account-check.response.json',
    'account-check-alseko.response.json',
    'payment-static.response.json',
    'calculated-sum.response.json',
    'callback.body.json',
  ]) {
    expect(fixture('en', name)).toBe(fixture('ru', name));
  }
});
