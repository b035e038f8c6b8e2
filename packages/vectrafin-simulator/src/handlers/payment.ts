import { Dec } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import type { AccountSpec, ServiceSpec } from '../catalogue.js';
import { type FormFields, readAmount, readTransactionId, type SimulatorContext } from '../context.js';
import { invoiceLines } from '../invoice-json.js';
import type { JsonValue } from '../json-writer.js';
import type { NewPayment } from '../ledger-types.js';
import { resolveProgression } from '../progression.js';
import { paymentAnswer, requestError } from '../responses.js';
import { SUCCESS } from '../status-codes.js';
import { checkAccount, checkLimits, checkVoucherAmount, exchangeRate } from './checks.js';

/**
 * Payment. A TransactionID the agent already used returns the earlier result and never pays twice
 * (protocol §4.4). Request errors (-2, -500, -501, -502) record nothing, so the same Payment can be sent
 * again; final declines are recorded and answered again on a resend.
 */
export function payment(ctx: SimulatorContext, fields: FormFields, agentId: string): JsonValue {
  const transactionId = readTransactionId(fields.get('TransactionID'));
  if (transactionId === null) return requestError(ctx, 'Payment', -500, null);
  const earlier = ctx.ledger.find(agentId, transactionId);
  if (earlier) return paymentAnswer('Payment', earlier);

  const service = ctx.catalogue.find(fields.get('Service') ?? '');
  if (!service) return requestError(ctx, 'Payment', -501, transactionId);
  const amount = readAmount(fields.get('Amount'));
  const currency = fields.get('Currency');
  if (amount === null || currency === undefined) return requestError(ctx, 'Payment', -500, transactionId);
  const rate = exchangeRate(service, currency);
  if (rate === null) return requestError(ctx, 'Payment', -502, transactionId);

  const newPayment: NewPayment = {
    agentId,
    transactionId,
    serviceId: service.id,
    serviceKind: service.kind,
    account: fields.get('Account') ?? '',
    amount: new Dec(amount).toString(),
    currency,
    exchangeRate: rate,
    serviceCurrency: service.serviceCurrency,
    invoiceId: service.kind === 'dynamic_voucher' ? (fields.get('InvoiceId') ?? null) : null,
    services: service.kind === 'invoice' ? (fields.get('Services') ?? null) : null,
    sendType: fields.get('SendType') ?? null,
    requestDate: fields.get('RequestDate') ?? null,
  };

  const found = checkAccount(ctx, service, newPayment.account);
  if ('status' in found) return paymentAnswer('Payment', ctx.ledger.decline(newPayment, found.status));
  const declined = declineReason(service, found.spec, newPayment);
  if (declined !== null) return paymentAnswer('Payment', ctx.ledger.decline(newPayment, declined));
  if (!ctx.ledger.agents.canAfford(agentId, currency, newPayment.amount)) {
    return requestError(ctx, 'Payment', -2, transactionId);
  }
  const progression = found.spec.progression ? resolveProgression(found.spec.progression) : ctx.progression;
  const record = ctx.ledger.accept(newPayment, progression, found.spec.finalStatus ?? SUCCESS);
  return paymentAnswer('Payment', record);
}

/** The final decline a payment gets before any money moves, or null to accept it. */
function declineReason(service: ServiceSpec, account: AccountSpec, payment: NewPayment): number | null {
  if (new Dec(payment.amount).isZero()) return -200;
  const limit = checkLimits(service, payment.amount, payment.currency);
  if (limit !== null) return limit;
  switch (service.kind) {
    case 'dynamic_voucher': {
      const offer = service.offers?.find((candidate) => candidate.invoiceId === payment.invoiceId);
      return offer ? checkVoucherAmount(payment.amount, offer.orderAmount) : -203;
    }
    case 'static_voucher':
      return checkVoucherAmount(payment.amount, service.orderAmount ?? '0');
    case 'invoice':
      return checkInvoicePayment(account, payment);
    default:
      return null;
  }
}

/**
 * An Alseko payment carries `Services` = {"services":[{"id":13,"amount":"5110.18"}, …]}: every id
 * must be a line of the account's invoice and the amounts must add up to Amount (-203 otherwise).
 */
function checkInvoicePayment(account: AccountSpec, payment: NewPayment): number | null {
  if (!account.invoice || payment.services === null) return -203;
  let document: unknown;
  try {
    document = parse(payment.services);
  } catch {
    return -203;
  }
  const lines = isRecord(document) ? document.services : undefined;
  if (!Array.isArray(lines) || lines.length === 0) return -203;
  const known = new Set(invoiceLines(account.invoice).map((line) => String(line.serviceId)));
  let total = new Dec(0);
  for (const line of lines) {
    if (!isRecord(line)) return -203;
    const id = numberText(line.id);
    const amount = numberText(line.amount);
    if (id === null || !known.has(id) || amount === null || readAmount(amount) === null) return -203;
    total = total.plus(amount);
  }
  return total.equals(payment.amount) ? null : -203;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isLosslessNumber(value)) return value.value;
  return null;
}
