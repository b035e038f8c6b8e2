import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackNotice } from '@tolem/core';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVectrafinProvider, type VectrafinProvider } from './provider.js';

/**
 * Every operation of the README against the sandbox simulator, over real loopback HTTP: the client
 * and the simulator must agree on the whole protocol, quirks included.
 */

let simulator: Simulator;
let provider: VectrafinProvider;
let nextId = Date.now() * 100 + 50;
const transactionId = () => String(++nextId);

const notices: CallbackNotice[] = [];
const callbackServer = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    notices.push(provider.parseCallback(Buffer.concat(chunks)));
    response.writeHead(200).end('OK');
  });
});

beforeAll(async () => {
  callbackServer.listen(0, '127.0.0.1');
  await once(callbackServer, 'listening');
  const { port } = callbackServer.address() as AddressInfo;
  simulator = await startSimulator({
    seed: 'sandbox-test',
    callbackUrl: `http://127.0.0.1:${port}/callback`,
  });
  provider = createVectrafinProvider({
    id: 'vf-sandbox',
    baseUrl: simulator.url,
    agentId: DEMO_AGENT_ID,
    password: DEMO_PASSWORD,
    timeoutMs: 20_000,
  });
});

afterAll(async () => {
  await provider?.close();
  await simulator?.close();
  callbackServer.closeAllConnections();
  callbackServer.close();
});

describe('the four service kinds, check then pay', () => {
  it('direct top-up (Steam, 7)', async () => {
    const check = await provider.checkAccount({
      serviceId: '7',
      account: 'galek10',
      amount: '100',
      currency: 'KZT',
    });
    expect(check).toMatchObject({ state: 'succeeded', kind: 'direct', serviceCurrency: 'USD' });
    const id = transactionId();
    const paid = await provider.pay({
      serviceId: '7',
      account: 'galek10',
      amount: '100',
      currency: 'KZT',
      transactionId: id,
    });
    expect(paid).toMatchObject({ state: 'succeeded', final: true, transactionId: id });
    expect(simulator.ledger.creditCount(id)).toBe(1);
    const status = await provider.getStatus({
      transactionId: id,
      expected: { amount: '100.00', account: 'galek10' },
    });
    expect(status).toMatchObject({ state: 'succeeded', providerRequestId: paid.providerRequestId });
  });

  it('dynamic voucher (1911): pay an offer’s payAmount with its InvoiceId, code back with SendType=api', async () => {
    const account = 'kkazbek.smeken@gmail.com';
    const check = await provider.checkAccount({ serviceId: '1911', account, amount: '100', currency: 'KZT' });
    expect(check.kind).toBe('dynamic_voucher');
    const offer = check.offers?.find((candidate) => candidate.invoiceId === '2621');
    expect(offer).toEqual({ invoiceId: '2621', name: '60 UC', orderAmount: '471.9336', payAmount: '471.94' });
    const paid = await provider.pay({
      serviceId: '1911',
      account,
      amount: offer!.payAmount,
      currency: 'KZT',
      transactionId: transactionId(),
      invoiceId: offer!.invoiceId,
      sendType: 'api',
    });
    expect(paid.state).toBe('succeeded');
    expect(paid.voucherCode?.reveal()).toMatch(/\S{4,}/);
    expect(JSON.stringify(paid)).not.toContain(paid.voucherCode!.reveal());
  });

  it('static voucher (1549): OrderAmount rounded up is accepted', async () => {
    const account = 'kkazbek.smeken@gmail.com';
    const check = await provider.checkAccount({ serviceId: '1549', account, amount: '100', currency: 'KZT' });
    expect(check).toMatchObject({ kind: 'static_voucher', orderAmount: '5333.4471', payAmount: '5333.45' });
    const paid = await provider.pay({
      serviceId: '1549',
      account,
      amount: check.payAmount!,
      currency: 'KZT',
      transactionId: transactionId(),
    });
    expect(paid.state).toBe('succeeded');
  });

  it('Alseko invoice (815): pay two lines, or everything through line 999', async () => {
    const check = await provider.checkAccount({
      serviceId: '815',
      account: '7898380',
      amount: '100',
      currency: 'KZT',
    });
    expect(check.kind).toBe('invoice');
    expect(check.invoice?.invoiceId).toBe('240710296539');
    const payAll = check.invoice?.lines.find((line) => line.payAll);
    expect(payAll).toMatchObject({ serviceId: '999', fixSum: '27794.22' });
    const two = await provider.pay({
      serviceId: '815',
      account: '7898380',
      amount: '5610.18',
      currency: 'KZT',
      transactionId: transactionId(),
      services: [
        { serviceId: '13', amount: '5110.18' },
        { serviceId: '12', amount: '500.00' },
      ],
    });
    expect(two.state).toBe('succeeded');
    const everything = await provider.pay({
      serviceId: '815',
      account: '7898380',
      amount: payAll!.fixSum,
      currency: 'KZT',
      transactionId: transactionId(),
      services: [{ serviceId: '999', amount: payAll!.fixSum }],
    });
    expect(everything.state).toBe('succeeded');
  });
});

