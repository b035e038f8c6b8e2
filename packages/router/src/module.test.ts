import 'reflect-metadata';
import { createMemoryJournal, providerModule, TOKENS } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ROUTER, routerModule } from './module.js';

describe('routerModule', () => {
  it('collects every provider bound under the multi-token and the journal, and pays through them', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const b = new FakeProvider('vf-b');
    const journal = createMemoryJournal();
    const container = new Container();
    await container.load(
      providerModule(() => a),
      providerModule(() => b),
      new ContainerModule(({ bind }) => {
        bind(TOKENS.PaymentJournal).toConstantValue(journal);
      }),
      routerModule({
        routes: {
          steam: [
            { provider: 'vf-a', serviceId: '7' },
            { provider: 'vf-b', serviceId: '7' },
          ],
        },
      }),
    );
    const router = container.get(ROUTER);
    expect(container.get(ROUTER)).toBe(router);
    expect([...router.providers.keys()]).toEqual(['vf-a', 'vf-b']);
    expect(router.journal).toBe(journal);
    const view = await router.pay({
      paymentId: 'di-1',
      service: 'steam',
      account: 'x',
      amount: '5',
      currency: 'KZT',
    });
    expect(view).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
    await container.unbindAll();
    // The container owns the providers: they are closed once, by their own bindings.
    expect(a.closed).toBe(1);
    expect(b.closed).toBe(1);
    await expect(
      router.pay({ paymentId: 'di-2', service: 'steam', account: 'x', amount: '5', currency: 'KZT' }),
    ).rejects.toThrow('stopped');
  });

  it('fails at resolution with a ConfigError when a route names a provider that is not bound', async () => {
    const container = new Container();
    await container.load(
      providerModule(() => new FakeProvider('vf-a')),
      new ContainerModule(({ bind }) => {
        bind(TOKENS.PaymentJournal).toConstantValue(createMemoryJournal());
      }),
      routerModule({ routes: { steam: [{ provider: 'vf-z', serviceId: '7' }] } }),
    );
    expect(() => container.get(ROUTER)).toThrow('routes.steam.0.provider');
  });
});
