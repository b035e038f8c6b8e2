import { ConfigError } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from './index.js';
import { createRawClient, type RawClient } from './raw-client.js';

/** Every fault kind through real HTTP, and what the ledger says really happened. */

function field(text: string, name: string): string | undefined {
  const value = (parse(text) as Record<string, unknown>)[name];
  return isLosslessNumber(value) ? value.value : (value as string | undefined);
}

const credentials = { AgentID: DEMO_AGENT_ID, AgentPassword: DEMO_PASSWORD };
const payment = (transactionId: string, account = 'galek10') => ({
  ...credentials,
  RequestType: 'Payment',
  Service: '7',
  Account: account,
  Amount: '100.00',
  Currency: 'KZT',
  TransactionID: transactionId,
});

describe('fault injection', () => {
  let simulator: Simulator;
  let client: RawClient;

  beforeEach(async () => {
    simulator = await startSimulator({ seed: 'faults' });
    client = createRawClient(simulator.url);
  });
  afterEach(async () => {
    await client.close();
    await simulator.close();
  });

  const statusOf = async (transactionId: string) =>
    field(
      (await client.form({ ...credentials, RequestType: 'Status', TransactionID: transactionId })).text,
      'ResponseStatus',
    );

  it('drop-before: the connection closes, nothing is recorded, the request is counted', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'drop-before' } });
    await expect(client.form(payment('11'))).rejects.toThrow();
    expect(simulator.ledger.get('11')).toBeUndefined();
    expect(simulator.ledger.requestCount('Payment')).toBe(1);
    expect(simulator.ledger.requests()[0]?.fault).toBe('drop-before');
    expect(await statusOf('11')).toBe('-4');
  });

  it('drop-after: the agent hears nothing, yet the payment is credited; a resend returns it and never pays twice', async () => {
    simulator.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } });
    await expect(client.form(payment('12'))).rejects.toThrow();
    expect(simulator.ledger.creditCount('12')).toBe(1);
    expect(await statusOf('12')).toBe('10');
    const resent = await client.form(payment('12'));
    expect(field(resent.text, 'RequestID')).toBe(simulator.ledger.get('12')?.providerRequestId);
    expect(simulator.ledger.creditCount('12')).toBe(1);
    expect(simulator.ledger.balance(DEMO_AGENT_ID, 'KZT')).toBe('9999900');
  });

  it('delay past 60 s: a short client timeout gives up, the payment went through anyway, close() does not wait', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 120_000 } });
    await expect(client.form(payment('13'), { timeoutMs: 200 })).rejects.toThrow();
    expect(simulator.ledger.creditCount('13')).toBe(1);
  });

  it('delay with process: false: an agent that gave up leaves no payment behind', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 1500, process: false } });
    await expect(client.form(payment('14'), { timeoutMs: 100 })).rejects.toThrow();
    // The delayed request is dropped once its wait ends; Status queues behind nothing.
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(simulator.ledger.get('14')).toBeUndefined();
  });

  it('delay with process: false answers normally once the wait is over', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'delay', ms: 50, process: false } });
    const response = await client.form(payment('15'));
    expect(field(response.text, 'ResponseStatus')).toBe('10');
  });

  it('empty: HTTP 200 with no body, the payment processed', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'empty' } });
    const response = await client.form(payment('16'));
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(simulator.ledger.creditCount('16')).toBe(1);
  });

  it('html: an HTML error page with HTTP 200 (or the status asked for)', async () => {
    simulator.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'html' } });
    simulator.faults.add({
      requestType: 'Payment',
      times: 1,
      fault: { kind: 'html', httpStatus: 503, process: false },
    });
    const page = await client.form(payment('17'));
    expect(page.status).toBe(200);
    expect(page.contentType).toContain('text/html');
    expect(page.text).toMatch(/^<!DOCTYPE html>/);
    expect(simulator.ledger.creditCount('17')).toBe(1);
    const unavailable = await client.form(payment('18'));
    expect(unavailable.status).toBe(503);
    expect(simulator.ledger.get('18')).toBeUndefined();
  });

  it.each([500, 502])(
    'http-error %i: that status with an error page; processed unless process is false',
    async (httpStatus) => {
      simulator.faults.add({
        requestType: 'Payment',
        transactionId: '19',
        fault: { kind: 'http-error', httpStatus },
      });
      simulator.faults.add({
        requestType: 'Payment',
        transactionId: '20',
        fault: { kind: 'http-error', httpStatus, body: 'Bad Gateway', process: false },
      });
      const processed = await client.form(payment('19'));
      expect(processed.status).toBe(httpStatus);
      expect(processed.text).toContain(String(httpStatus));
      expect(simulator.ledger.creditCount('19')).toBe(1);
      const refused = await client.form(payment('20'));
      expect(refused.status).toBe(httpStatus);
      expect(refused.text).toBe('Bad Gateway');
      expect(simulator.ledger.get('20')).toBeUndefined();
    },
  );

  it('malformed-json: the real answer cut in half', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'malformed-json' } });
    const response = await client.form(payment('21'));
    expect(response.text.startsWith('{"RequestID":')).toBe(true);
    expect(() => JSON.parse(response.text)).toThrow(SyntaxError);
    expect(simulator.ledger.creditCount('21')).toBe(1);
  });

  it('cp1251: the real answer encoded as windows-1251, the header naming that charset', async () => {
    simulator.faults.add({ requestType: 'Payment', fault: { kind: 'cp1251' } });
    const response = await client.form(payment('22'));
    expect(response.contentType).toBe('application/json; charset=windows-1251');
    expect(response.text).not.toContain('Транзакция');
    const decoded = new TextDecoder('windows-1251').decode(response.body);
    expect(field(decoded, 'Message')).toBe('Транзакция успешна');
  });

  it('cp1251 under a utf-8 header: what a misconfigured server sends', async () => {
    simulator.faults.add({
      requestType: 'Status',
      fault: { kind: 'cp1251', declaredCharset: 'utf-8', process: false },
    });
    const response = await client.form({ ...credentials, RequestType: 'Status', TransactionID: '23' });
    expect(response.contentType).toBe('application/json; charset=utf-8');
    expect(response.text).toContain('\uFFFD');
    expect(field(new TextDecoder('windows-1251').decode(response.body), 'Message')).toBe('Ошибка запроса');
  });

  it('status-as-string: ResponseStatus written as "10" (protocol §3.17); answers without one are untouched', async () => {
    simulator.faults.add({ fault: { kind: 'status-as-string' } });
    const response = await client.form(payment('24'));
    expect(response.text).toContain('"ResponseStatus":"10",');
    const balance = await client.form({ ...credentials, RequestType: 'CheckBalance' });
    expect(balance.text).not.toContain('ResponseStatus');
  });

  it('status: a chosen code instead of processing, or over the real status with process: true', async () => {
    simulator.faults.add({
      requestType: 'Payment',
      transactionId: '25',
      fault: { kind: 'status', code: -503 },
    });
    simulator.faults.add({
      requestType: 'Payment',
      transactionId: '26',
      fault: { kind: 'status', code: 3, process: true },
    });
    const refused = await client.form(payment('25'));
    expect(field(refused.text, 'ResponseStatus')).toBe('-503');
    expect(field(refused.text, 'Message')).toBe('Ошибка при записи платежа в БД');
    expect(simulator.ledger.get('25')).toBeUndefined();
    const masked = await client.form(payment('26'));
    expect(field(masked.text, 'ResponseStatus')).toBe('3');
    expect(simulator.ledger.get('26')?.status).toBe(10);
  });

  it('times: a rule applies N times, then the simulator answers normally', async () => {
    const rule = simulator.faults.add({
      requestType: 'Status',
      times: 2,
      fault: { kind: 'status', code: -500 },
    });
    expect(await statusOf('1')).toBe('-500');
    expect(await statusOf('1')).toBe('-500');
    expect(await statusOf('1')).toBe('-4');
    expect(rule.hits()).toBe(2);
    expect(simulator.faults.list()).toEqual([]);
  });

  it('targets one TransactionID, one account, one RequestType', async () => {
    simulator.faults.add({ transactionId: '31', fault: { kind: 'status', code: -500 } });
    simulator.faults.add({ account: 'iamkackbip', fault: { kind: 'status', code: -501 } });
    expect(field((await client.form(payment('31'))).text, 'ResponseStatus')).toBe('-500');
    expect(field((await client.form(payment('32'))).text, 'ResponseStatus')).toBe('10');
    expect(field((await client.form(payment('33', 'iamkackbip'))).text, 'ResponseStatus')).toBe('-501');
    expect(await statusOf('32')).toBe('10');
  });

  it('remove() and clear() stop rules', async () => {
    const rule = simulator.faults.add({ requestType: 'Status', fault: { kind: 'status', code: -500 } });
    expect(await statusOf('1')).toBe('-500');
    rule.remove();
    expect(await statusOf('1')).toBe('-4');
    simulator.faults.add({ requestType: 'Status', fault: { kind: 'status', code: -500 } });
    simulator.faults.clear();
    expect(await statusOf('1')).toBe('-4');
  });

  it('the JSON endpoints take faults too', async () => {
    simulator.faults.add({ requestType: 'PostPayments', times: 1, fault: { kind: 'drop-before' } });
    simulator.faults.add({ requestType: 'PostTotalAmount', fault: { kind: 'status', code: -500 } });
    await expect(client.json('/home/postpayments', '{}')).rejects.toThrow();
    const totals = await client.json('/home/posttotalamount', '{}');
    expect(totals.text).toBe('{"status":"error","details":{"message":"Ошибка запроса"}}');
  });

  it('refuses a malformed rule with a ConfigError naming the field', () => {
    expect(() => simulator.faults.add({ probability: 2, fault: { kind: 'empty' } })).toThrow(
      /fault\.probability/,
    );
    expect(() => simulator.faults.add({ fault: { kind: 'http-error', httpStatus: 200 } })).toThrow(
      ConfigError,
    );
  });
});

