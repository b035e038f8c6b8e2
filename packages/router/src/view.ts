import { latestAttempt, type PaymentRecord } from '@tolem/core';
import type { AttemptView, PaymentView } from './types.js';
import type { VoucherView } from './vouchers.js';

/** The public view of a journaled payment, with its voucher code's status (sendType `api` only). */
export function toView(record: PaymentRecord, voucher?: VoucherView): PaymentView {
  const latest = latestAttempt(record);
  const attempts: AttemptView[] = record.attempts.map((attempt) => ({
    no: attempt.no,
    provider: attempt.provider,
    serviceId: attempt.serviceId,
    transactionId: attempt.transactionId,
    state: attempt.state,
    final: attempt.final,
    reason: attempt.reason,
    providerStatus: attempt.providerStatus,
    message: attempt.message,
    providerRequestId: attempt.providerRequestId,
    sends: attempt.sends,
    route: attempt.route ?? null,
  }));
  const view: PaymentView = {
    paymentId: record.paymentId,
    service: record.service,
    account: record.account,
    amount: record.amount,
    currency: record.currency,
    state: record.state,
    final: record.final,
    reason: record.reason,
    providerStatus: record.providerStatus,
    message: record.message,
    provider: latest?.provider ?? null,
    route: latest?.route ?? null,
    transactionId: latest?.transactionId ?? null,
    attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stuck: record.stuckAt !== null,
  };
  if (voucher !== undefined) {
    view.voucherStatus = voucher.status;
    if (voucher.code !== undefined) view.voucherCode = voucher.code;
  }
  return view;
}
