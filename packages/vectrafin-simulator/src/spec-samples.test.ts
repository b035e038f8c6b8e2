import { isLosslessNumber, parse } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackBody } from './callbacks.js';
import { DEMO_AGENT_ID, DEMO_PASSWORD } from './options.js';
import { createRawClient, type RawClient } from './raw-client.js';
import { type Simulator, startSimulator } from './server.js';

/**
 * Every request sample of the spec (Russian half, the contract — protocol §5) sent to the simulator:
 * each answer must have the shape of the documented one, and the values the samples fix.
 * The documented answers are kept verbatim as raw strings.
 */

// {{currentDateTime}} of the samples; the clock sits in the GetPaymentsByDate sample's window.
const REQUEST_DATE = '2024-07-09 09:05:15';
const NOW = new Date('2024-07-09T09:05:36.218Z');

type Shape = string | Shape[] | { [key: string]: Shape };

/** Keys and JSON types, recursively (the first element stands for an array). */
function shapeOf(value: unknown): Shape {
  if (isLosslessNumber(value)) return 'number';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

function json(text: string): Record<string, unknown> {
  return parse(text) as Record<string, unknown>;
}

/** A value at a dotted path, numbers as their exact text. */
function at(document: unknown, path: string): unknown {
  let value = document;
  for (const part of path.split('.')) value = (value as Record<string, unknown>)[part];
  return isLosslessNumber(value) ? value.value : value;
}

const credentials = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD };

const ACCOUNT_CHECK = `{
    "TransactinID": -1100000,
    "RequestID": 638405063993273260,
    "ResponseType": "AccountCheck",
    "ResponseStatus": 10,
    "Message": "Транзакция успешна",
    "TransactionContent": {
        "Service": "7",
        "account": "galek10",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 0.0021819769,
        "ServiceCurrency": "USD"
    }
}`;

const ACCOUNT_CHECK_DYNAMIC = String.raw`{
    "TransactinID": 1100000,
    "RequestID": 638561232575520668,
    "ResponseType": "AccountCheck",
    "ResponseStatus": 10,
    "Message": "Транзакция успешна",
    "TransactionContent": {
        "Service": "1911",
        "account": "kkazbek.smeken@gmail.com",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 1.0,
        "ServiceCurrency": "KZT",
        "Extras": [
            {
                "FieldName": "Invoice-1",
                "FieldValue": "{\"InvoiceId\":4063,\"OrderAmount\":\"238345.4409\",\"InvoiceName\":\"30.000 + 10.500 UC\"}"
            },
            {
                "FieldName": "Invoice-2",
                "FieldValue": "{\"InvoiceId\":4062,\"OrderAmount\":\"190675.3994\",\"InvoiceName\":\"24.000 + 8.400 UC\"}"
            },
            {
                "FieldName": "Invoice-3",
                "FieldValue": "{\"InvoiceId\":4061,\"OrderAmount\":\"143005.3578\",\"InvoiceName\":\"18.000 + 6.300 UC\"}"
            },
            {
                "FieldName": "Invoice-4",
                "FieldValue": "{\"InvoiceId\":4060,\"OrderAmount\":\"95335.3163\",\"InvoiceName\":\"12.000 + 4.200 UC\"}"
            },
            {
                "FieldName": "Invoice-5",
                "FieldValue": "{\"InvoiceId\":4059,\"OrderAmount\":\"47665.2747\",\"InvoiceName\":\"6.000 + 2.100 UC\"}"
            },
            {
                "FieldName": "Invoice-6",
                "FieldValue": "{\"InvoiceId\":4058,\"OrderAmount\":\"23830.2539\",\"InvoiceName\":\"3.000 + 850 UC\"}"
            },
            {
                "FieldName": "Invoice-7",
                "FieldValue": "{\"InvoiceId\":2618,\"OrderAmount\":\"11912.7435\",\"InvoiceName\":\"1.500 + 300 UC\"}"
            },
            {
                "FieldName": "Invoice-8",
                "FieldValue": "{\"InvoiceId\":2619,\"OrderAmount\":\"4762.2373\",\"InvoiceName\":\"600 + 60 UC\"}"
            },
            {
                "FieldName": "Invoice-9",
                "FieldValue": "{\"InvoiceId\":2620,\"OrderAmount\":\"2378.7352\",\"InvoiceName\":\"300 + 25 UC\"}"
            },
            {
                "FieldName": "Invoice-10",
                "FieldValue": "{\"InvoiceId\":2621,\"OrderAmount\":\"471.9336\",\"InvoiceName\":\"60 UC\"}"
            }
        ]
    }
}`;

