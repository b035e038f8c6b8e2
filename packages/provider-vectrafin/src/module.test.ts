import 'reflect-metadata';
import { ConfigError, type PaymentProvider, TOKENS } from '@tolem/core';
import { Container } from 'inversify';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { vectrafinModule } from './module.js';
import { VectrafinProvider } from './provider.js';

const options = (id: string) => ({
  id,
  baseUrl: 'https://processing.vectrafin.ru',
  agentId: '144',
  password: 'module-secret',
  dispatcher: new MockAgent(),
});

describe('vectrafinModule', () => {
  it('binds each provider under TOKENS.PaymentProvider, named by its id', async () => {
    const container = new Container();
    await container.load(vectrafinModule(options('vf-a')), vectrafinModule(options('vf-b')));
    const all = container.getAll<PaymentProvider>(TOKENS.PaymentProvider);
    expect(all.map((provider) => provider.id).sort()).toEqual(['vf-a', 'vf-b']);
    const named = container.get<PaymentProvider>(TOKENS.PaymentProvider, { name: 'vf-b' });
    expect(named).toBeInstanceOf(VectrafinProvider);
    expect(named.id).toBe('vf-b');
    expect(container.get(TOKENS.PaymentProvider, { name: 'vf-b' })).toBe(named);
  });

  it('fails when the module is built, naming the bad option', () => {
    expect(() => vectrafinModule({ ...options('vf-a'), baseUrl: 'http://remote.example' })).toThrow(
      ConfigError,
    );
  });
});
