import { describe, expect, it } from 'vitest';
import { parseWireJson, WireShapeError } from './json-value.js';
import {
  readBalances,
  readCalculatedSum,
  readExtras,
  readPaymentList,
  readRegistryAck,
  readServiceList,
  readTransactionResponse,
} from './response-parser.js';

const read = (text: string) => readTransactionResponse(parseWireJson(text));

describe('transaction answers: quirks by notes number', () => {
  it('protocol §3.1 the agent id comes back as TransactinID, and TransactionID/TransactionId are read too', () => {
    expect(read('{"TransactinID":112,"ResponseStatus":1}').transactionId).toBe('112');
    expect(read('{"TransactionID":112,"ResponseStatus":1}').transactionId).toBe('112');
    expect(read('{"TransactionId":112,"ResponseStatus":1}').transactionId).toBe('112');
    expect(read('{"transactinid":"112","ResponseStatus":1}').transactionId).toBe('112');
  });

  it('protocol §3.2 a sign-flipped id is ours without the sign; the echo keeps it', () => {
    const response = read('{"TransactinID":-1100000,"ResponseStatus":10}');
    expect(response.transactionId).toBe('1100000');
    expect(response.echoedTransactionId).toBe('-1100000');
  });

  it('protocol §3.3 an 18-digit RequestID survives exactly (JSON.parse would round it)', () => {
    const text = '{"RequestID":638405063993273260,"ResponseStatus":10}';
    expect(read(text).requestId).toBe('638405063993273260');
    expect(String(JSON.parse(text).RequestID)).not.toBe('638405063993273260');
    expect(read('{"RequestID":"999999999999999999","ResponseStatus":10}').requestId).toBe(
      '999999999999999999',
    );
  });

  it('protocol §3.4 Service as a string or a number; account in either casing', () => {
    const check = read('{"ResponseStatus":10,"TransactionContent":{"Service":"7","account":"galek10"}}');
    const payment = read('{"ResponseStatus":1,"TransactionContent":{"Service":7,"Account":"galek10"}}');
    expect(check.content).toMatchObject({ serviceId: '7', account: 'galek10' });
    expect(payment.content).toMatchObject({ serviceId: '7', account: 'galek10' });
  });

  it('protocol §3.5 Extras: null, absent, an array, an object', () => {
    expect(readExtras(null)).toEqual([]);
    expect(readExtras(undefined)).toEqual([]);
    expect(readExtras(parseWireJson('[{"FieldName":"OrderAmount","FieldValue":"5333.4471"}]'))).toEqual([
      { name: 'OrderAmount', value: '5333.4471' },
    ]);
    expect(readExtras(parseWireJson('{"InvoiceId":"4063"}'))).toEqual([{ name: 'InvoiceId', value: '4063' }]);
    expect(read('{"ResponseStatus":1,"TransactionContent":{"Extras":null}}').content?.extras).toEqual([]);
  });

  it('protocol §3.17 Extras keys camel-cased (fieldName/fieldValue) read the same', () => {
    expect(readExtras(parseWireJson('[{"fieldName":"Code","fieldValue":"ABCD"}]'))).toEqual([
      { name: 'Code', value: 'ABCD' },
    ]);
  });

  it('Extras as a JSON string holding one of the shapes', () => {
    expect(readExtras('{"InvoiceId":"4063"}')).toEqual([{ name: 'InvoiceId', value: '4063' }]);
    expect(readExtras('')).toEqual([]);
  });

  it('protocol §3.17 ResponseStatus as a string', () => {
    expect(read('{"ResponseStatus":"10"}').status).toBe('10');
    expect(read('{"ResponseStatus":" -105 "}').status).toBe('-105');
    expect(read('{"ResponseStatus":"weird"}').status).toBe('weird');
  });

  it('protocol §3.18 amounts are the exact text of the JSON number, exponents expanded exactly', () => {
    const content = read(
      '{"ResponseStatus":1,"TransactionContent":{"Amount":5333.45,"AmountOnClient":11.51933037984,"ExchangeRate":2.1598272E-3}}',
    ).content;
    expect(content).toMatchObject({
      amount: '5333.45',
      amountOnClient: '11.51933037984',
      exchangeRate: '0.0021598272',
    });
    expect(read('{"ResponseStatus":1,"TransactionContent":{"Amount":"100.50"}}').content?.amount).toBe(
      '100.50',
    );
    expect(read('{"ResponseStatus":1,"TransactionContent":{"Amount":1e21}}').content?.amount).toBe(
      '1000000000000000000000',
    );
  });

  it.each([
    ['an array', '[]'],
    ['no ResponseStatus', '{"TransactinID":1}'],
    ['an empty ResponseStatus', '{"ResponseStatus":""}'],
    ['a fractional id', '{"ResponseStatus":1,"TransactinID":1.5}'],
    ['a text amount', '{"ResponseStatus":1,"TransactionContent":{"Amount":"сто"}}'],
    ['Extras of the wrong type', '{"ResponseStatus":1,"TransactionContent":{"Extras":5}}'],
    ['TransactionContent as a list', '{"ResponseStatus":1,"TransactionContent":[]}'],
  ])('%s is a shape error', (_label, text) => {
    expect(() => read(text)).toThrow(WireShapeError);
  });

  it('rejects what is not JSON', () => {
    expect(() => parseWireJson('<html>')).toThrow(WireShapeError);
    expect(() => parseWireJson('{"a":1')).toThrow(WireShapeError);
  });
});

