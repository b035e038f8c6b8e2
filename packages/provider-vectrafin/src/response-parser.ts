import {
  decimalText,
  integerText,
  isWireObject,
  nestedJson,
  pick,
  requiredDecimal,
  stringText,
  WireNumber,
  type WireObject,
  WireShapeError,
  type WireValue,
} from './json-value.js';
import { normaliseStatusCode } from './status-table.js';

/**
 * Decoders for every answer of the form endpoint and the JSON endpoints. They absorb the quirks of
 * protocol §3 and produce plain records of strings; a body of the wrong shape is a WireShapeError.
 */

/** One `Extras` entry, whichever of the three shapes it came in (protocol §3.5). */
export interface ExtraField {
  name: string;
  value: WireValue;
}

export interface TransactionContent {
  serviceId: string | null;
  account: string | null;
  amount: string | null;
  currency: string | null;
  exchangeRate: string | null;
  serviceCurrency: string | null;
  amountOnClient: string | null;
  extras: ExtraField[];
}

/** AccountCheck, Payment, Status and CallBack answers. */
export interface TransactionResponse {
  requestId: string | null;
  responseType: string | null;
  /** The echoed agent id, sign dropped (protocol §3.2): compare this one. */
  transactionId: string | null;
  /** The echoed agent id exactly as sent, sign included. */
  echoedTransactionId: string | null;
  /** Normalised code ("10", "-4"), or the raw text when it is not an integer. */
  status: string;
  message: string | null;
  content: TransactionContent | null;
}

/** The status of an answer that carries an error instead of the data asked for. */
export interface StatusEnvelope {
  status: string;
  message: string | null;
}

/** Either the data the operation asked for or a status-only error answer. */
export type Answer<T> = { kind: 'data'; data: T } | { kind: 'status'; envelope: StatusEnvelope };

function expectObject(value: WireValue, what: string): WireObject {
  if (!isWireObject(value)) throw new WireShapeError(`${what} is not a JSON object`);
  return value;
}

function readStatus(object: WireObject): string | null {
  const raw = pick(object, 'ResponseStatus', 'StatusId');
  if (raw === undefined || raw === null) return null;
  const text = stringText(raw, 'ResponseStatus');
  if (text === null || text.trim() === '') throw new WireShapeError('ResponseStatus is empty');
  return normaliseStatusCode(text) ?? text;
}

/**
 * The provider's text of an answer: `Message`, or — when that is absent or blank — `Error`, where some
 * servers of the protocol family put it. A non-text `Error` is ignored rather than failing the answer.
 */
function readMessage(object: WireObject, ...names: string[]): string | null {
  const message = stringText(pick(object, ...names, 'Message'), names[0] ?? 'Message');
  if (message !== null && message.trim() !== '') return message;
  const error = pick(object, 'Error');
  const text = typeof error === 'string' || error instanceof WireNumber ? stringText(error, 'Error') : null;
  return text !== null && text.trim() !== '' ? text : message;
}

/** A status-only answer (`{"ResponseStatus":-1,"Message":"..."}`), or null when there is none. */
export function readStatusEnvelope(value: WireValue): StatusEnvelope | null {
  if (!isWireObject(value)) return null;
  const status = readStatus(value);
  if (status === null) return null;
  return { status, message: readMessage(value) };
}

export function readExtras(value: WireValue | undefined): ExtraField[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    if (value.trim() === '') return [];
    const nested = nestedJson(value, 'Extras');
    return typeof nested === 'string' ? [] : readExtras(nested);
  }
  if (Array.isArray(value)) {
    const fields: ExtraField[] = [];
    for (const item of value) {
      if (!isWireObject(item)) throw new WireShapeError('Extras item is not an object');
      const name = stringText(pick(item, 'FieldName', 'fieldName', 'Name'), 'Extras.FieldName');
      if (name === null) throw new WireShapeError('Extras item has no FieldName');
      fields.push({ name, value: pick(item, 'FieldValue', 'fieldValue', 'Value') ?? null });
    }
    return fields;
  }
  if (isWireObject(value)) return Object.entries(value).map(([name, field]) => ({ name, value: field }));
  throw new WireShapeError('Extras is neither null, a list nor an object');
}

