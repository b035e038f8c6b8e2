import { ConfigError, TOKENS } from '@tolem/core';
import { runProviderConformance } from '@tolem/core/testing';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeModule, createAcmeProvider } from './acme-provider.js';
import { type AcmeServer, startAcmeServer } from './acme-server.js';

let server: AcmeServer;
beforeAll(async () => {
  server = await startAcmeServer();
});
afterAll(() => server.close());

let nextTransactionId = 1_000_000;
const payment = (account: string) => ({ serviceId: 'steam', account, amount: '100.00', currency: 'KZT' });

runProviderConformance({
  name: 'acme',
  createProvider: () => createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: server.apiKey }),
  requestsSeen: () => server.requests(),
  secrets: ['acme-live-key-0f3c9'],
  scenarios: {
    succeeded: () => payment('ok-galek10'),
    declined: () => payment('missing'),
    declineReason: 'account_not_found',
    unknown: () => payment('reset'),
    pending: () => payment('slow'),
    hanging: () => payment('hang'),
    accountCheck: () => payment('ok-galek10'),
    transactionId: () => String(nextTransactionId++),
  },
});

describe('acme specifics', () => {
  it('keeps provider request ids above 2^53 exact', async () => {
    const acme = createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: server.apiKey });
    const result = await acme.pay({ ...payment('ok-1'), transactionId: String(nextTransactionId++) });
    expect(result.providerRequestId).toMatch(/^9007199254740\d{5}$/);
    expect(BigInt(result.providerRequestId!)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('a wrong key is a request-level error: unknown, never failed', async () => {
    const acme = createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: 'wrong' });
    const result = await acme.pay({ ...payment('ok-2'), transactionId: String(nextTransactionId++) });
    expect(result).toMatchObject({ state: 'unknown', final: false, reason: 'auth_failed' });
  });

  it('an answer echoing another amount is a conflict, not a success', async () => {
    const acme = createAcmeProvider({ id: 'acme-kzt', baseUrl: server.url, apiKey: server.apiKey });
    const result = await acme.pay({ ...payment('echo-wrong'), transactionId: String(nextTransactionId++) });
    expect(result).toMatchObject({
      state: 'unknown',
      final: false,
      reason: 'conflict',
      providerStatus: 'OK',
    });
  });

  it('a refused connection says nothing was sent', async () => {
    const closed = await startAcmeServer();
    const url = closed.url;
    await closed.close();
    const acme = createAcmeProvider({ id: 'acme-kzt', baseUrl: url, apiKey: 'k' });
    const result = await acme.pay({ ...payment('ok-3'), transactionId: String(nextTransactionId++) });
    expect(result).toMatchObject({ state: 'unknown', reason: 'connection_refused' });
  });

  it('refuses bad options naming the option', () => {
    const bad = (options: object) => {
      try {
        createAcmeProvider({ id: 'a', baseUrl: server.url, apiKey: 'k', ...options });
      } catch (error) {
        return ConfigError.is(error) ? error.option : 'other error';
      }
      return 'accepted';
    };
    expect(bad({ baseUrl: 'http://acme.example' })).toBe('baseUrl');
    expect(bad({ baseUrl: 'not a url' })).toBe('baseUrl');
    expect(bad({ apiKey: '' })).toBe('apiKey');
    expect(bad({ timeoutMs: 0 })).toBe('timeoutMs');
    expect(bad({})).toBe('accepted');
  });

  it('is bound under the provider multi-token by its ContainerModule', async () => {
    const container = new Container();
    await container.load(
      acmeModule({ id: 'acme-kzt', baseUrl: server.url, apiKey: server.apiKey }),
      acmeModule({ id: 'acme-usd', baseUrl: server.url, apiKey: server.apiKey }),
    );
    const ids = container.getAll(TOKENS.PaymentProvider).map((provider) => provider.id);
    expect(ids.sort()).toEqual(['acme-kzt', 'acme-usd']);
    expect(container.get(TOKENS.PaymentProvider, { name: 'acme-usd' }).id).toBe('acme-usd');
    await container.unbindAll();
  });
});