describe('outcomes', () => {
  it('a decline is final; resending returns the same outcome and never pays twice', async () => {
    const request = {
      serviceId: '7',
      account: 'galek10',
      amount: '150.00',
      currency: 'KZT',
      transactionId: transactionId(),
    };
    const first = await provider.pay(request);
    const again = await provider.pay(request);
    expect(again).toMatchObject({ state: first.state, providerRequestId: first.providerRequestId });
    expect(simulator.ledger.creditCount(request.transactionId)).toBe(1);
    const declined = await provider.pay({
      ...request,
      account: 'no-such-user',
      transactionId: transactionId(),
    });
    expect(declined).toMatchObject({
      state: 'failed',
      final: true,
      reason: 'account_not_found',
      providerStatus: '-105',
    });
  });

  it('Status of an unknown transaction is unknown/not_found', async () => {
    expect(await provider.getStatus({ transactionId: transactionId() })).toMatchObject({
      state: 'unknown',
      reason: 'not_found',
      providerStatus: '-4',
    });
  });

  it('a wrong password is unknown/auth_failed, and the password shows nowhere', async () => {
    const wrong = createVectrafinProvider({
      id: 'vf-wrong',
      baseUrl: simulator.url,
      agentId: DEMO_AGENT_ID,
      password: 'not-the-password',
    });
    const result = await wrong.getBalance();
    await wrong.close();
    expect(result).toMatchObject({ state: 'unknown', reason: 'auth_failed' });
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it.each<[string, Parameters<Simulator['faults']['add']>[0]['fault'], string, string]>([
    ['empty page', { kind: 'empty' }, 'unknown', 'empty_response'],
    ['HTML page', { kind: 'html' }, 'unknown', 'malformed_response'],
    ['HTTP 502', { kind: 'http-error', httpStatus: 502 }, 'unknown', 'http_error'],
    ['cut JSON', { kind: 'malformed-json' }, 'unknown', 'malformed_response'],
    ['windows-1251', { kind: 'cp1251' }, 'unknown', 'malformed_response'],
    [
      'windows-1251 labelled UTF-8',
      { kind: 'cp1251', declaredCharset: 'utf-8' },
      'unknown',
      'malformed_response',
    ],
    ['dropped after processing', { kind: 'drop-after' }, 'unknown', 'connection_lost'],
    ['status -503', { kind: 'status', code: -503 }, 'unknown', 'provider_storage_error'],
    ['ResponseStatus as a string', { kind: 'status-as-string' }, 'succeeded', ''],
  ])('fault: %s → %s %s', async (_label, fault, state, reason) => {
    const id = transactionId();
    const handle = simulator.faults.add({ requestType: 'Payment', transactionId: id, fault });
    const result = await provider.pay({
      serviceId: '7',
      account: 'galek10',
      amount: '100',
      currency: 'KZT',
      transactionId: id,
    });
    handle.remove();
    expect(result).toMatchObject({ state, reason: reason || null });
    // Status tells the truth afterwards: the faults above still processed the payment.
    if (fault.kind !== 'status')
      expect((await provider.getStatus({ transactionId: id })).state).toBe('succeeded');
  });

  it('a timeout is unknown, and the payment can be confirmed later', async () => {
    const id = transactionId();
    const handle = simulator.faults.add({
      requestType: 'Payment',
      transactionId: id,
      fault: { kind: 'delay', ms: 5_000 },
    });
    const result = await provider.pay(
      { serviceId: '7', account: 'galek10', amount: '100', currency: 'KZT', transactionId: id },
      { timeoutMs: 300 },
    );
    handle.remove();
    expect(result).toMatchObject({ state: 'unknown', reason: 'timeout' });
    // The sandbox processed it before stalling: Status finds it, as the finalizer would.
    expect((await provider.getStatus({ transactionId: id })).state).toBe('succeeded');
  });
});

describe('the other operations', () => {
  it('balance, services, quote', async () => {
    const balance = await provider.getBalance();
    expect(balance.state).toBe('succeeded');
    expect(balance.balances[0]).toMatchObject({ currency: 'KZT' });
    const services = await provider.listServices();
    expect(services.services.map((service) => service.id)).toEqual(
      expect.arrayContaining(['7', '1911', '1549', '815']),
    );
    const quote = await provider.quote({ serviceId: '7', account: 'galek10', amount: '10', currency: 'KZT' });
    expect(quote).toMatchObject({ state: 'succeeded', expectedCurrency: 'USD' });
    expect(quote.payAmount).toMatch(/^\d+\.\d{2}$/);
  });

  it('payments of the day include the ones just made', async () => {
    const id = transactionId();
    await provider.pay({
      serviceId: '7',
      account: 'galek10',
      amount: '120',
      currency: 'KZT',
      transactionId: id,
    });
    const list = await provider.listPayments({
      from: new Date(Date.now() - 3_600_000),
      to: new Date(Date.now() + 3_600_000),
    });
    expect(list.state).toBe('succeeded');
    expect(list.payments.find((p) => p.transactionId === id)).toMatchObject({
      amount: expect.stringMatching(/^120/),
    });
  });

  it('registry in chunks and daily totals', async () => {
    const entries = Array.from({ length: 1001 }, (_, index) => ({
      transactionId: String(900_000 + index),
      providerRequestId: String(11_636_982 + index),
      agentCreatedAt: '2024-07-09 09:05:15',
      account: '7081982000',
      amount: '10.00',
      serviceId: '48',
      year: 2024,
      month: 7,
    }));
    const registry = await provider.submitRegistry(entries);
    expect(registry.chunks.map((chunk) => [chunk.size, chunk.status])).toEqual([
      [1000, 'success'],
      [1, 'success'],
    ]);
    const totals = await provider.submitDailyTotals({
      date: '2025-03-01',
      totalAmount: '500000.67',
      totalCount: 250,
      services: [
        { serviceId: '48', amount: '250000.00', count: 100 },
        { serviceId: '59', amount: '200000.00', count: 100 },
        { serviceId: '78', amount: '50000.67', count: 50 },
      ],
    });
    expect(totals.accepted).toBe(true);
  });

  it('callbacks arrive and parse as hints for the payments made', async () => {
    for (let i = 0; i < 200 && notices.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]).toMatchObject({ state: expect.stringMatching(/succeeded|failed/), final: true });
    expect(notices[0]?.transactionId).toMatch(/^\d+$/);
  });
});
