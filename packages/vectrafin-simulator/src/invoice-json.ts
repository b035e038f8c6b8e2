import { Dec } from '@tolem/core';
import type { InvoiceLineSpec, InvoiceSpec } from './catalogue.js';
import { dec, int, type JsonValue, writeJson } from './json-writer.js';

/** ServiceId of the pay-everything line (protocol §3.9). */
export const PAY_ALL_SERVICE_ID = 999;

/** The invoice's lines as AccountCheck shows them, the pay-everything line last when enabled. */
export function invoiceLines(invoice: InvoiceSpec): InvoiceLineSpec[] {
  if (invoice.payAllLine === false) return invoice.lines;
  const total = invoice.lines.reduce((sum, line) => sum.plus(line.fixSum), new Dec(0));
  return [
    ...invoice.lines,
    { serviceId: PAY_ALL_SERVICE_ID, name: 'Оплатить всё', fixSum: total.toString(), debtSum: null },
  ];
}

/**
 * The Extras `Invoice` FieldValue: a JSON document inside a string, in the exact layout of the
 * "AccountCheck Алсеко" sample.
 */
export function invoiceFieldValue(invoice: InvoiceSpec): string {
  const services: JsonValue[] = invoiceLines(invoice).map((line) => ({
    ServiceId: int(line.serviceId),
    ServiceName: line.name,
    IsCounterService: int(line.isCounterService ?? 0),
    Measure: line.measure ?? null,
    Tariff: line.tariff ?? null,
    DebtInfo: line.debtInfo ?? null,
    FixSum: dec(line.fixSum),
    DebtSum: nullableDecimal(line.debtSum),
    FixCount: nullableDecimal(line.fixCount),
    PrevCount: nullableDecimal(line.prevCount),
    lastCount: nullableDecimal(line.lastCount),
  }));
  return writeJson({
    Account: {
      Address: invoice.address,
      Invoices: {
        Invoice: {
          AccountName: invoice.accountName ?? '-',
          InvoiceId: invoice.invoiceId,
          Services: { Service: services },
        },
      },
      Params: null,
    },
  });
}

function nullableDecimal(value: string | null | undefined): JsonValue {
  return value === null || value === undefined ? null : dec(value);
}
