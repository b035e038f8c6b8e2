import { ValidationError } from '@tolem/core';
import type { Routes, RouteTarget } from '../types.js';
import { routeTargets } from './compiled-route.js';

/*
 * The route table, read without side effects: which targets a route has for a currency, in route
 * order. Ranking them for a payment is route-policy.ts; the facts it needs are gathered by the caller
 * (lifecycle/routing-facts.ts).
 */

/** The targets of a route that take payments in `currency`, in route order. */
export function targetsFor(routes: Routes, service: string, currency: string): RouteTarget[] {
  const route = Object.hasOwn(routes, service) ? routes[service] : undefined;
  if (route === undefined) return [];
  return routeTargets(route).filter((target) => (target.currency ?? currency) === currency);
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