function readContent(value: WireValue | undefined): TransactionContent | null {
  if (value === undefined || value === null) return null;
  const content = expectObject(value, 'TransactionContent');
  return {
    // A string in AccountCheck, a number in Payment and Status (protocol §3.4).
    serviceId: stringText(pick(content, 'Service', 'ServiceId'), 'Service'),
    account: stringText(pick(content, 'account', 'Account'), 'account'),
    amount: decimalText(pick(content, 'Amount'), 'Amount'),
    currency: stringText(pick(content, 'Currency'), 'Currency'),
    exchangeRate: decimalText(pick(content, 'ExchangeRate'), 'ExchangeRate'),
    serviceCurrency: stringText(pick(content, 'ServiceCurrency'), 'ServiceCurrency'),
    amountOnClient: decimalText(pick(content, 'AmountOnClient'), 'AmountOnClient'),
    extras: readExtras(pick(content, 'Extras')),
  };
}

/** AccountCheck / Payment / Status / CallBack. */
export function readTransactionResponse(document: WireValue): TransactionResponse {
  const object = expectObject(document, 'the answer');
  const status = readStatus(object);
  if (status === null) throw new WireShapeError('the answer has no ResponseStatus');
  // `TransactinID` is the provider's own spelling (protocol §3.1).
  const echoed = integerText(pick(object, 'TransactinID', 'TransactionID', 'TransactionId'), 'TransactinID');
  return {
    requestId: integerText(pick(object, 'RequestID', 'RequestId'), 'RequestID'),
    responseType: stringText(pick(object, 'ResponseType'), 'ResponseType'),
    transactionId: echoed === null ? null : echoed.replace(/^-/, ''),
    echoedTransactionId: echoed,
    status,
    message: readMessage(object),
    content: readContent(pick(object, 'TransactionContent')),
  };
}

export interface BalanceLine {
  currency: string;
  balance: string;
  overdraft: string;
}

/** CheckBalance: `{AgentID, ResponseType, Balances:[...]}`, no ResponseStatus (protocol §3.11). */
export function readBalances(document: WireValue): Answer<BalanceLine[]> {
  const object = expectObject(document, 'the answer');
  const balances = pick(object, 'Balances');
  if (balances === undefined || balances === null) {
    const envelope = readStatusEnvelope(object);
    if (envelope) return { kind: 'status', envelope };
    throw new WireShapeError('the answer has no Balances');
  }
  if (!Array.isArray(balances)) throw new WireShapeError('Balances is not a list');
  const data = balances.map((item) => {
    const line = expectObject(item, 'a Balances item');
    return {
      currency: stringText(pick(line, 'Currency'), 'Currency') ?? '',
      balance: requiredDecimal(pick(line, 'Balance'), 'Balance'),
      overdraft: decimalText(pick(line, 'Overbalance', 'Overdraft'), 'Overbalance') ?? '0',
    };
  });
  return { kind: 'data', data };
}

/** A bare list (protocol §3.12, §3.13), or a status-only error object. */
function readList(document: WireValue): Answer<WireObject[]> {
  if (Array.isArray(document)) {
    return { kind: 'data', data: document.map((item) => expectObject(item, 'a list item')) };
  }
  const envelope = readStatusEnvelope(document);
  if (envelope) return { kind: 'status', envelope };
  throw new WireShapeError('the answer is not a list');
}

export interface PaymentLine {
  transactionId: string;
  requestId: string | null;
  agentCreatedAt: string | null;
  account: string;
  amount: string;
  currency: string | null;
  serviceId: string;
  serviceName: string | null;
  createdAt: string | null;
  processedAt: string | null;
  status: string | null;
  message: string | null;
}

/** GetPaymentsByDate: a bare array; times kept verbatim (7 fractional digits, no zone: protocol §3.12). */
export function readPaymentList(document: WireValue): Answer<PaymentLine[]> {
  const list = readList(document);
  if (list.kind === 'status') return list;
  const data = list.data.map((item) => {
    const transactionId = integerText(pick(item, 'TransactionId', 'TransactinID'), 'TransactionId');
    const serviceId = stringText(pick(item, 'ServiceId'), 'ServiceId');
    if (transactionId === null || serviceId === null) throw new WireShapeError('a payment has no id');
    return {
      transactionId,
      requestId: integerText(pick(item, 'RequestId', 'RequestID'), 'RequestId'),
      agentCreatedAt: stringText(pick(item, 'AgentRequestCreatedOn'), 'AgentRequestCreatedOn'),
      account: stringText(pick(item, 'Account'), 'Account') ?? '',
      amount: requiredDecimal(pick(item, 'Amount'), 'Amount'),
      currency: stringText(pick(item, 'Currency'), 'Currency'),
      serviceId,
      serviceName: stringText(pick(item, 'Service'), 'Service'),
      createdAt: stringText(pick(item, 'CreatedOn'), 'CreatedOn'),
      processedAt: stringText(pick(item, 'ProcessedOn'), 'ProcessedOn'),
      status: readStatus(item),
      message: readMessage(item, 'Status'),
    };
  });
  return { kind: 'data', data };
}

