import { type PaymentJournal, type PaymentProvider, TOKENS } from '@tolem/core';
import { ContainerModule, type ServiceIdentifier } from 'inversify';
import type { RouterOptions } from './options.js';
import { createRouter } from './router.js';
import type { Router } from './types.js';

/** The router in an inversify container. `Symbol.for`, so two copies of the package agree. */
export const ROUTER = Symbol.for('tolem.Router') as ServiceIdentifier<Router>;

export type RouterModuleOptions = Omit<RouterOptions, 'providers' | 'journal'>;

/**
 * Binds a singleton router built from every provider bound under `TOKENS.PaymentProvider` (collected
 * with `getAll`) and the journal under `TOKENS.PaymentJournal`. The container owns those: the router
 * does not close them, and unbinding the router stops it (finalizer drained) first.
 */
export function routerModule(options: RouterModuleOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ROUTER)
      .toDynamicValue((context) =>
        createRouter({
          closeResources: false,
          ...options,
          providers: context.getAll<PaymentProvider>(TOKENS.PaymentProvider),
          journal: context.get<PaymentJournal>(TOKENS.PaymentJournal),
        }),
      )
      .inSingletonScope()
      .onDeactivation((router) => router.stop());
  });
}
