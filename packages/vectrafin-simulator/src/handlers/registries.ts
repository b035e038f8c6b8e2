import { Dec } from '@tolem/core';
import { isLosslessNumber, parse } from 'lossless-json';
import type { SimulatorContext } from '../context.js';
import type { JsonValue } from '../json-writer.js';
import { normaliseWireDateTime } from '../time-format.js';

/**
 * PostPayments and PostTotalAmount (Russian half, protocol §5, §6): JSON bodies carrying AgentId and
 * AgentPassword, answered {"status":"success"|"error","details":{"message":…}} (protocol §3.15).
 */

export const MAX_REGISTRY_SIZE = 1000;

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses a JSON endpoint body and authenticates it; returns the body or the error answer. */
export function readJsonBody(
  ctx: SimulatorContext,
  text: string,
): { body: Record<string, unknown>; agentId: string } | { error: JsonValue } {
  let body: unknown;
  try {
    body = parse(text);
  } catch {
    return { error: answer('error', 'Неверный формат JSON') };
  }
  if (!isRecord(body)) return { error: answer('error', 'Неверный формат JSON') };
  const agentId = integerText(body.AgentId);
  const password = typeof body.AgentPassword === 'string' ? body.AgentPassword : undefined;
  if (agentId === null || !ctx.ledger.agents.authenticate(agentId, password)) {
    return { error: answer('error', 'Ошибка авторизации') };
  }
  return { body, agentId };
}

export function postPayments(
  ctx: SimulatorContext,
  body: Record<string, unknown>,
  agentId: string,
): JsonValue {
  const transactions = body.Transactions;
  if (!Array.isArray(transactions) || transactions.length === 0) {
    return answer('error', 'Не заполнено поле Transactions');
  }
  if (transactions.length > MAX_REGISTRY_SIZE) {
    return answer('error', `Превышено максимальное количество транзакций в запросе (${MAX_REGISTRY_SIZE})`);
  }
  const seen = new Set<string>();
  const accepted: Record<string, string>[] = [];
  for (const [index, entry] of transactions.entries()) {
    const checked = checkTransaction(entry);
    if (!checked.ok) return answer('error', `Транзакция ${index + 1}: ${checked.message}`);
    const id = checked.value.TransactionId ?? '';
    if (seen.has(id)) return answer('error', `Транзакция ${index + 1}: TransactionId ${id} повторяется`);
    seen.add(id);
    accepted.push(checked.value);
  }
  ctx.ledger.noteRegistry(agentId, accepted);
  return answer('success', 'Реестр успешно загружен');
}

export function postTotalAmount(
  ctx: SimulatorContext,
  body: Record<string, unknown>,
  agentId: string,
): JsonValue {
  const date = typeof body.Date === 'string' && isDate(body.Date) ? body.Date : null;
  if (date === null) return answer('error', 'Неверное значение поля Date');
  const totalAmount = amountText(body.TotalAmount);
  const totalCount = integerText(body.TotalCount);
  if (totalAmount === null) return answer('error', 'Неверное значение поля TotalAmount');
  if (totalCount === null) return answer('error', 'Неверное значение поля TotalCount');
  if (!Array.isArray(body.Services) || body.Services.length === 0) {
    return answer('error', 'Не заполнено поле Services');
  }
  let amountSum = new Dec(0);
  let countSum = 0n;
  const services: Record<string, string>[] = [];
  for (const [index, line] of body.Services.entries()) {
    const serviceId = isRecord(line) ? integerText(line.ServiceId) : null;
    const amount = isRecord(line) ? amountText(line.Amount) : null;
    const count = isRecord(line) ? integerText(line.Count) : null;
    if (serviceId === null || amount === null || count === null) {
      return answer('error', `Сервис ${index + 1}: не заполнены ServiceId, Amount или Count`);
    }
    amountSum = amountSum.plus(amount);
    countSum += BigInt(count);
    services.push({ ServiceId: serviceId, Amount: amount, Count: count });
  }
  if (!amountSum.equals(totalAmount)) {
    return answer('error', `TotalAmount ${totalAmount} не равен сумме по сервисам ${amountSum.toString()}`);
  }
  if (countSum !== BigInt(totalCount)) {
    return answer('error', `TotalCount ${totalCount} не равен количеству по сервисам ${countSum.toString()}`);
  }
  ctx.ledger.noteDailyTotals(agentId, {
    Date: date,
    TotalAmount: totalAmount,
    TotalCount: totalCount,
    Services: services,
  });
  return answer('success', 'Итоговая строка успешно загружена');
}

function answer(status: 'success' | 'error', message: string): JsonValue {
  return { status, details: { message } };
}

const FIELDS = [
  'TransactionId',
  'RequestId',
  'AgentRequestCreatedOn',
  'Account',
  'Amount',
  'ServiceId',
  'Year',
  'Month',
];

function checkTransaction(entry: unknown): Checked<Record<string, string>> {
  if (!isRecord(entry)) return { ok: false, message: 'не объект' };
  for (const field of FIELDS) {
    if (entry[field] === undefined || entry[field] === null)
      return { ok: false, message: `не заполнено поле ${field}` };
  }
  const values: Record<string, string | null> = {
    TransactionId: integerText(entry.TransactionId, 19),
    RequestId: integerText(entry.RequestId, 19),
    AgentRequestCreatedOn:
      typeof entry.AgentRequestCreatedOn === 'string' &&
      normaliseWireDateTime(entry.AgentRequestCreatedOn) !== null
        ? entry.AgentRequestCreatedOn
        : null,
    Account:
      typeof entry.Account === 'string' && entry.Account !== '' && entry.Account.length <= 200
        ? entry.Account
        : null,
    Amount: amountText(entry.Amount),
    ServiceId: integerText(entry.ServiceId),
    Year: rangeText(entry.Year, 2000, 2100),
    Month: rangeText(entry.Month, 1, 12),
  };
  const result: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = values[field];
    if (value === null || value === undefined)
      return { ok: false, message: `неверное значение поля ${field}` };
    result[field] = value;
  }
  return { ok: true, value: result };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative integer given as a JSON number or a digit string, as exact text. */
function integerText(value: unknown, maxDigits = 18): string | null {
  const text = isLosslessNumber(value) ? value.value : typeof value === 'string' ? value : null;
  return text !== null && new RegExp(`^(0|[1-9]\\d{0,${maxDigits - 1}})$`).test(text) ? text : null;
}

/** A positive amount with at most two decimals, as a JSON number or a string. */
function amountText(value: unknown): string | null {
  const text = isLosslessNumber(value) ? value.value : typeof value === 'string' ? value : null;
  if (text === null || !/^(0|[1-9]\d{0,14})(\.\d{1,2})?$/.test(text)) return null;
  return new Dec(text).isZero() ? null : text;
}

function rangeText(value: unknown, min: number, max: number): string | null {
  const text = integerText(value, 4);
  return text !== null && Number(text) >= min && Number(text) <= max ? text : null;
}

function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}