const ACCOUNT_CHECK_STATIC = `{
    "TransactinID": 1100000,
    "RequestID": 638561239593184006,
    "ResponseType": "AccountCheck",
    "ResponseStatus": 10,
    "Message": "Транзакция успешна",
    "TransactionContent": {
        "Service": "1549",
        "account": "kkazbek.smeken@gmail.com",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 1.0,
        "ServiceCurrency": "USD",
        "Extras": [
            {
                "FieldName": "OrderAmount",
                "FieldValue": "5333.4471"
            }
        ]
    }
}`;

const ACCOUNT_CHECK_ALSEKO = String.raw`{
    "TransactinID": 1100000,
    "RequestID": 638561244870733001,
    "ResponseType": "AccountCheck",
    "ResponseStatus": 10,
    "Message": "Транзакция успешна",
    "TransactionContent": {
        "Service": "815",
        "account": "7898380",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 1.0,
        "ServiceCurrency": "KZT",
        "Extras": [
            {
                "FieldName": "Invoice",
                "FieldValue": "{\"Account\":{\"Address\":\"Алматы қ.|г.Алматы, ықш.ауд.|м-он Мамыр-7 үй|д.5 27 пәтер/кв.\",\"Invoices\":{\"Invoice\":{\"AccountName\":\"-\",\"InvoiceId\":\"240710296539\",\"Services\":{\"Service\":[{\"ServiceId\":13,\"ServiceName\":\"Электр қуаты | Электр. энергия\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":3475.96,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":18754.0,\"lastCount\":18888.0},{\"ServiceId\":14,\"ServiceName\":\"Ыстық су, Есептеуіш | Гор. вода, Счётчик\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":10517.64,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":924.0,\"lastCount\":952.0},{\"ServiceId\":12,\"ServiceName\":\"Суық су,Есептеуіш | Хол.вода,Счетчик\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":1974.64,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":931.032,\"lastCount\":966.0},{\"ServiceId\":25,\"ServiceName\":\"Суық су к-ясы,Есеп-іш | К-ция хол.воды,Сч-к\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":1144.85,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":931.032,\"lastCount\":966.0},{\"ServiceId\":114,\"ServiceName\":\"Канализация | Канализация\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":618.72,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":null,\"lastCount\":null},{\"ServiceId\":36,\"ServiceName\":\"Газ | Газ\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":2345.65,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":null,\"lastCount\":null},{\"ServiceId\":11,\"ServiceName\":\"ҚТҚ шығару | Вывоз ТБО\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":4311.0,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":null,\"lastCount\":null},{\"ServiceId\":133,\"ServiceName\":\"Мүлік салығы | Налог на имущество ЖСН/ИИН: 000819501142; 27.06.2024 ж. дейінгі төлемдер ескерілді/ Учтены платежи до 27.06.2024 г.\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":3405.76,\"DebtSum\":0.0,\"FixCount\":null,\"PrevCount\":null,\"lastCount\":null},{\"ServiceId\":999,\"ServiceName\":\"Оплатить всё\",\"IsCounterService\":0,\"Measure\":null,\"Tariff\":null,\"DebtInfo\":null,\"FixSum\":27794.22,\"DebtSum\":null,\"FixCount\":null,\"PrevCount\":null,\"lastCount\":null}]}}},\"Params\":null}}"
            }
        ]
    }
}`;

