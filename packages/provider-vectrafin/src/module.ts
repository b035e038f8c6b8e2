import { providerModule } from '@tolem/core';
import type { ContainerModule } from 'inversify';
import { resolveConfig, type VectrafinOptions } from './config.js';
import { VectrafinProvider } from './provider.js';

/**
 * An inversify `ContainerModule` binding one VectraFin provider under core's
 * `TOKENS.PaymentProvider`, named by its id, closed when the container unbinds it. Options are
 * validated here, so a bad configuration fails when the module is built, not when it is loaded.
 */
export function vectrafinModule(options: VectrafinOptions): ContainerModule {
  resolveConfig(options);
  return providerModule(() => new VectrafinProvider(options));
}
