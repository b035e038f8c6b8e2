import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { parseJsonLossless } from '../json-input.js';
import { readDailyTotals, readRegistryEntries } from './vectrafin-registry.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError && error.exitCode === 2) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

const ENTRY =
  '{"TransactionId": 6527505296357515, "RequestId": 638405063993273260, "AgentRequestCreatedOn": "2024-07-09T09:05:15", "Account": "7081982000", "Amount": 4714.25, "ServiceId": 48, "Year":2024, "Month":7}';

describe('readRegistryEntries', () => {
  it('maps the spec field names, keeping 18-digit ids and amounts exact (protocol §3.3, §6)', () => {
    expect(readRegistryEntries(parseJsonLossless(`[${ENTRY}]`), 'f.json')).toEqual([
      {
        transactionId: '6527505296357515',
        providerRequestId: '638405063993273260',
        agentCreatedAt: '2024-07-09 09:05:15',
        account: '7081982000',
        amount: '4714.25',
        serviceId: '48',
        year: 2024,
        month: 7,
      },
    ]);
  });

  it('accepts the Russian half body with Transactions inside', () => {
    expect(readRegistryEntries(parseJsonLossless(`{"Transactions":[${ENTRY}]}`), 'f.json')).toHaveLength(1);
  });

  it.each([
    ['[]', 'holds no payments'],
    ['{}', 'JSON array'],
    [ENTRY.replace('"Amount": 4714.25, ', ''), 'entry 1: Amount is required'],
    [ENTRY.replace('4714.25', '4714.255'), 'entry 1: Amount must be an amount'],
    [ENTRY.replace('"Month":7', '"Month":13'), 'entry 1: Month'],
    [ENTRY.replace('2024-07-09T09:05:15', '09.07.2024'), 'entry 1: AgentRequestCreatedOn'],
  ])('refuses %s naming the entry and field', (text, expected) => {
    const value = parseJsonLossless(text.startsWith('{"Tr') ? `[${text}]` : text);
    expect(usage(() => readRegistryEntries(value, 'f.json'))).toContain(expected);
  });
});

describe('readDailyTotals', () => {
  it('maps Date, TotalAmount, TotalCount and Services', () => {
    const totals = readDailyTotals(
      parseJsonLossless(
        '{"Date":"2024-07-09","TotalAmount":500254.67,"TotalCount":250,"Services":[{"ServiceId":7,"Amount":250000.00,"Count":100}]}',
      ),
      't.json',
    );
    expect(totals).toEqual({
      date: '2024-07-09',
      totalAmount: '500254.67',
      totalCount: 250,
      services: [{ serviceId: '7', amount: '250000.00', count: 100 }],
    });
  });

  it('refuses a body without service lines', () => {
    expect(
      usage(() =>
        readDailyTotals(parseJsonLossless('{"Date":"2024-07-09","TotalAmount":1,"TotalCount":1}'), 't.json'),
      ),
    ).toContain('Services');
  });
});
