import {
  accountSchema,
  type DailyTotals,
  Dec,
  formatDecimal,
  parseDecimal,
  parseInput,
  type RegistryEntry,
  ValidationError,
} from '@tolem/core';
import * as z from 'zod';
import type { Credentials } from './form-codec.js';
import { checkWireDate, toRegistryDateTime } from './wire-format.js';

/**
 * Reconciliation bodies of the Russian half (protocol §5, §6): PostPayments
 * `{AgentId, AgentPassword, Transactions:[...]}` at most 1000 a request, and PostTotalAmount with
 * totals that must equal the sum of the service lines. Ids and amounts are written as raw JSON
 * number text, never through a JS number (an 18-digit RequestId would not survive).
 */

export const MAX_REGISTRY_CHUNK = 1000;

const digits = (max: number) =>
  z.string({ error: 'a string of digits is required' }).regex(new RegExp(`^[1-9]\\d{0,${max - 1}}$`), {
    error: `must be 1 to ${max} digits`,
  });

const entrySchema = z.object(
  {
    // The spec's own registry sample carries 16-digit ids (6527505296357515), past the 15 digits a
    // Payment allows: the registry reports what the provider stored, so any Long is accepted here.
    transactionId: digits(18),
    providerRequestId: digits(18),
    agentCreatedAt: z.string({ error: 'a local time "yyyy-MM-dd HH:mm:ss" is required' }),
    account: accountSchema,
    amount: z.string({ error: 'a decimal string like "100.00" is required' }),
    serviceId: digits(10),
    year: z.number({ error: 'a year is required' }).int().min(2000).max(9999),
    month: z.number({ error: 'a month 1 to 12 is required' }).int().min(1).max(12),
  },
  { error: 'a registry entry object is required' },
);

const totalsSchema = z.object(
  {
    date: z.string({ error: 'a date "yyyy-MM-dd" is required' }),
    totalAmount: z.string({ error: 'a decimal string is required' }),
    totalCount: z.number({ error: 'a count is required' }).int().min(0),
    services: z.array(
      z.object({
        serviceId: digits(10),
        amount: z.string({ error: 'a decimal string is required' }),
        count: z.number({ error: 'a count is required' }).int().min(0),
      }),
      { error: 'a list of service lines is required' },
    ),
  },
  { error: 'a totals object is required' },
);

/** Validates every entry (naming `entries.N.field`) before any chunk is sent. */
export function checkRegistryEntries(entries: readonly RegistryEntry[]): string[] {
  if (!Array.isArray(entries)) throw new ValidationError('entries', 'a list of registry entries is required');
  if (entries.length === 0) throw new ValidationError('entries', 'at least one entry is required');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const field = `entries.${index}`;
    const parsed = parseInput(entrySchema, entry, field);
    if (seen.has(parsed.transactionId)) throw new ValidationError(`${field}.transactionId`, 'listed twice');
    seen.add(parsed.transactionId);
    const amount = formatDecimal(parseDecimal(parsed.amount, `${field}.amount`, { maxDecimals: 2 }), 2);
    const createdOn = toRegistryDateTime(parsed.agentCreatedAt, `${field}.agentCreatedAt`);
    return (
      `{"TransactionId":${parsed.transactionId},"RequestId":${parsed.providerRequestId},` +
      `"AgentRequestCreatedOn":${JSON.stringify(createdOn)},"Account":${JSON.stringify(parsed.account)},` +
      `"Amount":${amount},"ServiceId":${parsed.serviceId},"Year":${parsed.year},"Month":${parsed.month}}`
    );
  });
}

/** Splits encoded entries into PostPayments bodies of at most 1000 transactions. */
export function registryBodies(credentials: Credentials, encodedEntries: readonly string[]): string[] {
  const bodies: string[] = [];
  for (let offset = 0; offset < encodedEntries.length; offset += MAX_REGISTRY_CHUNK) {
    const chunk = encodedEntries.slice(offset, offset + MAX_REGISTRY_CHUNK);
    bodies.push(`${credentialsJson(credentials)},"Transactions":[${chunk.join(',')}]}`);
  }
  return bodies;
}

/**
 * The PostTotalAmount body, after checking that TotalAmount and TotalCount equal the sums of the
 * service lines (protocol §6). The spec's own sample fails this check: its lines sum to 500000.67, not
 * the 500254.67 it states, and such a line is rejected here rather than sent.
 */
export function dailyTotalsBody(credentials: Credentials, totals: DailyTotals): string {
  const parsed = parseInput(totalsSchema, totals);
  const date = checkWireDate(parsed.date, 'date');
  const totalAmount = parseDecimal(parsed.totalAmount, 'totalAmount', { maxDecimals: 2, allowZero: true });
  const seen = new Set<string>();
  let sum = new Dec(0);
  let count = 0;
  const lines = parsed.services.map((line, index) => {
    const field = `services.${index}`;
    if (seen.has(line.serviceId)) throw new ValidationError(`${field}.serviceId`, 'listed twice');
    seen.add(line.serviceId);
    const amount = parseDecimal(line.amount, `${field}.amount`, { maxDecimals: 2, allowZero: true });
    sum = sum.plus(amount);
    count += line.count;
    return `{"ServiceId":${line.serviceId},"Amount":${formatDecimal(amount, 2)},"Count":${line.count}}`;
  });
  if (!sum.equals(totalAmount)) {
    throw new ValidationError(
      'totalAmount',
      `the service lines sum to ${formatDecimal(sum, 2)}, not ${formatDecimal(totalAmount, 2)} (protocol §6)`,
    );
  }
  if (count !== parsed.totalCount) {
    throw new ValidationError(
      'totalCount',
      `the service lines count ${count}, not ${parsed.totalCount} (protocol §6)`,
    );
  }
  return (
    `${credentialsJson(credentials)},"Date":${JSON.stringify(date)},` +
    `"TotalAmount":${formatDecimal(totalAmount, 2)},"TotalCount":${parsed.totalCount},"Services":[${lines.join(',')}]}`
  );
}

function credentialsJson(credentials: Credentials): string {
  return `{"AgentId":${credentials.agentId},"AgentPassword":${JSON.stringify(credentials.password.reveal())}`;
}
