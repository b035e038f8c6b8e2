import { latestAttempt, type PaymentRecord, type Secret } from '@tolem/core';
import type { AttemptView, PaymentView } from './types.js';

/** The public view of a journaled payment. The voucher code is added only by the `pay()` that got it. */
export function toView(record: PaymentRecord, voucherCode?: Secret): PaymentView {
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
    transactionId: latest?.transactionId ?? null,
    attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stuck: record.stuckAt !== null,
  };
  if (voucherCode !== undefined) view.voucherCode = voucherCode;
  return view;
}
