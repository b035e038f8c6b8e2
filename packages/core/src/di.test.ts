import 'reflect-metadata';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { providerModule } from './di.js';
import type { PaymentProvider } from './port.js';
import { FakeProvider } from './testing/fake-provider.js';
import { TOKENS } from './tokens.js';

/** A fake provider that notes in `closed` when it is closed (the order matters to some tests). */
function stubProvider(id: string, closed: string[]): PaymentProvider {
  const provider = new FakeProvider(id);
  const close = provider.close.bind(provider);
  provider.close = async () => {
    closed.push(id);
    await close();
  };
  return provider;
}

/** What the router does: a service that takes every provider (resolved with injection metadata, no decorators). */
class CollectsProviders {
  constructor(readonly providers: PaymentProvider[]) {}
}

class NeedsOne {
  constructor(readonly provider: PaymentProvider) {}
}

describe('providerModule with a real inversify Container', () => {
  it('binds every provider under the multi-token: getAll, multiInject and named lookup all see them', async () => {
    const closed: string[] = [];
    const container = new Container();
    await container.load(
      providerModule(() => stubProvider('vf-a', closed)),
      providerModule(() => stubProvider('vf-b', closed)),
    );
    expect(
      container
        .getAll(TOKENS.PaymentProvider)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['vf-a', 'vf-b']);
    expect(container.get(TOKENS.PaymentProvider, { name: 'vf-b' }).id).toBe('vf-b');
    expect(container.get(TOKENS.PaymentProvider, { name: 'vf-a' })).toBe(
      container.get(TOKENS.PaymentProvider, { name: 'vf-a' }),
    );
    expect(() => container.get(TOKENS.PaymentProvider, { name: 'nope' })).toThrow();
    container
      .bind(CollectsProviders)
      .toResolvedValue(
        (providers: PaymentProvider[]) => new CollectsProviders(providers),
        [{ serviceIdentifier: TOKENS.PaymentProvider, isMultiple: true }],
      );
    container
      .bind(NeedsOne)
      .toResolvedValue(
        (provider: PaymentProvider) => new NeedsOne(provider),
        [{ serviceIdentifier: TOKENS.PaymentProvider, name: 'vf-b' }],
      );
    expect(
      container
        .get(CollectsProviders)
        .providers.map((p) => p.id)
        .sort(),
    ).toEqual(['vf-a', 'vf-b']);
    expect(container.get(NeedsOne).provider.id).toBe('vf-b');
    expect(closed).toEqual([]);
  });

  it('closes the providers when the container unbinds them', async () => {
    const closed: string[] = [];
    const container = new Container();
    await container.load(
      providerModule(() => stubProvider('vf-a', closed)),
      providerModule(() => stubProvider('vf-b', closed)),
    );
    container.getAll(TOKENS.PaymentProvider);
    await container.unbind(TOKENS.PaymentProvider);
    expect(closed.sort()).toEqual(['vf-a', 'vf-b']);
    expect(container.isBound(TOKENS.PaymentProvider)).toBe(false);
  });

  it('closes a provider when its module is unloaded, leaving the others bound', async () => {
    const closed: string[] = [];
    const container = new Container();
    const a = providerModule(() => stubProvider('vf-a', closed));
    const b = providerModule(() => stubProvider('vf-b', closed));
    await container.load(a, b);
    container.getAll(TOKENS.PaymentProvider);
    await container.unload(a);
    expect(closed).toEqual(['vf-a']);
    expect(container.getAll(TOKENS.PaymentProvider).map((p) => p.id)).toEqual(['vf-b']);
  });

  it('a bad configuration fails when the module is loaded', async () => {
    const container = new Container();
    const module = providerModule(() => {
      throw new Error('baseUrl: required');
    });
    await expect(container.load(module)).rejects.toThrow('baseUrl: required');
  });
});
