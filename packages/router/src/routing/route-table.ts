import { type PaymentRecord, ValidationError } from '@tolem/core';
import type { Routes, RouteTarget } from '../types.js';

/*
 * The route table, read without side effects: every function here takes the routes and the facts it
 * needs as arguments (which providers exist, which take a call now) and reads nothing else — no
 * breaker, no journal, no clock. The caller gathers the facts (`providerFacts` in lifecycle/context.ts)
 * and acts on the answer.
 */

/** What the caller knows about the providers right now, for `nextTarget`. */
export interface ProviderFacts {
  /** The providers the router has: a target naming another one is skipped. */
  readonly known: { has(providerId: string): boolean };
  /**
   * The providers that take a call now (breaker closed, or half-open with its probe free), less any the
   * caller rules out: a known target not in this set is passed over as `bypassed`.
   */
  readonly admitting: ReadonlySet<string>;
}

/** The targets of a route that take payments in `currency`, in route order. */
export function targetsFor(routes: Routes, service: string, currency: string): RouteTarget[] {
  const route = Object.hasOwn(routes, service) ? routes[service] : undefined;
  return (route ?? []).filter((target) => (target.currency ?? currency) === currency);
}

/** Throws ValidationError when no route serves `service` in `currency` (nothing is sent). */
export function requireTargets(routes: Routes, service: string, currency: string): RouteTarget[] {
  if (!Object.hasOwn(routes, service)) {
    throw new ValidationError(
      'service',
      `no route named ${JSON.stringify(service)} (known: ${Object.keys(routes).join(', ')})`,
    );
  }
  const targets = targetsFor(routes, service, currency);
  if (targets.length === 0) {
    throw new ValidationError('currency', `no provider of route ${service} is paid in ${currency}`);
  }
  return targets;
}

export interface NextTarget {
  target: RouteTarget | null;
  /** Targets passed over because they take no call now (nothing is sent to them). */
  bypassed: RouteTarget[];
}

/** The next provider of a payment's route: no attempt at it yet, and it takes a call now. */
export function nextTarget(
  routes: Routes,
  record: Pick<PaymentRecord, 'service' | 'currency' | 'attempts'>,
  facts: ProviderFacts,
): NextTarget {
  const tried = new Set(record.attempts.map((attempt) => attempt.provider));
  const bypassed: RouteTarget[] = [];
  for (const target of targetsFor(routes, record.service, record.currency)) {
    if (tried.has(target.provider) || !facts.known.has(target.provider)) continue;
    if (!facts.admitting.has(target.provider)) {
      bypassed.push(target);
      continue;
    }
    return { target, bypassed };
  }
  return { target: null, bypassed };
}
