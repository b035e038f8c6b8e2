import { describe, expect, it } from 'vitest';
import type { SealedVoucher } from './journal.js';
import { newPaymentRecord, withAttempt, withLease } from './journal-records.js';
import { fromStoredRecord, toStoredRow } from './stored-record.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const SEALED: SealedVoucher = { keyId: 'k1', iv: 'AAECAwQFBgcICQoL', ciphertext: 'q83v', tag: 'EBES' };

const base = newPaymentRecord({
  paymentId: 'order-1',
  service: 'steam',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  createdAt: T0,
  nextCheckAt: new Date(T0.getTime() + 5_000),
});

describe('how a SQL journal stores a record', () => {
  it('indexes the columns the journals query by', () => {
    const attempted = withAttempt(base, {
      provider: 'vf-a',
      serviceId: '7',
      transactionId: '17409000000000',
      at: T0,
    });
    const leased = withLease(attempted, 'owner-1', T0, 60_000);
    const row = toStoredRow(leased);
    expect(row).toMatchObject({
      paymentId: 'order-1',
      createdAt: T0.toISOString(),
      final: false,
      state: leased.state,
      nextCheckAt: leased.nextCheckAt,
      leaseUntil: leased.lease?.until,
      provider: 'vf-a',
      version: leased.version,
      voucher: null,
    });
    expect(toStoredRow(base)).toMatchObject({ provider: null, leaseUntil: null });
  });

  it('keeps the sealed voucher in its own column, never inside the record JSON, and reads both back', () => {
    const record = { ...base, voucher: SEALED };
    const row = toStoredRow(record);
    expect(JSON.parse(row.record)).not.toHaveProperty('voucher');
    expect(JSON.parse(row.voucher ?? 'null')).toEqual(SEALED);
    expect(fromStoredRecord(row)).toEqual(record);
    expect(fromStoredRecord(toStoredRow(base))).toEqual(base);
  });

  it('reads a row written before vouchers had a column as a record without one', () => {
    const { voucher: _none, ...old } = base;
    expect(fromStoredRecord({ record: JSON.stringify(old), voucher: null }).voucher).toBeNull();
  });
});
