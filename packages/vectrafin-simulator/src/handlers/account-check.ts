import { Dec } from '@tolem/core';
import type { InvoiceSpec, ServiceSpec } from '../catalogue.js';
import { type FormFields, readAmount, readTransactionId, type SimulatorContext } from '../context.js';
import { invoiceFieldValue } from '../invoice-json.js';
import { dec, int, type JsonValue, writeJson } from '../json-writer.js';
import { requestError } from '../responses.js';
import { SUCCESS, statusMessage } from '../status-codes.js';
import { checkAccount, checkLimits, exchangeRate } from './checks.js';

/**
 * AccountCheck: does the account exist, what is the rate, and — per service kind — the offers, the
 * static price or the invoice (protocol §3.6–§3.9). Nothing is recorded.
 */
export function accountCheck(ctx: SimulatorContext, fields: FormFields): JsonValue {
  const transactionId = readTransactionId(fields.get('TransactionID'));
  const service = ctx.catalogue.find(fields.get('Service') ?? '');
  if (!service) return requestError(ctx, 'AccountCheck', -501, transactionId);
  const amount = readAmount(fields.get('Amount'));
  const currency = fields.get('Currency');
  if (amount === null || currency === undefined)
    return requestError(ctx, 'AccountCheck', -500, transactionId);
  const rate = exchangeRate(service, currency);
  if (rate === null) return requestError(ctx, 'AccountCheck', -502, transactionId);
  const account = fields.get('Account') ?? '';

  const answer = (status: number, extras?: JsonValue) => ({
    // Service 7 echoes the id negated (protocol §3.2).
    TransactinID:
      transactionId === null
        ? undefined
        : int(service.flipAccountCheckSign ? negate(transactionId) : transactionId),
    RequestID: int(ctx.ids.largeRequestId()),
    ResponseType: 'AccountCheck',
    ResponseStatus: int(status),
    Message: statusMessage(status),
    TransactionContent: {
      Service: service.id,
      account,
      Amount: dec(new Dec(amount)),
      Currency: currency,
      ExchangeRate: dec(new Dec(rate)),
      ServiceCurrency: service.serviceCurrency,
      Extras: extras,
    },
  });

  const found = checkAccount(ctx, service, account);
  if ('status' in found) return answer(found.status);
  const limit = checkLimits(service, amount, currency);
  if (limit !== null) return answer(limit);
  if (service.kind === 'invoice' && !found.spec.invoice) return answer(-203);
  return answer(SUCCESS, extrasFor(service, found.spec.invoice));
}

/** Extras by service kind: none, `Invoice-n` offers, `OrderAmount`, or the `Invoice` document. */
function extrasFor(service: ServiceSpec, invoice: InvoiceSpec | undefined): JsonValue | undefined {
  switch (service.kind) {
    case 'dynamic_voucher':
      return (service.offers ?? []).map((offer, index) => ({
        FieldName: `Invoice-${index + 1}`,
        FieldValue: writeJson({
          InvoiceId: int(offer.invoiceId),
          OrderAmount: offer.orderAmount,
          InvoiceName: offer.name,
        }),
      }));
    case 'static_voucher':
      return [{ FieldName: 'OrderAmount', FieldValue: service.orderAmount ?? '0' }];
    case 'invoice':
      return invoice ? [{ FieldName: 'Invoice', FieldValue: invoiceFieldValue(invoice) }] : undefined;
    default:
      return undefined;
  }
}

function negate(transactionId: string): string {
  return `-${transactionId}`;
}