describe('the other answers', () => {
  it('protocol §3.11 CheckBalance, and a status-only error instead', () => {
    expect(
      readBalances(parseWireJson('{"Balances":[{"Balance":1.5,"Overbalance":0.0,"Currency":"KZT"}]}')),
    ).toEqual({
      kind: 'data',
      data: [{ currency: 'KZT', balance: '1.5', overdraft: '0.0' }],
    });
    expect(readBalances(parseWireJson('{"ResponseStatus":-1,"Message":"Ошибка авторизации"}'))).toEqual({
      kind: 'status',
      envelope: { status: '-1', message: 'Ошибка авторизации' },
    });
    expect(() => readBalances(parseWireJson('{"AgentID":144}'))).toThrow(WireShapeError);
  });

  it('protocol §3.12 GetPaymentsByDate: an empty list, a status-only error, a non-list', () => {
    expect(readPaymentList(parseWireJson('[]'))).toEqual({ kind: 'data', data: [] });
    expect(readPaymentList(parseWireJson('{"ResponseStatus":-1}'))).toMatchObject({ kind: 'status' });
    expect(() => readPaymentList(parseWireJson('{"Payments":[]}'))).toThrow(WireShapeError);
  });

  it('protocol §3.13 limits in other currencies and a single limits object', () => {
    const answer = readServiceList(
      parseWireJson('[{"Id":48,"Name":"QIWI","limits":{"MinAmountUSD":1,"MaxAmountUSD":500.5}}]'),
    );
    expect(answer).toMatchObject({
      kind: 'data',
      data: [{ id: '48', limits: [{ currency: 'USD', minAmount: '1', maxAmount: '500.5' }] }],
    });
  });

  it('protocol §3.14 CalculatedSum with no Amount but a status is a status answer', () => {
    expect(readCalculatedSum(parseWireJson('{"ResponseStatus":-501,"Message":"x"}'))).toMatchObject({
      kind: 'status',
      envelope: { status: '-501' },
    });
  });

  it('protocol §3.15 registry acknowledgements', () => {
    expect(readRegistryAck(parseWireJson('{"status":"success","details":{"message":"ok"}}'))).toEqual({
      status: 'success',
      message: 'ok',
    });
    expect(readRegistryAck(parseWireJson('{"status":"error","details":"bad"}'))).toEqual({
      status: 'error',
      message: 'bad',
    });
    expect(() => readRegistryAck(parseWireJson('{"details":{}}'))).toThrow(WireShapeError);
  });
});
