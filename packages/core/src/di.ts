import { ContainerModule } from 'inversify';
import type { PaymentProvider } from './port.js';
import { TOKENS } from './tokens.js';

/**
 * The pattern a provider package follows to export a `ContainerModule`: bind one instance per
 * configuration under the `TOKENS.PaymentProvider` multi-token, named by its id, as a singleton that is
 * closed when the container unbinds it. The router module collects them with `getAll`.
 */
export function providerModule(create: () => PaymentProvider): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const provider = create();
    bind(TOKENS.PaymentProvider)
      .toConstantValue(provider)
      .whenNamed(provider.id)
      .onDeactivation((instance) => instance.close());
  });
}