describe('fault probability', () => {
  async function faultedRequests(seed: string): Promise<number[]> {
    const simulator = await startSimulator({ seed });
    const client = createRawClient(simulator.url);
    try {
      simulator.faults.add({
        requestType: 'CheckBalance',
        probability: 0.3,
        fault: { kind: 'status', code: -500 },
      });
      const hit: number[] = [];
      for (let index = 0; index < 60; index++) {
        const response = await client.form({ ...credentials, RequestType: 'CheckBalance' });
        if (response.text.includes('"ResponseStatus":-500')) hit.push(index);
      }
      return hit;
    } finally {
      await client.close();
      await simulator.close();
    }
  }

  it('hits a seeded share of requests, the same ones for the same seed', async () => {
    const first = await faultedRequests('probability');
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(40);
    expect(await faultedRequests('probability')).toEqual(first);
    expect(await faultedRequests('another seed')).not.toEqual(first);
  });
});

describe('the faults option', () => {
  it('puts its rules in place before the first request, in order, as faults.add would', async () => {
    const simulator = await startSimulator({
      seed: 'option',
      faults: [
        { requestType: 'Payment', times: 1, fault: { kind: 'drop-after' } },
        { requestType: 'CheckBalance', fault: { kind: 'status', code: -503 } },
      ],
    });
    const client = createRawClient(simulator.url);
    try {
      expect(simulator.faults.list()).toHaveLength(2);
      await expect(client.form(payment('31'))).rejects.toThrow();
      expect(simulator.ledger.creditCount('31')).toBe(1);
      const balance = await client.form({ ...credentials, RequestType: 'CheckBalance' });
      expect(field(balance.text, 'ResponseStatus')).toBe('-503');
      // The drop-after rule was used up: the resend is answered.
      expect(field((await client.form(payment('31'))).text, 'ResponseStatus')).toBe('10');
    } finally {
      await client.close();
      await simulator.close();
    }
  });

  it('is checked with the other options: a bad rule is a ConfigError naming it, and nothing starts', async () => {
    const bad = { requestType: 'Paymnt', fault: { kind: 'drop-after' } } as never;
    await expect(startSimulator({ faults: [bad] })).rejects.toSatisfy(
      (error) => ConfigError.is(error) && error.option === 'faults.0.requestType',
    );
  });
});
