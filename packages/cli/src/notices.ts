import type { Outcome } from '@tolem/core';
import { ENV } from './connection.js';

/**
 * One line on stderr telling the operator what an outcome means for them and what to do. With a
 * transaction id it concerns a payment (never refund on a non-final one); without, a query to retry.
 */
export function noticeFor(
  outcome: Outcome,
  context: { baseUrl: string; transactionId?: string | null; timeoutMs: number },
): string | undefined {
  switch (outcome.reason) {
    case 'auth_failed':
      return `the provider refused the credentials (${outcome.providerStatus ?? 'auth'}): check --agent-id / ${ENV.agentId} and ${ENV.password} / --password-file`;
    case 'connection_refused':
      return `cannot connect to ${context.baseUrl}: check --url / ${ENV.url} and that the service is running`;
    default:
      break;
  }
  if (outcome.state !== 'unknown' && outcome.state !== 'pending') return undefined;
  const why =
    outcome.reason === 'timeout'
      ? `no answer within ${context.timeoutMs / 1000} s`
      : `not final (${outcome.reason ?? outcome.state})`;
  if (!context.transactionId) return `${why}: no definite answer, try again`;
  return `${why}: the payment may still go through, never refund on it; ask again with \`tolem vectrafin status --transaction-id ${context.transactionId}\``;
}
