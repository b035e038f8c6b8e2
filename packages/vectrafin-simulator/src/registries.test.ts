import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_ID, DEMO_PASSWORD, type Simulator, startSimulator } from './index.js';
import { createRawClient, type RawClient } from './raw-client.js';

/** PostPayments and PostTotalAmount validation (protocol §3.15, §5, §6). Bodies are raw JSON text. */

const auth = `"AgentId":${DEMO_AGENT_ID},"AgentPassword":"${DEMO_PASSWORD}"`;

function transaction(index: number, overrides: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    TransactionId: String(100_000 + index),
    RequestId: String(638405063993273260n + BigInt(index)),
    AgentRequestCreatedOn: '"2024-07-09T09:05:15"',
    Account: '"7081982000"',
    Amount: '4714.25',
    ServiceId: '48',
    Year: '2024',
    Month: '7',
    ...overrides,
  };
  return `{${Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `"${key}":${value}`)
    .join(',')}}`;
}

const registry = (entries: string[]) => `{${auth},"Transactions":[${entries.join(',')}]}`;

describe('registries', () => {
  let simulator: Simulator;
  let client: RawClient;

  beforeAll(async () => {
    simulator = await startSimulator({ seed: 'registries' });
    client = createRawClient(simulator.url);
  });
  afterAll(async () => {
    await client.close();
    await simulator.close();
  });

  const postPayments = async (body: string) => (await client.json('/home/postpayments', body)).text;
  const postTotals = async (body: string) => (await client.json('/home/posttotalamount', body)).text;
  const error = (message: string) => `{"status":"error","details":{"message":"${message}"}}`;

  it('accepts 1000 transactions and keeps 18-digit RequestIds exactly', async () => {
    const before = simulator.ledger.registries().length;
    const answer = await postPayments(
      registry(Array.from({ length: 1000 }, (_, index) => transaction(index))),
    );
    expect(answer).toBe('{"status":"success","details":{"message":"Реестр успешно загружен"}}');
    const stored = simulator.ledger.registries()[before];
    expect(stored?.transactions).toHaveLength(1000);
    expect(stored?.transactions[999]?.RequestId).toBe('638405063993274259');
  });

  it('refuses 1001 transactions', async () => {
    const answer = await postPayments(
      registry(Array.from({ length: 1001 }, (_, index) => transaction(index))),
    );
    expect(answer).toBe(error('Превышено максимальное количество транзакций в запросе (1000)'));
  });

  it.each([
    ['a missing Account', { Account: '' }, 'Транзакция 2: не заполнено поле Account'],
    ['a null Amount', { Amount: 'null' }, 'Транзакция 2: не заполнено поле Amount'],
    ['an Amount with three decimals', { Amount: '10.001' }, 'Транзакция 2: неверное значение поля Amount'],
    ['a zero Amount', { Amount: '0' }, 'Транзакция 2: неверное значение поля Amount'],
    ['Month 13', { Month: '13' }, 'Транзакция 2: неверное значение поля Month'],
    [
      'a date that is not one',
      { AgentRequestCreatedOn: '"yesterday"' },
      'Транзакция 2: неверное значение поля AgentRequestCreatedOn',
    ],
    ['a fractional ServiceId', { ServiceId: '48.5' }, 'Транзакция 2: неверное значение поля ServiceId'],
  ])('refuses a registry with %s, naming the entry and the field', async (_label, override, message) => {
    const before = simulator.ledger.registries().length;
    const answer = await postPayments(registry([transaction(1), transaction(2, override), transaction(3)]));
    expect(answer).toBe(error(message));
    expect(simulator.ledger.registries()).toHaveLength(before);
  });

  it('refuses a TransactionId listed twice', async () => {
    const answer = await postPayments(registry([transaction(1), transaction(1)]));
    expect(answer).toBe(error('Транзакция 2: TransactionId 100001 повторяется'));
  });

  it('refuses an empty registry, broken JSON, and the bare array of the English half (no credentials)', async () => {
    expect(await postPayments(registry([]))).toBe(error('Не заполнено поле Transactions'));
    expect(await postPayments('{"AgentId":')).toBe(error('Неверный формат JSON'));
    expect(await postPayments(`[${transaction(1)}]`)).toBe(error('Неверный формат JSON'));
  });

  it('refuses a wrong password without reading the transactions', async () => {
    const body = `{"AgentId":${DEMO_AGENT_ID},"AgentPassword":"wrong","Transactions":[]}`;
    expect(await postPayments(body)).toBe(error('Ошибка авторизации'));
  });

  const totals = (total: string, count: string, lines: string[]) =>
    `{${auth},"Date":"2025-03-01","TotalAmount":${total},"TotalCount":${count},"Services":[${lines.join(',')}]}`;
  const line = (serviceId: string, amount: string, count: string) =>
    `{"ServiceId":${serviceId},"Amount":${amount},"Count":${count}}`;

  it('accepts daily totals equal to the sum of their lines, exactly (no float drift)', async () => {
    const answer = await postTotals(totals('0.30', '2', [line('48', '0.10', '1'), line('59', '0.20', '1')]));
    expect(answer).toBe('{"status":"success","details":{"message":"Итоговая строка успешно загружена"}}');
    expect(simulator.ledger.dailyTotals().at(-1)?.totals).toEqual({
      Date: '2025-03-01',
      TotalAmount: '0.30',
      TotalCount: '2',
      Services: [
        { ServiceId: '48', Amount: '0.10', Count: '1' },
        { ServiceId: '59', Amount: '0.20', Count: '1' },
      ],
    });
  });

  it.each([
    [
      'an amount off by a cent',
      totals('0.31', '2', [line('48', '0.10', '1'), line('59', '0.20', '1')]),
      'TotalAmount 0.31 не равен сумме по сервисам 0.3',
    ],
    [
      'a count off by one',
      totals('0.30', '3', [line('48', '0.10', '1'), line('59', '0.20', '1')]),
      'TotalCount 3 не равен количеству по сервисам 2',
    ],
    ['no lines', totals('0.30', '2', []), 'Не заполнено поле Services'],
    [
      'a line without Count',
      totals('0.10', '1', ['{"ServiceId":48,"Amount":0.10}']),
      'Сервис 1: не заполнены ServiceId, Amount или Count',
    ],
    [
      'a date that does not exist',
      totals('0.10', '1', [line('48', '0.10', '1')]).replace('2025-03-01', '2025-02-30'),
      'Неверное значение поля Date',
    ],
  ])('refuses totals with %s', async (_label, body, message) => {
    expect(await postTotals(body)).toBe(error(message));
  });
});
