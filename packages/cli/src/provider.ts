import type { PaymentProvider } from '@tolem/core';
import { createVectrafinProvider } from '@tolem/provider-vectrafin';
import type { Connection } from './connection.js';

/** One VectraFin connection for one CLI command; the caller closes it. */
export function openProvider(connection: Connection): PaymentProvider {
  return createVectrafinProvider({
    id: 'vectrafin',
    baseUrl: connection.baseUrl,
    agentId: connection.agentId,
    password: connection.password,
    timeZone: connection.timeZone,
    timeoutMs: connection.timeoutMs,
    connections: 2,
  });
}
