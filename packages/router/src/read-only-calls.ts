import {
  type AccountCheckRequest,
  amountSchema,
  type CallOptions,
  currencySchema,
  type Outcome,
  type PaymentProvider,
  ProviderUnavailableError,
  parseCallOptions,
  parseInput,
  UnsupportedOperationError,
} from '@tolem/core';
import * as z from 'zod';
import type { CallVerdict } from './breaker.js';
import type { ProviderOperation } from './events.js';
import type { RouterContext } from './lifecycle/context.js';
import { requireTargets } from './routing/route-table.js';
import type { CheckRequest, RouteTarget } from './types.js';

const checkSchema = z.object({
  service: z.string({ error: 'a service (route name) is required' }).min(1, { error: 'must not be empty' }),
  account: z.string({ error: 'an account is required' }).min(1, { error: 'must not be empty' }),
  // Checked here, not only by the provider: a provider that validates less must not see "1e3".
  amount: amountSchema,
  currency: currencySchema,
});

/**
 * `checkAccount` / `quote`: checks the request and the call's options (nothing is sent on bad input),
 * then falls through the route, each provider asked with its own service id.
 */
export async function readOnlyCall<T extends Outcome>(
  ctx: RouterContext,
  operation: 'checkAccount' | 'quote',
  request: CheckRequest,
  callOptions: CallOptions | undefined,
  call: (provider: PaymentProvider, atTarget: AccountCheckRequest, options: CallOptions) => Promise<T>,
): Promise<T & { provider: string }> {
  const input = parseInput(checkSchema, request);
  const options = parseCallOptions(callOptions);
  return fallThrough(
    ctx,
    input,
    operation,
    (provider, target, targetOptions) =>
      call(
        provider,
        {
          serviceId: target.serviceId,
          account: input.account,
          amount: input.amount,
          currency: input.currency,
        },
        targetOptions,
      ),
    options,
  );
}

/**
 * Runs a read-only call (`checkAccount`, `quote`) along a route, hono SmartRouter style: the next
 * provider is tried when one is unavailable (breaker open), lacks the operation, or gives no answer
 * (an `unknown` outcome); a definitive answer — success, decline, "account not found" — is returned as
 * it is. Nothing is journaled: these calls move no money, so falling through after a lost answer is safe.
 */
export async function fallThrough<T extends Outcome>(
  ctx: RouterContext,
  request: { service: string; currency: string },
  operation: ProviderOperation,
  call: (provider: PaymentProvider, target: RouteTarget, options: CallOptions) => Promise<T>,
  options: CallOptions = {},
): Promise<T & { provider: string }> {
  const targets = requireTargets(ctx.routes, request.service, request.currency);
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
