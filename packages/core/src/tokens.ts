import type { ServiceIdentifier } from 'inversify';
import type { PaymentJournal } from './journal.js';
import type { PaymentProvider } from './port.js';

/**
 * DI tokens. `Symbol.for` keys, so two copies of @tolem/core agree on them. A provider package
 * exports a `ContainerModule` that binds its instance under `PAYMENT_PROVIDER` (a multi-token: the
 * router collects every binding with `container.getAll`).
 */
export const TOKENS = {
  /** Multi-binding: every configured provider instance. */
  PaymentProvider: Symbol.for('tolem.PaymentProvider') as ServiceIdentifier<PaymentProvider>,
  PaymentJournal: Symbol.for('tolem.PaymentJournal') as ServiceIdentifier<PaymentJournal>,
  /** A `Clock` (tests inject a manual one). */
  Clock: Symbol.for('tolem.Clock') as ServiceIdentifier<Clock>,
} as const;

/** Time source, injectable so tests and simulations control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
