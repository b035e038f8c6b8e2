/**
 * Shape assertions shared by the conformance suites: each throws (a vitest assertion error) with a
 * message naming what broke.
 */
import { expect } from 'vitest';
import { isFinal, isReason, type Outcome, PAYMENT_STATES } from '../model.js';
import type { AccountCheckResult, PaymentResult } from '../operations.js';
import { SERVICE_KINDS } from '../operations.js';
import { Secret } from '../secret.js';

/** A plain decimal string as results carry them: "180.00", "-12.5", "0". */
export const DECIMAL_STRING = /^-?\d+(\.\d+)?$/;

function where(label: string, field: string): string {
  return `${label}: ${field}`;
}

/** state, final and reason agree (architecture §2); providerStatus and message are strings or null. */
export function expectConsistentOutcome(result: Outcome, label = 'outcome'): void {
  expect(PAYMENT_STATES, where(label, `state ${JSON.stringify(result.state)}`)).toContain(result.state);
  expect(result.final, where(label, `final must be ${isFinal(result.state)} for ${result.state}`)).toBe(
    isFinal(result.state),
  );
  if (result.state === 'pending' || result.state === 'succeeded') {
    expect(result.reason, where(label, `reason must be null when ${result.state}`)).toBeNull();
  } else {
    expect(
      isReason(result.reason),
      where(label, `reason ${JSON.stringify(result.reason)} must be a canonical reason when ${result.state}`),
    ).toBe(true);
  }
  expectStringOrNull(result.providerStatus, where(label, 'providerStatus'));
  expectStringOrNull(result.message, where(label, 'message'));
}

export function expectStringOrNull(value: unknown, label: string): void {
  expect(value === null || typeof value === 'string', `${label} must be a string or null`).toBe(true);
}

export function expectDecimalOrNull(value: unknown, label: string): void {
  if (value === null) return;
  expect(typeof value, `${label} must be a decimal string or null`).toBe('string');
  expect(value, `${label} must be a plain decimal string`).toMatch(DECIMAL_STRING);
}

export function expectPaymentResult(result: PaymentResult, transactionId: string, label = 'payment'): void {
  expectConsistentOutcome(result, label);
  expect(result.transactionId, where(label, 'transactionId echoes the request, as a string')).toBe(
    transactionId,
  );
  expectStringOrNull(result.providerRequestId, where(label, 'providerRequestId'));
  expectDecimalOrNull(result.amount, where(label, 'amount'));
  expectDecimalOrNull(result.amountOnClient, where(label, 'amountOnClient'));
  expectDecimalOrNull(result.exchangeRate, where(label, 'exchangeRate'));
  expectStringOrNull(result.currency, where(label, 'currency'));
  expectStringOrNull(result.account, where(label, 'account'));
  expectStringOrNull(result.serviceCurrency, where(label, 'serviceCurrency'));
  if (result.voucherCode !== undefined) {
    expect(Secret.is(result.voucherCode), where(label, 'voucherCode must be a Secret')).toBe(true);
  }
}

export function expectAccountCheckResult(result: AccountCheckResult, label = 'account check'): void {
  expectConsistentOutcome(result, label);
  expectStringOrNull(result.transactionId, where(label, 'transactionId'));
  expectStringOrNull(result.providerRequestId, where(label, 'providerRequestId'));
  expect(typeof result.serviceId, where(label, 'serviceId')).toBe('string');
  expect(typeof result.account, where(label, 'account')).toBe('string');
  expectDecimalOrNull(result.amount, where(label, 'amount'));
  expect(SERVICE_KINDS, where(label, `kind ${JSON.stringify(result.kind)}`)).toContain(result.kind);
  expectDecimalOrNull(result.exchangeRate, where(label, 'exchangeRate'));
  for (const [i, offer] of (result.offers ?? []).entries()) {
    expect(typeof offer.invoiceId, where(label, `offers.${i}.invoiceId`)).toBe('string');
    expectDecimalOrNull(offer.orderAmount, where(label, `offers.${i}.orderAmount`));
    expectDecimalOrNull(offer.payAmount, where(label, `offers.${i}.payAmount`));
  }
  if (result.payAmount !== undefined) expectDecimalOrNull(result.payAmount, where(label, 'payAmount'));
  if (result.invoice !== undefined) expect(typeof result.invoice.invoiceId).toBe('string');
}

/** No secret appears in the JSON of `value`. */
export function expectNoSecrets(value: unknown, secrets: readonly string[], label: string): void {
  const text = JSON.stringify(value) ?? '';
  for (const secret of secrets) {
    if (secret) expect(text.includes(secret), `${label} must not contain a secret`).toBe(false);
  }
}
