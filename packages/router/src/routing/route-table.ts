import {
  type CallOptions,
  type Outcome,
  type PaymentProvider,
  type PaymentRecord,
  ProviderUnavailableError,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import type { CallVerdict } from '../breaker.js';
import type { ProviderOperation } from '../events.js';
import type { RouterContext } from '../lifecycle/context.js';
import type { RouteTarget } from '../types.js';

/** The targets of a route that take payments in `currency`, in route order. */
export function targetsFor(ctx: RouterContext, service: string, currency: string): RouteTarget[] {
  const route = Object.hasOwn(ctx.routes, service) ? ctx.routes[service] : undefined;
  return (route ?? []).filter((target) => (target.currency ?? currency) === currency);
}

/** Throws ValidationError when no route serves `service` in `currency` (nothing is sent). */
export function requireTargets(ctx: RouterContext, service: string, currency: string): RouteTarget[] {
  if (!Object.hasOwn(ctx.routes, service)) {
    throw new ValidationError(
      'service',
      `no route named ${JSON.stringify(service)} (known: ${Object.keys(ctx.routes).join(', ')})`,
    );
  }
  const targets = targetsFor(ctx, service, currency);
  if (targets.length === 0) {
    throw new ValidationError('currency', `no provider of route ${service} is paid in ${currency}`);
  }
  return targets;
}

export interface NextTarget {
  target: RouteTarget | null;
  /** Targets passed over because their breaker is open (nothing is sent to them). */
  bypassed: RouteTarget[];
}

/** The next provider of a payment's route: no attempt at it yet, and its breaker lets a call through. */
export function nextTarget(
  ctx: RouterContext,
  record: Pick<PaymentRecord, 'service' | 'currency' | 'attempts'>,
  excluded: ReadonlySet<string> = new Set(),
): NextTarget {
  const tried = new Set(record.attempts.map((attempt) => attempt.provider));
  const bypassed: RouteTarget[] = [];
  for (const target of targetsFor(ctx, record.service, record.currency)) {
    if (tried.has(target.provider) || !ctx.providers.has(target.provider)) continue;
    if (excluded.has(target.provider) || !ctx.breakers.admits(target.provider)) {
      bypassed.push(target);
      continue;
    }
    return { target, bypassed };
  }
  return { target: null, bypassed };
}

/**
 * Runs a read-only call along a route, hono SmartRouter style: the next provider is tried when one
 * is unavailable (breaker open), lacks the operation, or gives no answer (an `unknown` outcome); a
 * definitive answer — success, decline, "account not found" — is returned as it is.
 */
export async function fallThrough<T extends Outcome>(
  ctx: RouterContext,
  request: { service: string; currency: string },
  operation: ProviderOperation,
  call: (provider: PaymentProvider, target: RouteTarget, options: CallOptions) => Promise<T>,
  options: CallOptions = {},
): Promise<T & { provider: string }> {
  const targets = requireTargets(ctx, request.service, request.currency);
  let lastAnswer: (T & { provider: string }) | null = null;
  let lastError: unknown = null;
  let from: {
    provider: string;
    reason: 'breaker_open' | 'unavailable' | NonNullable<Outcome['reason']>;
  } | null = null;
  for (const target of targets) {
    const provider = ctx.providers.get(target.provider);
    if (provider === undefined) continue;
    if (from !== null) {
      const left = from;
      ctx.events.emit('failover', () => ({
        service: request.service,
        operation,
        from: left.provider,
        to: target.provider,
        reason: left.reason,
        paymentId: null,
      }));
    }
    options.signal?.throwIfAborted();
    try {
      const result = await ctx.breakers.run(
        target.provider,
        operation,
        // The breaker measures from when the provider says its request left its local queue.
        (breakerCall) => call(provider, target, { ...options, onDispatch: () => breakerCall.started() }),
        (value): CallVerdict => ({ state: value.state, reason: value.reason }),
        options.signal,
      );
      if (result.state !== 'unknown') return { ...result, provider: target.provider };
      lastAnswer = { ...result, provider: target.provider };
      from = { provider: target.provider, reason: result.reason ?? 'unknown_status' };
    } catch (error) {
      if (ProviderUnavailableError.is(error)) {
        from = {
          provider: target.provider,
          reason: ctx.breakers.admits(target.provider) ? 'unavailable' : 'breaker_open',
        };
      } else if (UnsupportedOperationError.is(error)) {
        from = { provider: target.provider, reason: 'unavailable' };
      } else {
        throw error;
      }
      lastError = error;
    }
  }
  if (lastAnswer !== null) return lastAnswer;
  if (lastError !== null) throw lastError;
  throw new ProviderUnavailableError(`no provider of route ${request.service} is available`);
}
