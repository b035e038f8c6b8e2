import { latestAttempt, type PaymentRecord, type SealedVoucher } from '@tolem/core';

/** A payments row as read: the record's JSON and the sealed voucher's, if any. */
export interface PaymentRow {
  record: string;
  voucher: string | null;
}

/** The indexed columns, the record as JSON, and its sealed voucher in a column of its own. */
export function columns(record: PaymentRecord) {
  const { voucher, ...rest } = record;
  return {
    paymentId: record.paymentId,
    createdAt: record.createdAt,
    final: record.final ? 1 : 0,
    state: record.state,
    nextCheckAt: record.nextCheckAt,
    leaseUntil: record.lease?.until ?? null,
    provider: latestAttempt(record)?.provider ?? null,
    version: record.version,
    record: JSON.stringify(rest),
    voucher: voucher == null ? null : JSON.stringify(voucher),
  };
}

/** A stored row as a record; rows written before schema version 2 have no voucher. */
export function parse(row: PaymentRow): PaymentRecord {
  const record = JSON.parse(row.record) as Omit<PaymentRecord, 'voucher'>;
  return { ...record, voucher: row.voucher === null ? null : (JSON.parse(row.voucher) as SealedVoucher) };
}