const PAYMENT = `{
    "RequestID": 11637004,
    "ResponseType": "Payment",
    "TransactinID": 112,
    "ResponseStatus": 1,
    "Message": "Транзакция создана",
    "TransactionContent": {
        "Service": 7,
        "account": "galek10",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 0.0021598272,
        "ServiceCurrency": "USD",
        "AmountOnClient": 0.21598272,
        "Extras": null
    }
}`;

const PAYMENT_DYNAMIC = `{
    "RequestID": 11637003,
    "ResponseType": "Payment",
    "TransactinID": 113,
    "ResponseStatus": 1,
    "Message": "Транзакция создана",
    "TransactionContent": {
        "Service": 1911,
        "account": "kkazbek.smeken@gmail.com",
        "Amount": 238345.45,
        "Currency": "KZT",
        "ExchangeRate": 1.0,
        "ServiceCurrency": "KZT",
        "AmountOnClient": 238345.45,
        "Extras": {
            "InvoiceId": "4063"
        }
    }
}`;

const PAYMENT_STATIC = `{
    "RequestID": 11637002,
    "ResponseType": "Payment",
    "TransactinID": 114,
    "ResponseStatus": 1,
    "Message": "Транзакция создана",
    "TransactionContent": {
        "Service": 1549,
        "account": "kkazbek.smeken@gmail.com",
        "Amount": 5333.45,
        "Currency": "KZT",
        "ExchangeRate": 0.0021598272,
        "ServiceCurrency": "USD",
        "AmountOnClient": 11.51933037984,
        "Extras": null
    }
}`;

const PAYMENT_ALSEKO = String.raw`{
    "RequestID": 11637001,
    "ResponseType": "Payment",
    "TransactinID": 115,
    "ResponseStatus": 1,
    "Message": "Транзакция создана",
    "TransactionContent": {
        "Service": 815,
        "account": "7898380",
        "Amount": 5610.18,
        "Currency": "KZT",
        "ExchangeRate": 1.0,
        "ServiceCurrency": "KZT",
        "AmountOnClient": 5610.18,
        "Extras": {
            "Services": "{ \"services\":[ { \"id\":13, \"amount\":\"5110.18\" }, { \"id\":12, \"amount\":\"500.00\" } ] }"
        }
    }
}`;

const STATUS = `{
    "RequestID": 11637004,
    "ResponseType": "Status",
    "TransactinID": 112,
    "ResponseStatus": 10,
    "Message": "Транзакция успешна",
    "TransactionContent": {
        "Service": 7,
        "account": "galek10",
        "Amount": 100.0,
        "Currency": "KZT",
        "ExchangeRate": 0.0021598272,
        "ServiceCurrency": "USD",
        "Extras": null
    }
}`;

const CHECK_BALANCE = `{
    "AgentID": 144,
    "ResponseType": "CheckBalance",
    "Balances": [
        {
            "Balance": 719190.223,
            "Overbalance": 0.0,
            "Currency": "KZT"
        }
    ]
}`;

const PAYMENTS_BY_DATE = `[
    {
        "TransactionId": 6527505296357515,
        "RequestId": 11636982,
        "AgentRequestCreatedOn": "2024-07-09T09:05:15",
        "Account": "7081982000",
        "Amount": 4714.0,
        "Currency": "KZT",
        "ServiceId": 48,
        "Service": "QIWI Wallet | KZT",
        "CreatedOn": "2024-07-09T12:05:36.2186685",
        "ProcessedOn": "2024-07-09T12:06:05.3824988",
        "StatusId": 10,
        "Status": "Транзакция успешна"
    }
]`;

