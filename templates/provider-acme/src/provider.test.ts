import { inspect } from 'node:util';
import { ConfigError, type PaymentRequest, ValidationError } from '@tolem/core';
import { runProviderConformance } from '@tolem/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AcmeServer, startAcmeServer, VOUCHER_PRICE, VOUCHER_SERVICE } from '../test/acme-server.js';
import { createAcmeProvider } from './provider.js';

let server: AcmeServer;
beforeAll(async () => {
  server = await startAcmeServer();
});
afterAll(() => server.close());

let nextTransactionId = 1_000_000;
const transactionId = () => String(nextTransactionId++);
const payment = (account: string) => ({
  serviceId: 'steam',
  account,
  amount: '100.00',
  currency: 'KZT' as const,
});
const acme = (options: { apiKey?: string; baseUrl?: string } = {}) =>
  createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: server.apiKey, ...options });

runProviderConformance({
  name: 'acme',
  createProvider: () => acme(),
  requestsSeen: () => server.requests(),
  secrets: ['acme-live-key-0f3c9'],
  scenarios: {
    succeeded: () => payment('ok-galek10'),
    declined: () => payment('missing'), // a final decline
    declineReason: 'account_not_found',
    unknown: () => payment('reset'), // the connection drops after the request arrived
    pending: () => payment('slow'),
    hanging: () => payment('hang'), // never answered: an abort mid-flight must give unknown
    accountCheck: () => payment('ok-galek10'),
    paymentListRange: () => ({ from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) }),
    transactionId,
  },
});

