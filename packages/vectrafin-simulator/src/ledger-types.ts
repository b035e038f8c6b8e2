import type { Secret, ServiceKind } from '@tolem/core';
import type { TimelineStep } from './progression.js';

/** The shapes the ledger keeps and hands out. */

/** A scripted future for one TransactionID (see `Ledger.setOutcome`). */
export interface OutcomePlan {
  /** The final code (default 10). */
  finalStatus?: number;
  /** Pending steps before it (default: the simulator's progression). */
  steps?: readonly number[];
  stepMs?: number;
}

/** What the ledger knows about one payment, as tests read it. */
export interface LedgerPayment {
  agentId: string;
  transactionId: string;
  providerRequestId: string;
  serviceId: string;
  serviceKind: ServiceKind;
  account: string;
  amount: string;
  currency: string;
  exchangeRate: string;
  serviceCurrency: string;
  amountOnClient: string;
  invoiceId: string | null;
  /** The Services JSON of an invoice payment, as sent. */
  services: string | null;
  sendType: string | null;
  /** RequestDate as sent. */
  requestDate: string | null;
  createdAt: Date;
  processedAt: Date | null;
  status: number;
  message: string;
  final: boolean;
  /** Every status the payment has had so far, oldest first. */
  history: { status: number; at: Date }[];
  credited: boolean;
  /** Set once a voucher payment succeeds; redacted wherever it is printed. */
  voucherCode: Secret | null;
}

export interface CreditEvent {
  agentId: string;
  transactionId: string;
  serviceId: string;
  account: string;
  amount: string;
  currency: string;
  amountOnClient: string;
  serviceCurrency: string;
  at: Date;
}

export interface RequestLogEntry {
  requestType: string;
  agentId: string | null;
  transactionId: string | null;
  at: Date;
  /** The fault applied to this request, if any. */
  fault: string | null;
}

/** The fields a new payment is recorded with; the ledger adds ids, times and the timeline. */
export interface NewPayment {
  agentId: string;
  transactionId: string;
  serviceId: string;
  serviceKind: ServiceKind;
  account: string;
  amount: string;
  currency: string;
  exchangeRate: string;
  serviceCurrency: string;
  invoiceId: string | null;
  services: string | null;
  sendType: string | null;
  requestDate: string | null;
}

/** The internal record: a LedgerPayment plus what the ledger needs to move it forward. */
export interface PaymentRecord extends Omit<LedgerPayment, 'history' | 'message' | 'final'> {
  timeline: TimelineStep[];
  /** How many timeline steps have been applied. */
  applied: number;
  history: { status: number; at: Date }[];
  debited: boolean;
  createdFraction: string;
  processedFraction: string;
}
