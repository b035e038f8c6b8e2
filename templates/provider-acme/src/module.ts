import { providerModule } from '@tolem/core';
import type { ContainerModule } from 'inversify';
import { type AcmeOptions, resolveAcmeConfig } from './options.js';
import { AcmeProvider } from './provider.js';

/**
 * An inversify `ContainerModule` binding one Acme provider under core's `TOKENS.PaymentProvider`,
 * named by its id, closed when the container unbinds it. The options are checked here, so a bad
 * configuration fails when the module is built, not when it is loaded.
 */
export function acmeModule(options: AcmeOptions): ContainerModule {
  resolveAcmeConfig(options);
  return providerModule(() => new AcmeProvider(options));
}
