import { Dec } from '@tolem/core';
import type { FormFields, SimulatorContext } from '../context.js';
import { dec, int, type JsonValue } from '../json-writer.js';
import { requestError } from '../responses.js';
import { SUCCESS, statusMessage } from '../status-codes.js';
import { localDateTime, localDateTimeTicks, normaliseWireDateTime } from '../time-format.js';

/**
 * GetPaymentsByDate: the agent's successful payments registered in [From, To), both read in the
 * agent's zone; a bare array with `TransactionId` spelled right and 7-digit fractions (protocol §3.12).
 */
export function paymentsByDate(ctx: SimulatorContext, fields: FormFields, agentId: string): JsonValue {
  const from = normaliseWireDateTime(fields.get('From'));
  const to = normaliseWireDateTime(fields.get('To'));
  if (from === null || to === null) return requestError(ctx, 'GetPaymentsByDate', -500, null);
  return ctx.ledger
    .recordsOf(agentId)
    .filter((record) => record.status === SUCCESS)
    .filter((record) => {
      const registered = localDateTime(record.createdAt, ctx.agentTimeZone);
      return registered >= from && registered < to;
    })
    .map((record) => ({
      TransactionId: int(record.transactionId),
      RequestId: int(record.providerRequestId),
      AgentRequestCreatedOn:
        normaliseWireDateTime(record.requestDate ?? undefined) ??
        localDateTime(record.createdAt, ctx.agentTimeZone),
      Account: record.account,
      Amount: dec(new Dec(record.amount)),
      Currency: record.currency,
      ServiceId: int(record.serviceId),
      Service: ctx.catalogue.find(record.serviceId)?.name ?? record.serviceId,
      CreatedOn: localDateTimeTicks(record.createdAt, ctx.timeZone, record.createdFraction),
      ProcessedOn: localDateTimeTicks(
        record.processedAt ?? record.createdAt,
        ctx.timeZone,
        record.processedFraction,
      ),
      StatusId: int(SUCCESS),
      Status: statusMessage(SUCCESS),
    }));
}
