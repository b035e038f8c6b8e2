import type { Secret } from '@tolem/core';

/**
 * The form endpoint's bodies (`/home/index`, application/x-www-form-urlencoded), one builder per
 * RequestType, fields in the order of the spec's samples. Inputs are already validated.
 */

export const REQUEST_TYPES = [
  'AccountCheck',
  'Payment',
  'Status',
  'CheckBalance',
  'GetPaymentsByDate',
  'GetSettingServices',
  'CalculatedSum',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export type FormFields = [name: string, value: string][];

export interface Credentials {
  agentId: string;
  password: Secret;
}

/** The fields AccountCheck and Payment share. */
export interface TransactionFields {
  serviceId: string;
  /** "180.00": exactly two decimals (protocol §2). */
  amount: string;
  currency: string;
  /** "yyyy-MM-dd HH:mm:ss" in the operator's zone. */
  requestDate: string;
  transactionId: string;
  account: string;
  /** InvoiceId, Services, SendType: appended after the common fields. */
  extra?: FormFields;
}

export function encodeForm(fields: FormFields): string {
  return new URLSearchParams(fields).toString();
}

function head(credentials: Credentials): FormFields {
  return [
    ['AgentID', credentials.agentId],
    ['AgentPassword', credentials.password.reveal()],
  ];
}

function transaction(credentials: Credentials, type: RequestType, fields: TransactionFields): FormFields {
  return [
    ...head(credentials),
    ['Service', fields.serviceId],
    ['Amount', fields.amount],
    ['RequestType', type],
    ['Currency', fields.currency],
    ['RequestDate', fields.requestDate],
    ['TransactionID', fields.transactionId],
    ['Account', fields.account],
    ...(fields.extra ?? []),
  ];
}

export function accountCheckFields(credentials: Credentials, fields: TransactionFields): FormFields {
  return transaction(credentials, 'AccountCheck', fields);
}

export function paymentFields(credentials: Credentials, fields: TransactionFields): FormFields {
  return transaction(credentials, 'Payment', fields);
}

export function statusFields(credentials: Credentials, transactionId: string): FormFields {
  return [...head(credentials), ['RequestType', 'Status'], ['TransactionID', transactionId]];
}

export function checkBalanceFields(credentials: Credentials): FormFields {
  return [...head(credentials), ['RequestType', 'CheckBalance']];
}

export function settingServicesFields(credentials: Credentials): FormFields {
  return [...head(credentials), ['RequestType', 'GetSettingServices']];
}

/** `from` / `to`: "yyyy-MM-dd HH:mm:ss" in the agent's zone. */
export function paymentsByDateFields(credentials: Credentials, from: string, to: string): FormFields {
  return [...head(credentials), ['RequestType', 'GetPaymentsByDate'], ['From', from], ['To', to]];
}

export interface CalculatedSumFields {
  serviceId: string;
  amount: string;
  currency: string;
  account: string;
}

export function calculatedSumFields(credentials: Credentials, fields: CalculatedSumFields): FormFields {
  return [
    ...head(credentials),
    ['Service', fields.serviceId],
    ['Amount', fields.amount],
    ['RequestType', 'CalculatedSum'],
    ['Currency', fields.currency],
    ['Account', fields.account],
  ];
}
