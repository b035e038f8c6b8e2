import { isLosslessNumber, parse } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD } from './options.js';
import { createRawClient, type RawClient } from './raw-client.js';
import { type Simulator, startSimulator } from './server.js';

/** Field-by-field behaviour of /home/index: auth, request errors, the test accounts, amounts. */

type Answer = Record<string, unknown>;

function field(answer: unknown, path: string): unknown {
  let value = answer;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | null)?.[part];
  return isLosslessNumber(value) ? value.value : value;
}

describe('the form endpoint', () => {
  let simulator: Simulator;
  let client: RawClient;
  let nextId = 5000;
  const freshId = () => String(nextId++);

  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'protocol' });
    client = createRawClient(simulator.url);
  });
  afterAll(async () => {
    await client.close();
    await simulator.close();
  });

  const call = async (fields: Record<string, string>, password = DEMO_PASSWORD): Promise<Answer> => {
    const response = await client.form({ AgentID: DEMO_AGENT_ID, AgentPassword: password, ...fields });
    expect(response.status).toBe(200);
    return parse(response.text) as Answer;
  };
  const check = (service: string, account: string, amount = '100.00') =>
    call({
      RequestType: 'AccountCheck',
      Service: service,
      Account: account,
      Amount: amount,
      Currency: 'KZT',
      TransactionID: freshId(),
    });
  const pay = (service: string, account: string, amount: string, extra: Record<string, string> = {}) =>
    call({
      RequestType: 'Payment',
      Service: service,
      Account: account,
      Amount: amount,
      Currency: 'KZT',
      TransactionID: freshId(),
      ...extra,
    });

  describe('authentication (-1)', () => {
    const requests: Record<string, string>[] = [
      {
        RequestType: 'AccountCheck',
        Service: '7',
        Account: 'galek10',
        Amount: '100.00',
        Currency: 'KZT',
        TransactionID: '77',
      },
      {
        RequestType: 'Payment',
        Service: '7',
        Account: 'galek10',
        Amount: '100.00',
        Currency: 'KZT',
        TransactionID: '78',
      },
      { RequestType: 'Status', TransactionID: '78' },
      { RequestType: 'CheckBalance' },
      { RequestType: 'GetPaymentsByDate', From: '2024-07-09 00:00:00', To: '2024-07-10 00:00:00' },
      { RequestType: 'GetSettingServices' },
      { RequestType: 'CalculatedSum', Service: '7', Amount: '10', Currency: 'KZT', Account: 'galek10' },
    ];
    it.each(requests)('$RequestType with a wrong password answers -1 and changes nothing', async (fields) => {
      const balance = simulator.ledger.balance(DEMO_AGENT_ID, 'KZT');
      const answer = await call(fields, 'wrong-password');
      expect(field(answer, 'ResponseStatus')).toBe('-1');
      expect(field(answer, 'Message')).toBe('Ошибка авторизации');
      expect(field(answer, 'ResponseType')).toBe(fields.RequestType);
      expect(simulator.ledger.get('78')).toBeUndefined();
      expect(simulator.ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe(balance);
    });

    it('an unknown agent, a non-numeric AgentID or a missing password answer -1', async () => {
      const attempts: Record<string, string>[] = [
        { AgentID: '999', AgentPassword: DEMO_PASSWORD },
        { AgentID: 'abc', AgentPassword: DEMO_PASSWORD },
        { AgentID: DEMO_AGENT_ID },
      ];
      for (const fields of attempts) {
        const response = await client.form({ RequestType: 'CheckBalance', ...fields });
        expect(field(parse(response.text), 'ResponseStatus')).toBe('-1');
      }
    });

    it('the password never reaches the request log', async () => {
      await call({ RequestType: 'CheckBalance' });
      await call({ RequestType: 'CheckBalance' }, 'another-secret');
      const log = JSON.stringify(simulator.ledger.requests());
      expect(log).not.toContain(DEMO_PASSWORD);
      expect(log).not.toContain('another-secret');
    });
  });

  describe('request errors record nothing', () => {
    it('an unknown RequestType answers -500 in the usual envelope', async () => {
      const answer = await call({ RequestType: 'Refund', TransactionID: '42' });
      expect(field(answer, 'ResponseStatus')).toBe('-500');
      expect(field(answer, 'TransactinID')).toBe('42');
      expect(field(answer, 'TransactionContent')).toBeNull();
    });

    it.each([
      ['an unknown service', { Service: '31337' }, '-501'],
      ['a currency the service has no rate for', { Currency: 'RUB' }, '-502'],
      ['an Object.prototype name as currency', { Currency: 'constructor' }, '-502'],
      ['an amount with three decimals', { Amount: '100.001' }, '-500'],
      ['an amount in exponent form', { Amount: '1e3' }, '-500'],
      ['a negative amount', { Amount: '-5.00' }, '-500'],
      ['a TransactionID of 16 digits', { TransactionID: '1234567890123456' }, '-500'],
      ['a TransactionID that is not a number', { TransactionID: '12a' }, '-500'],
    ] as [string, Record<string, string>, string][])(
      'Payment with %s answers %s, and Status still says -4',
      async (_label, override, code) => {
        const transactionId = freshId();
        const answer = await call({
          RequestType: 'Payment',
          Service: '7',
          Account: 'galek10',
          Amount: '100.00',
          Currency: 'KZT',
          TransactionID: transactionId,
          ...override,
        });
        expect(field(answer, 'ResponseStatus')).toBe(code);
        expect(simulator.ledger.get(override.TransactionID ?? transactionId)).toBeUndefined();
        const status = await call({ RequestType: 'Status', TransactionID: transactionId });
        expect(field(status, 'ResponseStatus')).toBe('-4');
        expect(field(status, 'Message')).toBe('Транзакция не найдена');
      },
    );

    it('field names are matched without regard to case, as ASP.NET binds them', async () => {
      const transactionId = freshId();
      const answer = await call({
        requesttype: 'Payment',
        service: '7',
        account: 'galek10',
        amount: '150.00',
        currency: 'KZT',
        TransactionId: transactionId,
      });
      expect(field(answer, 'ResponseStatus')).toBe('10');
      expect(simulator.ledger.get(transactionId)?.amount).toBe('150');
    });
  });

  describe('the test accounts (README.md)', () => {
    const table: [service: string, account: string, code: string][] = [
      ['7', 'galek10', '10'],
      ['7', 'iamkackbip', '10'],
      ['7', 'any.login_42', '10'],
      ['7', 'bad account!', '-100'],
      ['7', 'no-such-user', '-105'],
      ['7', 'forbidden-user', '-110'],
      ['7', 'anonymous-wallet', '-111'],
      ['7', 'technical-failure', '-115'],
      ['7', 'inactive-user', '-120'],
      ['7', 'operator-error', '-300'],
      ['7', 'constructor', '10'],
      ['1911', 'kkazbek.smeken@gmail.com', '10'],
      ['1911', 'not-an-email', '-100'],
      ['1911', 'no-such-user@example.com', '-105'],
      ['1911', 'inactive-user@example.com', '-120'],
      ['1549', 'someone@example.org', '10'],
      ['1549', 'no-such-user@example.com', '-105'],
      ['815', '7898380', '10'],
      ['815', '78983A0', '-100'],
      ['815', '1234567', '-105'],
      ['815', '1111111', '-120'],
      ['815', '2222222', '-203'],
      ['815', '__proto__', '-100'],
    ];

    it.each(table)('AccountCheck %s / %s answers %s', async (service, account, code) => {
      const answer = await check(service, account);
      expect(field(answer, 'ResponseStatus')).toBe(code);
      expect(field(answer, 'TransactionContent.account')).toBe(account);
    });

    it.each(table.filter(([, , code]) => code !== '10'))(
      'Payment %s / %s is declined for good with %s: recorded, Status repeats it, no money moves',
      async (service, account, code) => {
        const balance = simulator.ledger.balance(DEMO_AGENT_ID, 'KZT');
        const answer = await pay(service, account, '5333.45', {
          InvoiceId: '4063',
          Services: '{"services":[{"id":13,"amount":"5333.45"}]}',
        });
        expect(field(answer, 'ResponseStatus')).toBe(code);
        const transactionId = field(answer, 'TransactinID') as string;
        const status = await call({ RequestType: 'Status', TransactionID: transactionId });
        expect(field(status, 'ResponseStatus')).toBe(code);
        expect(simulator.ledger.creditCount(transactionId)).toBe(0);
        expect(simulator.ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe(balance);
      },
    );
  });

  describe('amounts', () => {
    it.each([
      ['99.99', '-201'],
      ['100', '10'],
      ['90000.00', '10'],
      ['90000.01', '-202'],
      ['0.00', '-200'],
    ])('Steam (limits 100–90000 KZT): %s answers %s', async (amount, code) => {
      expect(field(await pay('7', 'galek10', amount), 'ResponseStatus')).toBe(code);
    });

    it('AccountCheck applies the same limits', async () => {
      expect(field(await check('7', 'galek10', '99.99'), 'ResponseStatus')).toBe('-201');
      expect(field(await check('7', 'galek10', '90000.01'), 'ResponseStatus')).toBe('-202');
    });

    it.each([
      ['238345.44', '4063', '-201'],
      ['238345.46', '4063', '-202'],
      ['238345.45', '9999', '-203'],
      ['238345.45', '', '-203'],
      ['471.94', '2621', '10'],
    ])(
      'dynamic voucher: Amount %s with InvoiceId %s answers %s (protocol §3.8)',
      async (amount, invoiceId, code) => {
        const answer = await pay(
          '1911',
          'kkazbek.smeken@gmail.com',
          amount,
          invoiceId ? { InvoiceId: invoiceId } : {},
        );
        expect(field(answer, 'ResponseStatus')).toBe(code);
      },
    );

    it('static voucher: the price rounded down (5333.44) fails, rounded up (5333.45) succeeds', async () => {
      expect(field(await pay('1549', 'kkazbek.smeken@gmail.com', '5333.44'), 'ResponseStatus')).toBe('-201');
      expect(field(await pay('1549', 'kkazbek.smeken@gmail.com', '5333.45'), 'ResponseStatus')).toBe('10');
    });

    it.each([
      [
        'lines that add up',
        '{"services":[{"id":13,"amount":"5110.18"},{"id":12,"amount":"500.00"}]}',
        '5610.18',
        '10',
      ],
      ['the pay-everything line', '{"services":[{"id":999,"amount":"27794.22"}]}', '27794.22', '10'],
      ['numeric amounts', '{"services":[{"id":13,"amount":5110.18}]}', '5110.18', '10'],
      ['lines that do not add up', '{"services":[{"id":13,"amount":"5110.18"}]}', '5610.18', '-203'],
      ['a line not on the invoice', '{"services":[{"id":77,"amount":"100.00"}]}', '100.00', '-203'],
      ['no lines', '{"services":[]}', '100.00', '-203'],
      ['broken JSON', '{"services":[', '100.00', '-203'],
    ])('Alseko with %s answers %s', async (_label, services, amount, code) => {
      expect(field(await pay('815', '7898380', amount, { Services: services }), 'ResponseStatus')).toBe(code);
    });

    it('Alseko without Services answers -203', async () => {
      expect(field(await pay('815', '7898380', '100.00'), 'ResponseStatus')).toBe('-203');
    });
  });

  describe('voucher codes (SendType=api)', () => {
    it('come back in Extras.Code of Payment and Status only when asked, and stay a Secret in the ledger', async () => {
      const asked = await pay('1911', 'kkazbek.smeken@gmail.com', '471.94', {
        InvoiceId: '2621',
        SendType: 'api',
      });
      const code = field(asked, 'TransactionContent.Extras.Code') as string;
      expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      expect(field(asked, 'TransactionContent.Extras.InvoiceId')).toBe('2621');
      const transactionId = field(asked, 'TransactinID') as string;
      const status = await call({ RequestType: 'Status', TransactionID: transactionId });
      expect(field(status, 'TransactionContent.Extras.Code')).toBe(code);

      const payment = simulator.ledger.get(transactionId);
      expect(payment?.voucherCode?.reveal()).toBe(code);
      expect(JSON.stringify(payment)).not.toContain(code);

      const silent = await pay('1549', 'kkazbek.smeken@gmail.com', '5333.45');
      expect(field(silent, 'TransactionContent.Extras')).toBeNull();
      expect(simulator.ledger.get(field(silent, 'TransactinID') as string)?.voucherCode).not.toBeNull();
    });
  });

  describe('HTTP', () => {
    it('answers 404 for an unknown path and 405 for GET, as HTML', async () => {
      const missing = await client.json('/home/refund', '{}');
      expect(missing.status).toBe(404);
      const response = await fetch(`${simulator.url}/home/index`);
      expect(response.status).toBe(405);
      expect(response.headers.get('content-type')).toContain('text/html');
      await response.arrayBuffer();
    });

    it('matches paths without regard to case', async () => {
      const response = await fetch(`${simulator.url}/Home/Index`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          AgentID: DEMO_AGENT_ID,
          AgentPassword: DEMO_PASSWORD,
          RequestType: 'CheckBalance',
        }),
      });
      expect(field(parse(await response.text()), 'ResponseType')).toBe('CheckBalance');
    });
  });
});
