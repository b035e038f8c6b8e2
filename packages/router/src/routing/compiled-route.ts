import { Dec } from '@tolem/core';
import type { Route, RouteStrategy, Routes, RouteTarget } from '../types.js';
import { hundredths, rateKey } from './amount-keys.js';
import { hashString } from './route-hash.js';

/** A route target with its conditions parsed once (decimals, a RegExp), ready for the ranking function. */
export interface CompiledTarget {
  /** The target as configured (what the lifecycle sends to). */
  readonly target: RouteTarget;
  readonly provider: string;
  readonly serviceId: string;
  readonly currency: string | null;
  /** `when.minAmount` / `when.maxAmount` in hundredths (two decimals at most: exact). */
  readonly minAmount: bigint | null;
  readonly maxAmount: bigint | null;
  readonly account: RegExp | null;
  readonly weight: number;
  /** `fee` as a rateKey. */
  readonly fee: bigint | null;
  readonly maxInFlight: number | null;
  /** Position in the route (ties keep it). */
  readonly index: number;
  /** hashString(provider): a payment's draw for this target does not depend on the route's order. */
  readonly seed: number;
}

export interface CompiledRoute {
  readonly name: string;
  readonly strategy: RouteStrategy;
  readonly targets: readonly CompiledTarget[];
}

export type RouteTable = ReadonlyMap<string, CompiledRoute>;

/** The targets of a route as configured, whichever form it was written in. */
export function routeTargets(route: Route): RouteTarget[] {
  return Array.isArray(route) ? route : route.targets;
}

export function routeStrategy(route: Route): RouteStrategy {
  return Array.isArray(route) ? 'ordered' : route.strategy;
}

/** A condition's pattern as a RegExp without `g`/`y`, whose `lastIndex` would make `test` stateful. */
export function accountPattern(pattern: RegExp | string): RegExp {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
  return new RegExp(source, flags);
}

function compileTarget(target: RouteTarget, index: number): CompiledTarget {
  const when = target.when ?? {};
  return {
    target,
    provider: target.provider,
    serviceId: target.serviceId,
    currency: target.currency ?? null,
    minAmount: when.minAmount === undefined ? null : hundredths(when.minAmount),
    maxAmount: when.maxAmount === undefined ? null : hundredths(when.maxAmount),
    account: when.account === undefined ? null : accountPattern(when.account),
    weight: target.weight ?? 1,
    fee: target.fee === undefined ? null : rateKey(new Dec(target.fee)),
    maxInFlight: target.maxInFlight ?? null,
    index,
    seed: hashString(target.provider),
  };
}

/** Compiles validated routes (the router's options did the checking) into the table the policy reads. */
export function compileRoutes(routes: Routes): RouteTable {
  const table = new Map<string, CompiledRoute>();
  for (const [name, route] of Object.entries(routes)) {
    table.set(name, {
      name,
      strategy: routeStrategy(route),
      targets: routeTargets(route).map(compileTarget),
    });
  }
  return table;
}
