import {
  type CurrencyCode,
  type Invoice,
  type InvoiceLine,
  type InvoicePaymentLine,
  Money,
  type ServiceKind,
  ValidationError,
  type VoucherOffer,
} from '@tolem/core';
import {
  decimalText,
  integerText,
  isWireObject,
  nestedJson,
  pick,
  requiredDecimal,
  stringText,
  type WireObject,
  WireShapeError,
  type WireValue,
} from './json-value.js';
import type { ExtraField } from './response-parser.js';

/**
 * The four ways a VectraFin service is paid (protocol §3.6–§3.9): what AccountCheck offers for each, and
 * the extra fields a Payment carries.
 */

/** Alseko's "pay everything" line (protocol §3.9). */
export const PAY_ALL_SERVICE_ID = '999';

const DYNAMIC_OFFER = /^invoice-\d+$/i;

function extra(extras: readonly ExtraField[], name: string): ExtraField | undefined {
  const wanted = name.toLowerCase();
  return extras.find((field) => field.name.toLowerCase() === wanted);
}

/** The kind an AccountCheck answer reveals by its Extras, or null for a plain top-up. */
export function kindFromExtras(extras: readonly ExtraField[]): ServiceKind | null {
  if (extras.some((field) => DYNAMIC_OFFER.test(field.name))) return 'dynamic_voucher';
  if (extra(extras, 'Invoice')) return 'invoice';
  if (extra(extras, 'OrderAmount')) return 'static_voucher';
  return null;
}

export interface CheckDetails {
  offers?: VoucherOffer[];
  payAmount?: string;
  orderAmount?: string;
  invoice?: Invoice;
}

/** What AccountCheck offers for a service of `kind`, read from its Extras. */
export function readCheckDetails(
  kind: ServiceKind,
  extras: readonly ExtraField[],
  currency: CurrencyCode,
): CheckDetails {
  switch (kind) {
    case 'dynamic_voucher':
      return { offers: readOffers(extras, currency) };
    case 'static_voucher': {
      const field = extra(extras, 'OrderAmount');
      if (!field) return {};
      const orderAmount = requiredDecimal(field.value, 'OrderAmount');
      return { orderAmount, payAmount: roundUpToCents(orderAmount, currency) };
    }
    case 'invoice': {
      const field = extra(extras, 'Invoice');
      return field ? { invoice: readInvoice(field.value) } : {};
    }
    default:
      return {};
  }
}

/** Vouchers are paid with OrderAmount rounded UP to cents: rounding down fails (protocol §3.8). */
export function roundUpToCents(orderAmount: string, currency: CurrencyCode): string {
  let exact: Money;
  try {
    exact = Money.exact(orderAmount, currency, 'OrderAmount');
  } catch (error) {
    throw new WireShapeError(`OrderAmount ${orderAmount} is not a payable amount`, { cause: error });
  }
  return exact.roundUp().format();
}

function readOffers(extras: readonly ExtraField[], currency: CurrencyCode): VoucherOffer[] {
  return extras
    .filter((field) => DYNAMIC_OFFER.test(field.name))
    .map((field) => {
      const offer = nestedJson(field.value, field.name);
      if (!isWireObject(offer)) throw new WireShapeError(`${field.name} is not an object`);
      const invoiceId = stringText(pick(offer, 'InvoiceId'), 'InvoiceId');
      if (invoiceId === null) throw new WireShapeError(`${field.name} has no InvoiceId`);
      const orderAmount = requiredDecimal(pick(offer, 'OrderAmount'), 'OrderAmount');
      return {
        invoiceId,
        name: stringText(pick(offer, 'InvoiceName'), 'InvoiceName') ?? '',
        orderAmount,
        payAmount: roundUpToCents(orderAmount, currency),
      };
    });
}

/** XML turned JSON: a single child arrives as an object, several as a list. */
function asList(value: WireValue | undefined): WireValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function child(object: WireObject, name: string): WireObject | null {
  const value = pick(object, name);
  return isWireObject(value) ? value : null;
}

/** Alseko's nested invoice document (protocol §3.9): address, invoice id as a string, every line. */
export function readInvoice(value: WireValue): Invoice {
  const document = nestedJson(value, 'Invoice');
  if (!isWireObject(document)) throw new WireShapeError('Invoice is not an object');
  const account = child(document, 'Account') ?? document;
  const invoices = child(account, 'Invoices');
  // One invoice per account in every answer seen; with several, the first is the current one.
  const first = asList(invoices ? pick(invoices, 'Invoice') : pick(account, 'Invoice'))[0];
  if (!isWireObject(first)) throw new WireShapeError('Invoice has no Invoices.Invoice');
  const invoiceId = stringText(pick(first, 'InvoiceId'), 'InvoiceId');
  if (invoiceId === null) throw new WireShapeError('Invoice has no InvoiceId');
  const services = child(first, 'Services');
  const lines = asList(services ? pick(services, 'Service') : undefined).map(readInvoiceLine);
  return { invoiceId, address: stringText(pick(account, 'Address'), 'Address'), lines };
}