describe('acme specifics', () => {
  it('keeps provider request ids above 2^53 exact', async () => {
    const provider = acme();
    const result = await provider.pay({ ...payment('ok-1'), transactionId: transactionId() });
    await provider.close();
    expect(result.providerRequestId).toMatch(/^9007199254740\d{5}$/);
    expect(BigInt(result.providerRequestId as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('a wrong key is a request-level error: unknown, never failed', async () => {
    const provider = acme({ apiKey: 'wrong' });
    const result = await provider.pay({ ...payment('ok-2'), transactionId: transactionId() });
    await provider.close();
    expect(result).toMatchObject({
      state: 'unknown',
      final: false,
      reason: 'auth_failed',
      providerStatus: 'UNAUTHORIZED',
    });
  });

  it('an answer that echoes another amount, or is about another account, is a conflict, not a success', async () => {
    const provider = acme();
    const paid = await provider.pay({ ...payment('echo-wrong'), transactionId: transactionId() });
    expect(paid).toMatchObject({ state: 'unknown', reason: 'conflict', providerStatus: 'OK' });
    const id = transactionId();
    await provider.pay({ ...payment('ok-3'), transactionId: id });
    const status = await provider.getStatus({ transactionId: id, expected: { account: 'someone-else' } });
    await provider.close();
    expect(status).toMatchObject({ state: 'unknown', reason: 'conflict' });
  });

  it.each([
    ['blank', 'empty_response'],
    ['html', 'http_error'],
    ['code-SOMETHING_NEW', 'unknown_status'],
    ['code-TRY_LATER', 'request_failed'],
  ])('account %s: unknown / %s, never failed', async (account, reason) => {
    const provider = acme();
    const result = await provider.pay({ ...payment(account), transactionId: transactionId() });
    await provider.close();
    expect(result).toMatchObject({ state: 'unknown', final: false, reason });
  });

  it('a pending payment settles: Status says succeeded once Acme is done', async () => {
    const provider = acme();
    const id = transactionId();
    expect((await provider.pay({ ...payment('slow'), transactionId: id })).state).toBe('pending');
    await expect.poll(async () => (await provider.getStatus({ transactionId: id })).state).toBe('succeeded');
    await provider.close();
  });

  it('a voucher: the check names the exact price and what to pay, the code comes back only as a Secret', async () => {
    const provider = acme();
    const check = await provider.checkAccount({
      ...payment('buyer@example.com'),
      serviceId: VOUCHER_SERVICE,
    });
    expect(check).toMatchObject({
      state: 'succeeded',
      kind: 'static_voucher',
      orderAmount: VOUCHER_PRICE,
      payAmount: '4990.50', // rounded up to cents: rounding down would pay too little
    });
    const request = {
      ...payment('buyer@example.com'),
      serviceId: VOUCHER_SERVICE,
      amount: check.payAmount as string,
      transactionId: transactionId(),
      sendType: 'api' as const,
    };
    const paid = await provider.pay(request);
    await provider.close();
    const [code] = server.voucherCodes().slice(-1);
    expect(paid.state).toBe('succeeded');
    expect(paid.voucherCode?.reveal()).toBe(code);
    expect(JSON.stringify(paid)).not.toContain(code);
    expect(inspect(paid, { depth: 5 })).not.toContain(code);
  });

  it('lists payments of a window, each with its state; an unreadable answer is no list at all', async () => {
    const provider = acme();
    const id = transactionId();
    await provider.pay({ ...payment('ok-list'), transactionId: id });
    const list = await provider.listPayments({
      from: new Date(Date.now() - 60_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(list.state).toBe('succeeded');
    expect(list.payments.find((entry) => entry.transactionId === id)).toMatchObject({
      account: 'ok-list',
      amount: '100.00',
      serviceId: 'steam',
      state: 'succeeded',
      providerStatus: 'OK',
    });
    await expect(provider.listPayments({ from: new Date(2), to: new Date(1) })).rejects.toSatisfy(
      (error) => ValidationError.is(error) && error.field === 'to',
    );
    const wrongKey = acme({ apiKey: 'wrong' });
    expect(await wrongKey.listPayments({ from: new Date(0), to: new Date() })).toMatchObject({
      state: 'unknown',
      reason: 'auth_failed',
      payments: [],
    });
    await Promise.all([provider.close(), wrongKey.close()]);
  });

  it('balances are decimal strings, as Acme sent them', async () => {
    const provider = acme();
    const balance = await provider.getBalance();
    await provider.close();
    expect(balance.state).toBe('succeeded');
    expect(balance.balances[0]).toMatchObject({ currency: 'KZT', overdraft: '0' });
    expect(balance.balances[0]?.balance).toMatch(/^\d+\.\d{2}$/);
  });

  it('refuses what Acme cannot do before sending: another currency, offers, invoice lines', async () => {
    const provider = acme();
    const before = server.requests();
    const refusals: [Partial<PaymentRequest>, string][] = [
      [{ currency: 'RUB' }, 'currency'],
      [{ invoiceId: '5001' }, 'invoiceId'],
      [{ services: [{ serviceId: '13', amount: '100.00' }] }, 'services'],
    ];
    for (const [change, field] of refusals) {
      await expect(
        provider.pay({ ...payment('ok-4'), transactionId: transactionId(), ...change }),
      ).rejects.toSatisfy((error) => ValidationError.is(error) && error.field === field);
    }
    await provider.close();
    expect(server.requests()).toBe(before);
  });

  it('refuses bad options naming the option', () => {
    const refused = (options: object) => {
      try {
        createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: 'k', ...options }).close();
      } catch (error) {
        return ConfigError.is(error) ? error.option : 'another error';
      }
      return 'accepted';
    };
    expect(refused({ baseUrl: 'http://acme.example' })).toBe('baseUrl');
    expect(refused({ baseUrl: 'not a url' })).toBe('baseUrl');
    expect(refused({ apiKey: '' })).toBe('apiKey');
    expect(refused({ timeoutMs: 0 })).toBe('timeoutMs');
    expect(refused({ id: 'Acme KZT' })).toBe('id');
    expect(refused({ timeoutMS: 5 })).toBe('timeoutMS');
    expect(refused({})).toBe('accepted');
  });
});
