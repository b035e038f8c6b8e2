import { ContainerModule } from 'inversify';
import type { PaymentProvider } from './port.js';
import { TOKENS } from './tokens.js';

/**
 * The pattern a provider package follows to export a `ContainerModule`: bind one instance per
 * configuration under the `TOKENS.PaymentProvider` multi-token, as a singleton that is closed when the
 * container unbinds or unloads it. The router collects them all with `container.getAll(TOKENS.PaymentProvider)`;
 * one is found by id with `container.get(TOKENS.PaymentProvider, { name: id })`.
 *
 * `create` runs when the module is loaded, so a bad configuration fails at `container.load`. Inversify
 * runs deactivation only for instances it resolved: one never resolved was never used and holds no
 * connection.
 */
export function providerModule(create: () => PaymentProvider): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const provider = create();
    bind(TOKENS.PaymentProvider)
      .toConstantValue(provider)
      // `whenNamed` alone would hide the binding from an unnamed `getAll`: match no name or this id.
      .when((request) => request.name === undefined || request.name === provider.id)
      .onDeactivation((instance) => instance.close());
  });
}
