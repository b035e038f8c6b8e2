import { Dec } from '@tolem/core';
import type { SimulatorContext } from './context.js';
import { dec, int, type JsonValue } from './json-writer.js';
import type { PaymentRecord } from './ledger-types.js';
import { SUCCESS, statusMessage } from './status-codes.js';

/**
 * An answer for a request that failed as a request (-1, -2, -4, -500 …) or whose RequestType has no
 * payment behind it: the usual envelope with no TransactionContent.
 */
export function requestError(
  ctx: SimulatorContext,
  responseType: string,
  status: number,
  transactionId: string | null,
): JsonValue {
  return {
    TransactinID: transactionId === null ? undefined : int(transactionId),
    RequestID: int(ctx.ids.largeRequestId()),
    ResponseType: responseType,
    ResponseStatus: int(status),
    Message: statusMessage(status),
    TransactionContent: null,
  };
}

/**
 * The answer to Payment and Status for a recorded payment (protocol §3.1, §3.4, §3.5): `Service` as a
 * number, `TransactinID` (sic), Extras null or an object, AmountOnClient on Payment only.
 */
export function paymentAnswer(responseType: 'Payment' | 'Status', record: PaymentRecord): JsonValue {
  return {
    RequestID: int(record.providerRequestId),
    ResponseType: responseType,
    TransactinID: int(record.transactionId),
    ResponseStatus: int(record.status),
    Message: statusMessage(record.status),
    TransactionContent: {
      Service: int(record.serviceId),
      account: record.account,
      Amount: dec(new Dec(record.amount)),
      Currency: record.currency,
      ExchangeRate: dec(new Dec(record.exchangeRate)),
      ServiceCurrency: record.serviceCurrency,
      AmountOnClient: responseType === 'Payment' ? dec(new Dec(record.amountOnClient)) : undefined,
      Extras: paymentExtras(record),
    },
  };
}

function paymentExtras(record: PaymentRecord): JsonValue {
  const extras: Record<string, string> = {};
  if (record.invoiceId !== null) extras.InvoiceId = record.invoiceId;
  if (record.services !== null) extras.Services = record.services;
  if (record.status === SUCCESS && record.sendType?.toLowerCase() === 'api' && record.voucherCode) {
    extras.Code = record.voucherCode.reveal();
  }
  return Object.keys(extras).length === 0 ? null : extras;
}
