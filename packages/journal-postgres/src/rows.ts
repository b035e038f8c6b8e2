import { latestAttempt, type PaymentRecord, type SealedVoucher } from '@tolem/core';

/** A payments row as read: the record's JSON and the sealed voucher's, if any. */
export interface PaymentRow {
  record: string;
  voucher: string | null;
}

/** The indexed columns, the record and its sealed voucher, in the order of the insert and update statements. */
export function columns(record: PaymentRecord): (string | number | boolean | null)[] {
  return [
    record.paymentId,
    record.createdAt,
    record.final,
    record.state,
    record.nextCheckAt,
    record.lease?.until ?? null,
    latestAttempt(record)?.provider ?? null,
    record.version,
    recordJson(record),
    record.voucher == null ? null : JSON.stringify(record.voucher),
  ];
}

/** The record as stored in `record`: everything but the voucher, which has a column of its own. */
export function recordJson(record: PaymentRecord): string {
  const { voucher: _ownColumn, ...rest } = record;
  return JSON.stringify(rest);
}

/** A stored row as a record; rows written before schema version 2 have no voucher. */
export function parse(row: PaymentRow): PaymentRecord {
  const record = JSON.parse(row.record) as Omit<PaymentRecord, 'voucher'>;
  return { ...record, voucher: row.voucher === null ? null : (JSON.parse(row.voucher) as SealedVoucher) };
}
