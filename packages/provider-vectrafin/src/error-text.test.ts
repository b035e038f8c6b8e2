import { afterEach, describe, expect, it } from 'vitest';
import { type MockSetup, mockVectrafin } from '../test/mock-vectrafin.js';
import { parseWireJson } from './json-value.js';
import { readPaymentList, readRegistryAck } from './response-parser.js';

/**
 * Some servers of the protocol family put an answer's text in `Error` instead of `Message` (seen in
 * the logged answers of a public client). Every shape the provider parses falls back to it, so the
 * caller still reads why. Fixtures are raw answer text, as a server would send it.
 */

const PAYMENT = {
  serviceId: '7',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  transactionId: '112',
} as const;
const RANGE = { from: new Date('2024-07-09T00:00:00Z'), to: new Date('2024-07-09T12:00:00Z') };
const TOTALS = {
  date: '2024-07-09',
  totalAmount: '100.00',
  totalCount: 1,
  services: [{ serviceId: '7', amount: '100.00', count: 1 }],
};

let mock: MockSetup | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('an answer carrying its text in Error, not Message', () => {
  it('a form answer (Payment): the text is the result message', async () => {
    mock = mockVectrafin();
    mock.reply('{"TransactinID":112,"ResponseStatus":-1,"Error":"Ошибка авторизации"}');
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({
      state: 'unknown',
      reason: 'auth_failed',
      providerStatus: '-1',
      message: 'Ошибка авторизации',
    });
  });

  it('a form answer (Status) whose Message is blank', async () => {
    mock = mockVectrafin();
    mock.reply('{"TransactinID":112,"ResponseStatus":-4,"Message":"","Error":"Транзакция не найдена"}');
    expect(await mock.provider.getStatus({ transactionId: '112' })).toMatchObject({
      reason: 'not_found',
      message: 'Транзакция не найдена',
    });
  });

  it('a status-only answer to CheckBalance', async () => {
    mock = mockVectrafin();
    mock.reply('{"ResponseStatus":-1,"Error":"Ошибка авторизации"}');
    expect(await mock.provider.getBalance()).toMatchObject({
      reason: 'auth_failed',
      message: 'Ошибка авторизации',
      balances: [],
    });
  });

  it('a status-only answer to CalculatedSum', async () => {
    mock = mockVectrafin();
    mock.reply('{"ResponseStatus":-502,"Error":"Нет курса валют"}');
    expect(await mock.provider.quote(PAYMENT)).toMatchObject({
      reason: 'no_exchange_rate',
      message: 'Нет курса валют',
    });
  });

  it('a status-only answer to GetSettingServices', async () => {
    mock = mockVectrafin();
    mock.reply('{"ResponseStatus":-500,"Error":"Ошибка запроса"}');
    expect(await mock.provider.listServices()).toMatchObject({
      reason: 'request_failed',
      message: 'Ошибка запроса',
      services: [],
    });
  });

  it('a status-only answer to GetPaymentsByDate', async () => {
    mock = mockVectrafin();
    mock.reply('{"ResponseStatus":-1,"error":"Ошибка авторизации"}');
    expect(await mock.provider.listPayments(RANGE)).toMatchObject({
      reason: 'auth_failed',
      message: 'Ошибка авторизации',
      payments: [],
    });
  });

  it('a payment list line whose text is in Error', () => {
    const list = readPaymentList(
      parseWireJson(
        '[{"TransactionId":112,"RequestId":638405063993273260,"Account":"galek10","Amount":100.00,"ServiceId":7,"StatusId":-105,"Error":"Абонент не найден"}]',
      ),
    );
    expect(list).toMatchObject({ kind: 'data', data: [{ status: '-105', message: 'Абонент не найден' }] });
  });

  it('a registry refusal (PostPayments) with the text in details.Error', async () => {
    mock = mockVectrafin();
    mock.reply('{"status":"error","details":{"Error":"Неверный формат JSON"}}');
    const result = await mock.provider.submitRegistry([
      {
        transactionId: '112',
        providerRequestId: '638405063993273260',
        agentCreatedAt: '2024-07-09 09:05:15',
        account: 'galek10',
        amount: '100.00',
        serviceId: '7',
        year: 2024,
        month: 7,
      },
    ]);
    expect(result.chunks[0]).toMatchObject({ state: 'failed', message: 'Неверный формат JSON' });
  });

  it('a totals refusal (PostTotalAmount) with the text in a top-level Error', async () => {
    mock = mockVectrafin();
    mock.reply('{"status":"error","Error":"Неверный формат JSON"}');
    const result = await mock.provider.submitDailyTotals(TOTALS);
    expect(result.chunks[0]).toMatchObject({ state: 'failed', message: 'Неверный формат JSON' });
    expect(readRegistryAck(parseWireJson('{"status":"error","details":{"message":"","error":"x"}}'))).toEqual(
      {
        status: 'error',
        message: 'x',
      },
    );
  });

  it('a callback', () => {
    mock = mockVectrafin();
    const notice = mock.provider.parseCallback(
      '{"RequestID":11637004,"ResponseType":"CallBack","TransactinID":112,"ResponseStatus":10,"Error":"Транзакция успешна"}',
    );
    expect(notice).toMatchObject({ state: 'succeeded', message: 'Транзакция успешна' });
  });

  it('Message still wins when both are present; a non-text Error is ignored, not an unreadable answer', async () => {
    mock = mockVectrafin();
    mock.reply(
      '{"TransactinID":112,"ResponseStatus":-1,"Message":"Ошибка авторизации","Error":"other"}',
      '{"TransactinID":112,"ResponseStatus":-1,"Error":{"Code":1}}',
    );
    expect((await mock.provider.pay(PAYMENT)).message).toBe('Ошибка авторизации');
    expect(await mock.provider.pay(PAYMENT)).toMatchObject({ reason: 'auth_failed', message: null });
  });

  it('the password is scrubbed from an Error text too', async () => {
    mock = mockVectrafin();
    mock.reply('{"TransactinID":112,"ResponseStatus":-1,"Error":"bad password pa$$-W0rd&=+ secret"}');
    const result = await mock.provider.pay(PAYMENT);
    expect(result.message).toContain('[redacted]');
    expect(result.message).not.toContain('pa$$-W0rd&=+ secret');
  });
});
