import type { PaymentRecord, SealedVoucher } from './journal.js';
import { latestAttempt } from './journal-records.js';

/**
 * How a SQL journal keeps a record in a row: the record as JSON, less its sealed voucher code, which
 * has a column of its own (written once, never inside the record's JSON).
 */
export interface StoredRecord {
  record: string;
  voucher: string | null;
}

/** A record's row: the columns a SQL journal indexes it by, and the record itself as stored. */
export interface StoredRow extends StoredRecord {
  paymentId: string;
  createdAt: string;
  final: boolean;
  state: PaymentRecord['state'];
  nextCheckAt: string | null;
  leaseUntil: string | null;
  /** The provider of the latest attempt (null before the first). */
  provider: string | null;
  version: number;
}

/** The row a SQL journal writes for `record`. */
export function toStoredRow(record: PaymentRecord): StoredRow {
  const { voucher, ...rest } = record;
  return {
    paymentId: record.paymentId,
    createdAt: record.createdAt,
    final: record.final,
    state: record.state,
    nextCheckAt: record.nextCheckAt,
    leaseUntil: record.lease?.until ?? null,
    provider: latestAttempt(record)?.provider ?? null,
    version: record.version,
    record: JSON.stringify(rest),
    voucher: voucher == null ? null : JSON.stringify(voucher),
  };
}

/** A stored row as a record; rows written before vouchers had a column have none. */
export function fromStoredRecord(row: StoredRecord): PaymentRecord {
  const record = JSON.parse(row.record) as Omit<PaymentRecord, 'voucher'>;
  return { ...record, voucher: row.voucher === null ? null : (JSON.parse(row.voucher) as SealedVoucher) };
}