const POST_PAYMENTS_BODY = `{
    "AgentId":1,
    "AgentPassword":"test",
    "Transactions": [
    {
        "TransactionId": 6527505296357515,
        "RequestId": 11636982,
        "AgentRequestCreatedOn": "2024-07-09T09:05:15",
        "Account": "7081982000",
        "Amount": 4714.25,
        "ServiceId": 48,
        "Year":2024,
        "Month":7
    },
    {
        "TransactionId": 6527505296357516,
        "RequestId": 11636983,
        "AgentRequestCreatedOn": "2024-07-09T09:05:20",
        "Account": "7081982000",
        "Amount": 5000.00,
        "ServiceId": 48,
        "Year":2024,
        "Month":7
    },
    {
        "TransactionId": 6527505296357517,
        "RequestId": 11636984,
        "AgentRequestCreatedOn": "2024-07-09T09:05:30",
        "Account": "7081982000",
        "Amount": 15000.89,
        "ServiceId": 48,
        "Year":2024,
        "Month":7
    }
]
}`;

const POST_PAYMENTS_ANSWER = `{
    "status": "success",
    "details":{
    "message":"Реестр успешно загружен"
}
}`;

const POST_PAYMENTS_ERROR = `{
    "status": "error",
    "details":{
    "message":"Неверный формат JSON"
}
}`;

const POST_TOTAL_AMOUNT_BODY = `{
    "AgentId":1,
    "AgentPassword":"test",
    "Date":"2025-03-01",
    "TotalAmount":500254.67,
    "TotalCount":250,
    "Services": [
    {        
        "ServiceId": 48,
        "Amount": 250000.00,
        "Count":100
    },
    {
        "ServiceId": 59,
        "Amount": 200000.00,
        "Count":100
    },
    {
        "ServiceId": 78,
        "Amount": 50000.67,
        "Count":50
    }
]
}`;

const POST_TOTAL_AMOUNT_ANSWER = `{
    "status": "success",
    "details":{
    "message":"Итоговая строка успешно загружена"
}
}`;

const POST_TOTAL_AMOUNT_ERROR = `{
    "status": "error",
    "details":{
    "message":"Неверный формат JSON"
}
}`;

const SETTING_SERVICES = `[
    {
        "Id": 7,
        "Name": "Steam",
        "TestAccount": "iamkackbip",
        "Rate": 0.0,
        "TopCommission": 0.0,
        "limits": [
            {
                "MinAmountKZT": 300.0,
                "MaxAmountKZT": 90000.0
            }
        ]
    }
]`;

const CALCULATED_SUM = `{
    "ResponseType": "CalculatedSum",
    "Amount": 4630.000029632,
    "Service": 7,
    "Currency": "KZT",
    "ExchangeRate": 0.0021598272,
    "ExpectedAmount": 10.0,
    "ExpectedCurrency": "USD"
}`;

const CALLBACK = `{
"RequestID": 7241376,
"ResponseType": "CallBack",
"TransactinID": 89539514,
"ResponseStatus": 10,
"Message": "Транзакция успешна"
}`;