export interface ServiceLine {
  id: string;
  name: string;
  testAccount: string | null;
  rate: string | null;
  topCommission: string | null;
  limits: { currency: string; minAmount: string; maxAmount: string }[];
}

/** GetSettingServices: a bare array with lower-case `limits` of `{MinAmountKZT, MaxAmountKZT}` (protocol §3.13). */
export function readServiceList(document: WireValue): Answer<ServiceLine[]> {
  const list = readList(document);
  if (list.kind === 'status') return list;
  const data = list.data.map((item) => {
    const id = stringText(pick(item, 'Id', 'ServiceId'), 'Id');
    if (id === null) throw new WireShapeError('a service has no Id');
    return {
      id,
      name: stringText(pick(item, 'Name'), 'Name') ?? '',
      testAccount: stringText(pick(item, 'TestAccount'), 'TestAccount'),
      rate: decimalText(pick(item, 'Rate'), 'Rate'),
      topCommission: decimalText(pick(item, 'TopCommission'), 'TopCommission'),
      limits: readLimits(pick(item, 'limits')),
    };
  });
  return { kind: 'data', data };
}

function readLimits(value: WireValue | undefined): ServiceLine['limits'] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const limits: ServiceLine['limits'] = [];
  for (const item of items) {
    const object = expectObject(item, 'a limits item');
    for (const key of Object.keys(object)) {
      const match = /^MinAmount([A-Za-z]{3})$/i.exec(key);
      if (!match?.[1]) continue;
      const currency = match[1].toUpperCase();
      const maxAmount = decimalText(pick(object, `MaxAmount${currency}`), `MaxAmount${currency}`);
      const minAmount = decimalText(object[key], key);
      if (minAmount !== null && maxAmount !== null) limits.push({ currency, minAmount, maxAmount });
    }
  }
  return limits;
}

export interface CalculatedSum {
  amount: string;
  currency: string | null;
  serviceId: string | null;
  exchangeRate: string | null;
  expectedAmount: string | null;
  expectedCurrency: string | null;
}

/** CalculatedSum: no status, Amount with up to 9 decimals (protocol §3.14). */
export function readCalculatedSum(document: WireValue): Answer<CalculatedSum> {
  const object = expectObject(document, 'the answer');
  const amount = decimalText(pick(object, 'Amount'), 'Amount');
  if (amount === null) {
    const envelope = readStatusEnvelope(object);
    if (envelope) return { kind: 'status', envelope };
    throw new WireShapeError('the answer has no Amount');
  }
  return {
    kind: 'data',
    data: {
      amount,
      currency: stringText(pick(object, 'Currency'), 'Currency'),
      serviceId: stringText(pick(object, 'Service'), 'Service'),
      exchangeRate: decimalText(pick(object, 'ExchangeRate'), 'ExchangeRate'),
      expectedAmount: decimalText(pick(object, 'ExpectedAmount'), 'ExpectedAmount'),
      expectedCurrency: stringText(pick(object, 'ExpectedCurrency'), 'ExpectedCurrency'),
    },
  };
}

export interface RegistryAck {
  status: string;
  message: string | null;
}

/** PostPayments / PostTotalAmount: `{"status":"success"|"error","details":{"message":...}}` (protocol §3.15). */
export function readRegistryAck(document: WireValue): RegistryAck {
  const object = expectObject(document, 'the answer');
  const status = stringText(pick(object, 'status'), 'status');
  if (status === null) throw new WireShapeError('the answer has no status');
  const details = pick(object, 'details');
  let message: string | null = null;
  if (isWireObject(details)) message = readMessage(details, 'message');
  else if (typeof details === 'string') message = details;
  // Outside `details`, as the form answers carry it.
  if (message === null || message.trim() === '') message = readMessage(object) ?? message;
  return { status, message };
}
