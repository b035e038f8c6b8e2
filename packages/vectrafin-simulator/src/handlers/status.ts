import { type FormFields, readTransactionId, type SimulatorContext } from '../context.js';
import type { JsonValue } from '../json-writer.js';
import { paymentAnswer, requestError } from '../responses.js';

/** Status: the payment's current status by TransactionID, or -4 when the agent has none. */
export function status(ctx: SimulatorContext, fields: FormFields, agentId: string): JsonValue {
  const transactionId = readTransactionId(fields.get('TransactionID'));
  if (transactionId === null) return requestError(ctx, 'Status', -500, null);
  const record = ctx.ledger.find(agentId, transactionId);
  return record ? paymentAnswer('Status', record) : requestError(ctx, 'Status', -4, transactionId);
}