function readInvoiceLine(value: WireValue): InvoiceLine {
  if (!isWireObject(value)) throw new WireShapeError('an invoice line is not an object');
  const serviceId = integerText(pick(value, 'ServiceId'), 'ServiceId');
  if (serviceId === null) throw new WireShapeError('an invoice line has no ServiceId');
  return {
    serviceId,
    name: stringText(pick(value, 'ServiceName'), 'ServiceName') ?? '',
    fixSum: decimalText(pick(value, 'FixSum'), 'FixSum') ?? '0',
    debtSum: decimalText(pick(value, 'DebtSum'), 'DebtSum') ?? '0',
    payAll: serviceId === PAY_ALL_SERVICE_ID,
    measure: stringText(pick(value, 'Measure'), 'Measure'),
    tariff: stringText(pick(value, 'Tariff'), 'Tariff'),
    previousCount: decimalText(pick(value, 'PrevCount'), 'PrevCount'),
    lastCount: decimalText(pick(value, 'lastCount', 'LastCount'), 'lastCount'),
    debtInfo: stringText(pick(value, 'DebtInfo'), 'DebtInfo'),
  };
}

/** The voucher code a Payment or Status answer carries after `SendType=api` (Extras `Code`). */
export function readVoucherCode(extras: readonly ExtraField[]): string | null {
  const field = extra(extras, 'Code');
  if (!field) return null;
  const code = stringText(field.value, 'Code');
  return code === null || code === '' ? null : code;
}

export interface PaymentExtrasInput {
  kind: ServiceKind;
  amount: Money;
  invoiceId?: string | undefined;
  services?: readonly InvoicePaymentLine[] | undefined;
}

/**
 * The kind-specific Payment fields: `InvoiceId` for dynamic vouchers, `Services` for invoices. Throws
 * ValidationError (nothing sent) for a field the kind does not take or a line sum that is not Amount.
 */
export function paymentExtraFields(input: PaymentExtrasInput): [string, string][] {
  const { kind, invoiceId, services } = input;
  if (kind !== 'dynamic_voucher' && invoiceId !== undefined) {
    throw new ValidationError('invoiceId', `only dynamic vouchers take an invoiceId (service is ${kind})`);
  }
  if (kind !== 'invoice' && services !== undefined) {
    throw new ValidationError('services', `only invoice services take service lines (service is ${kind})`);
  }
  if (kind === 'dynamic_voucher') {
    if (invoiceId === undefined) {
      throw new ValidationError(
        'invoiceId',
        'required for a dynamic voucher: pick an offer from checkAccount',
      );
    }
    if (typeof invoiceId !== 'string' || !/^\d{1,18}$/.test(invoiceId)) {
      throw new ValidationError('invoiceId', 'must be 1 to 18 digits');
    }
    return [['InvoiceId', invoiceId]];
  }
  if (kind === 'invoice') return [['Services', encodeInvoiceServices(input.amount, services)]];
  return [];
}

/** `{"services":[{"id":13,"amount":"5110.18"}, ...]}` after checking that the lines sum to Amount. */
export function encodeInvoiceServices(
  amount: Money,
  services: readonly InvoicePaymentLine[] | undefined,
): string {
  if (!Array.isArray(services) || services.length === 0) {
    throw new ValidationError('services', 'required for an invoice service: at least one line');
  }
  if (services.length > 100) throw new ValidationError('services', 'at most 100 lines');
  const seen = new Set<string>();
  const lines = services.map((line, index) => {
    const serviceId: unknown = line?.serviceId;
    if (typeof serviceId !== 'string' || !/^[1-9]\d{0,9}$/.test(serviceId)) {
      throw new ValidationError(`services.${index}.serviceId`, 'must be 1 to 10 digits');
    }
    if (seen.has(serviceId)) throw new ValidationError(`services.${index}.serviceId`, 'listed twice');
    seen.add(serviceId);
    return { serviceId, amount: Money.parse(line.amount, amount.currency, `services.${index}.amount`) };
  });
  if (seen.has(PAY_ALL_SERVICE_ID) && lines.length > 1) {
    // Line 999 already pays every other line: combining them would pay those twice.
    throw new ValidationError(
      'services',
      `line ${PAY_ALL_SERVICE_ID} (pay everything) must be the only line`,
    );
  }
  const sum = Money.sum(
    lines.map((line) => line.amount),
    amount.currency,
  );
  if (!sum.equals(amount)) {
    throw new ValidationError('services', `lines sum to ${sum.format()}, not the amount ${amount.format()}`);
  }
  const items = lines.map((line) => `{"id":${line.serviceId},"amount":"${line.amount.format()}"}`);
  return `{"services":[${items.join(',')}]}`;
}