describe('the spec samples against the simulator', () => {
  let simulator: Simulator;
  let client: RawClient;

  beforeAll(async () => {
    simulator = await startSimulator({ clock: { now: () => NOW }, seed: 'samples' });
    client = createRawClient(simulator.url);
  });
  afterAll(async () => {
    await client.close();
    await simulator.close();
  });

  const form = async (fields: Record<string, string>) => {
    const response = await client.form({ ...credentials, RequestDate: REQUEST_DATE, ...fields });
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/json; charset=utf-8');
    return response.text;
  };

  const check = { RequestType: 'AccountCheck', Amount: '100', Currency: 'KZT', TransactionID: '1100000' };

  it('AccountCheck (direct, service 7): shape, sign-flipped TransactinID (protocol §3.2), Service as a string', async () => {
    const text = await form({ ...check, Service: '7', Account: 'galek10' });
    const answer = json(text);
    expect(shapeOf(answer)).toEqual(shapeOf(json(ACCOUNT_CHECK)));
    expect(at(answer, 'TransactinID')).toBe('-1100000');
    expect(at(answer, 'ResponseStatus')).toBe('10');
    expect(at(answer, 'TransactionContent.Service')).toBe('7');
    expect(at(answer, 'TransactionContent.ExchangeRate')).toBe('0.0021598272');
    // 18 digits, above 2^53, written as a bare number (protocol §3.3).
    expect(text).toMatch(/"RequestID":\d{18},/);
    expect(BigInt(at(answer, 'RequestID') as string)).toBeGreaterThan(2n ** 53n);
  });

  it('AccountCheck Dynamic (1911): the ten offers of the sample, FieldValue JSON inside a string (protocol §3.6)', async () => {
    const answer = json(await form({ ...check, Service: '1911', Account: 'kkazbek.smeken@gmail.com' }));
    const sample = json(ACCOUNT_CHECK_DYNAMIC);
    expect(shapeOf(answer)).toEqual(shapeOf(sample));
    expect(at(answer, 'TransactinID')).toBe('1100000');
    expect(at(answer, 'TransactionContent.Extras')).toEqual(at(sample, 'TransactionContent.Extras'));
  });

  it('AccountCheck Static (1549): OrderAmount 5333.4471 as a string (protocol §3.7)', async () => {
    const answer = json(await form({ ...check, Service: '1549', Account: 'kkazbek.smeken@gmail.com' }));
    const sample = json(ACCOUNT_CHECK_STATIC);
    expect(shapeOf(answer)).toEqual(shapeOf(sample));
    expect(at(answer, 'TransactionContent.Extras')).toEqual(at(sample, 'TransactionContent.Extras'));
  });

  it('AccountCheck Алсеко (815): the invoice document byte for byte, pay-everything line included (protocol §3.9)', async () => {
    const answer = json(await form({ ...check, Service: '815', Account: '7898380' }));
    const sample = json(ACCOUNT_CHECK_ALSEKO);
    expect(shapeOf(answer)).toEqual(shapeOf(sample));
    expect(at(answer, 'TransactionContent.Extras')).toEqual(at(sample, 'TransactionContent.Extras'));
  });

  const pay = { RequestType: 'Payment', Currency: 'KZT' };

  it('Payment (direct): shape, Service as a number, AmountOnClient = Amount × ExchangeRate (protocol §3.4, §3.10)', async () => {
    const text = await form({
      ...pay,
      Service: '7',
      Amount: '100',
      TransactionID: '112',
      Account: 'galek10',
    });
    const answer = json(text);
    expect(shapeOf(answer)).toEqual(shapeOf(json(PAYMENT)));
    expect(text).toContain('"Service":7,');
    expect(text).toContain('"Amount":100.0,');
    expect(at(answer, 'TransactinID')).toBe('112');
    expect(at(answer, 'ResponseStatus')).toBe('10');
    expect(at(answer, 'TransactionContent.AmountOnClient')).toBe('0.21598272');
    expect(at(answer, 'TransactionContent.Extras')).toBeNull();
  });

  it('Payment Dynamic: Amount = OrderAmount rounded up, InvoiceId echoed in an Extras object (protocol §3.5, §3.8)', async () => {
    const answer = json(
      await form({
        ...pay,
        Service: '1911',
        Amount: '238345.45',
        TransactionID: '113',
        Account: 'kkazbek.smeken@gmail.com',
        InvoiceId: '4063',
      }),
    );
    expect(shapeOf(answer)).toEqual(shapeOf(json(PAYMENT_DYNAMIC)));
    expect(at(answer, 'TransactionContent.Extras')).toEqual({ InvoiceId: '4063' });
    expect(at(answer, 'TransactionContent.Amount')).toBe('238345.45');
  });

  it('Payment Static, as the sample sends it (Amount 100 under the price): the same shape, declined -201', async () => {
    const answer = json(
      await form({
        ...pay,
        Service: '1549',
        Amount: '100',
        TransactionID: '1100000',
        Account: 'kkazbek.smeken@gmail.com',
      }),
    );
    expect(shapeOf(answer)).toEqual(shapeOf(json(PAYMENT_STATIC)));
    expect(at(answer, 'ResponseStatus')).toBe('-201');
  });

  it('Payment Static with the price rounded up (5333.45): the sample values, AmountOnClient 11.51933037984', async () => {
    const answer = json(
      await form({
        ...pay,
        Service: '1549',
        Amount: '5333.45',
        TransactionID: '114',
        Account: 'kkazbek.smeken@gmail.com',
      }),
    );
    const sample = json(PAYMENT_STATIC);
    expect(shapeOf(answer)).toEqual(shapeOf(sample));
    expect(at(answer, 'TransactionContent.AmountOnClient')).toBe(
      at(sample, 'TransactionContent.AmountOnClient'),
    );
    expect(at(answer, 'TransactionContent.ExchangeRate')).toBe(at(sample, 'TransactionContent.ExchangeRate'));
  });

  it('Payment Алсеко: Services echoed verbatim as a string inside Extras', async () => {
    const services = '{ "services":[ { "id":13, "amount":"5110.18" }, { "id":12, "amount":"500.00" } ] }';
    const answer = json(
      await form({
        ...pay,
        Service: '815',
        Amount: '5610.18',
        TransactionID: '115',
        Account: '7898380',
        Services: services,
      }),
    );
    const sample = json(PAYMENT_ALSEKO);
    expect(shapeOf(answer)).toEqual(shapeOf(sample));
    expect(at(answer, 'TransactionContent.Extras')).toEqual(at(sample, 'TransactionContent.Extras'));
    expect(at(answer, 'ResponseStatus')).toBe('10');
  });

  it('Status of payment 112: the sample shape, no AmountOnClient', async () => {
    const answer = json(await form({ RequestType: 'Status', TransactionID: '112' }));
    expect(shapeOf(answer)).toEqual(shapeOf(json(STATUS)));
    expect(at(answer, 'ResponseStatus')).toBe('10');
    expect(at(answer, 'TransactionContent.account')).toBe('galek10');
  });

  it('CheckBalance: no ResponseStatus, a Balances array (protocol §3.11)', async () => {
    const answer = json(await form({ RequestType: 'CheckBalance' }));
    expect(shapeOf(answer)).toEqual(shapeOf(json(CHECK_BALANCE)));
    expect(at(answer, 'AgentID')).toBe(DEMO_AGENT_ID);
  });

  it('GetPaymentsByDate: a bare array of successful payments with 7-digit fractions (protocol §3.12)', async () => {
    const answer = parse(
      await form({
        RequestType: 'GetPaymentsByDate',
        From: '2024-07-09 00:00:00',
        To: '2024-07-10 00:00:00',
      }),
    ) as unknown[];
    const sample = parse(PAYMENTS_BY_DATE) as unknown[];
    expect(answer.length).toBeGreaterThan(0);
    for (const entry of answer) expect(shapeOf(entry)).toEqual(shapeOf(sample[0]));
    // 09:05:36.218Z is 12:05:36.218 in Moscow.
    expect(at(answer[0], 'CreatedOn')).toMatch(/^2024-07-09T12:05:36\.218\d{4}$/);
    expect(at(answer[0], 'AgentRequestCreatedOn')).toBe('2024-07-09T09:05:15');
    // Payment 1100000 was declined (-201): not listed.
    expect(answer.map((entry) => at(entry, 'TransactionId'))).toEqual(['112', '113', '114', '115']);
  });

  it('GetSettingServices: a bare array, lower-case limits (protocol §3.13)', async () => {
    const answer = parse(await form({ RequestType: 'GetSettingServices' })) as unknown[];
    const sample = parse(SETTING_SERVICES) as unknown[];
    for (const entry of answer) expect(shapeOf(entry)).toEqual(shapeOf(sample[0]));
    expect(answer.map((entry) => at(entry, 'Id'))).toEqual(['7', '1911', '1549', '815']);
  });

  it('CalculatedSum: the sample exactly — 10 USD cost 4630.000029632 KZT (protocol §3.14)', async () => {
    const answer = json(
      await form({
        RequestType: 'CalculatedSum',
        Service: '7',
        Amount: '10',
        Currency: 'KZT',
        Account: 'galek10',
      }),
    );
    expect(shapeOf(answer)).toEqual(shapeOf(json(CALCULATED_SUM)));
    expect(answer).toEqual(json(CALCULATED_SUM));
  });

  const withDemoCredentials = (body: string) =>
    body
      .replace('"AgentId":1', `"AgentId":${DEMO_AGENT_ID}`)
      .replace('"AgentPassword":"test"', `"AgentPassword":"${DEMO_PASSWORD}"`);

  it('PostPayments (Russian body, 16-digit TransactionIds): the documented success answer', async () => {
    const response = await client.json('/home/postpayments', withDemoCredentials(POST_PAYMENTS_BODY));
    expect(json(response.text)).toEqual(json(POST_PAYMENTS_ANSWER));
    const [registry] = simulator.ledger.registries();
    expect(registry?.transactions.map((entry) => entry.TransactionId)).toEqual([
      '6527505296357515',
      '6527505296357516',
      '6527505296357517',
    ]);
    expect(registry?.transactions[1]?.Amount).toBe('5000.00');
  });

  it('PostPayments with the sample credentials (not an agent here): the documented error shape', async () => {
    const response = await client.json('/home/postpayments', POST_PAYMENTS_BODY);
    expect(shapeOf(json(response.text))).toEqual(shapeOf(json(POST_PAYMENTS_ERROR)));
    expect(at(json(response.text), 'status')).toBe('error');
  });

  it('PostTotalAmount sample as printed: its lines sum to 500000.67, not 500254.67, so it is refused', async () => {
    // protocol §6 repeats the sample's arithmetic: 250000.00 + 200000.00 + 50000.67 is 500000.67.
    const response = await client.json('/home/posttotalamount', withDemoCredentials(POST_TOTAL_AMOUNT_BODY));
    expect(shapeOf(json(response.text))).toEqual(shapeOf(json(POST_TOTAL_AMOUNT_ERROR)));
    expect(at(json(response.text), 'details.message')).toBe(
      'TotalAmount 500254.67 не равен сумме по сервисам 500000.67',
    );
    expect(simulator.ledger.dailyTotals()).toEqual([]);
  });

  it('PostTotalAmount sample with a TotalAmount that adds up: the documented success answer', async () => {
    const corrected = withDemoCredentials(POST_TOTAL_AMOUNT_BODY).replace(
      '"TotalAmount":500254.67',
      '"TotalAmount":500000.67',
    );
    const response = await client.json('/home/posttotalamount', corrected);
    expect(json(response.text)).toEqual(json(POST_TOTAL_AMOUNT_ANSWER));
    expect(simulator.ledger.dailyTotals()[0]?.totals).toMatchObject({
      TotalAmount: '500000.67',
      TotalCount: '250',
    });
  });

  it('PostTotalAmount error answer has the documented shape', async () => {
    const broken = withDemoCredentials(POST_TOTAL_AMOUNT_BODY).replace(
      '"TotalCount":250',
      '"TotalCount":251',
    );
    const response = await client.json('/home/posttotalamount', broken);
    expect(shapeOf(json(response.text))).toEqual(shapeOf(json(POST_TOTAL_AMOUNT_ERROR)));
    expect(at(json(response.text), 'status')).toBe('error');
  });

  it('CallBack body: the sample exactly (TransactinID typo included, protocol §3.16)', () => {
    const body = callbackBody({ transactionId: '89539514', providerRequestId: '7241376', status: 10 });
    expect(json(body)).toEqual(json(CALLBACK));
  });

  it("the English half's Payment Static copy error (RequestType=AccountCheck, protocol §5) gets an AccountCheck answer", async () => {
    const answer = json(
      await form({
        ...check,
        Service: '1549',
        Account: 'kkazbek.smeken@gmail.com',
        TransactionID: '1100001',
      }),
    );
    expect(at(answer, 'ResponseType')).toBe('AccountCheck');
    expect(simulator.ledger.get('1100001')).toBeUndefined();
  });
});
