import {
  type AttemptRecord,
  type PaymentRecord,
  type PaymentResult,
  ProviderUnavailableError,
} from '@tolem/core';
import { isNothingSentError } from '../breaker.js';
import type { RouterContext } from './context.js';

/**
 * Asks the attempt's provider for its Status through the breaker, checking the echoed amount and
 * account, and notes it for the callback interval (`origin`). Null when no question could be asked
 * (breaker open, provider gone, refused before sending): that says nothing about the payment.
 */
export async function checkStatus(
  ctx: RouterContext,
  record: PaymentRecord,
  attempt: AttemptRecord,
  origin: 'callback' | 'finalizer',
): Promise<PaymentResult | null> {
  const provider = ctx.providers.get(attempt.provider);
  if (provider === undefined) return null;
  try {
    return await ctx.breakers.run(
      attempt.provider,
      'getStatus',
      (breakerCall) => {
        // Noted as it leaves (after the breaker let it through): a refused call costs the provider nothing.
        ctx.callbackChecks.statusSent(record.paymentId, origin);
        return provider.getStatus(
          {
            transactionId: attempt.transactionId,
            serviceId: attempt.serviceId,
            expected: { amount: record.amount, account: record.account },
          },
          { onDispatch: () => breakerCall.started() },
        );
      },
      (result) => ({ state: result.state, reason: result.reason }),
    );
  } catch (error) {
    if (ProviderUnavailableError.is(error) || isNothingSentError(error)) return null;
    throw error;
  }
}
