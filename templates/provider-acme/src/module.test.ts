import 'reflect-metadata';
import { ConfigError, TOKENS } from '@tolem/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { acmeModule } from './module.js';

const options = (id: string) => ({ id, baseUrl: 'https://api.acme.example', apiKey: 'module-key' });

describe('acmeModule', () => {
  it('binds each provider under TOKENS.PaymentProvider, named by its id, and closes them on unbind', async () => {
    const container = new Container();
    await container.load(acmeModule(options('acme-kzt')), acmeModule(options('acme-usd')));
    const ids = container.getAll(TOKENS.PaymentProvider).map((provider) => provider.id);
    expect(ids.sort()).toEqual(['acme-kzt', 'acme-usd']);
    const usd = container.get(TOKENS.PaymentProvider, { name: 'acme-usd' });
    expect(usd.id).toBe('acme-usd');
    await container.unbindAll();
    await expect(usd.getStatus({ transactionId: '1' })).rejects.toThrow(/closed/);
  });

  it('checks the options when the module is built', () => {
    expect(() => acmeModule({ ...options('acme-kzt'), baseUrl: 'http://acme.example' })).toThrow(ConfigError);
  });
});
