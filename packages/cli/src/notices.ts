import type { Outcome } from '@tolem/core';
import { ENV } from './connection.js';

/** One line on stderr telling the operator what an outcome means for them and what to do. */
export function noticeFor(
  outcome: Outcome,
  context: { baseUrl: string; transactionId?: string | null; timeoutMs: number },
): string | undefined {
  const statusHint = context.transactionId
    ? ` ask again with \`tolem vectrafin status --transaction-id ${context.transactionId}\``
    : ' ask again later';
  switch (outcome.reason) {
    case 'auth_failed':
      return `the provider refused the credentials (${outcome.providerStatus ?? 'auth'}): check --agent-id / ${ENV.agentId} and ${ENV.password} / --password-file`;
    case 'connection_refused':
      return `cannot connect to ${context.baseUrl}: check --url / ${ENV.url} and that the service is running`;
    case 'timeout':
      return `no answer within ${context.timeoutMs / 1000} s; the outcome is unknown and the payment may exist:${statusHint}`;
    default:
      break;
  }
  if (outcome.state === 'unknown' || outcome.state === 'pending') {
    return `not final (${outcome.reason ?? outcome.state}): never refund on it;${statusHint}`;
  }
  return undefined;
}
