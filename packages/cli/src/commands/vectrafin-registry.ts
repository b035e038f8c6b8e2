import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ChunkResult, DailyTotals, RegistryEntry } from '@tolem/core';
import { requireString } from '../args.js';
import { usageError } from '../cli-error.js';
import type { Command, CommandContext, CommandOutput } from '../command.js';
import { CONNECTION_OPTIONS } from '../connection.js';
import { type ExitCode, exitCodeFor, worstExitCode } from '../exit-codes.js';
import { columnTable } from '../format/table.js';
import { writeLine } from '../io.js';
import {
  isJsonObject,
  JsonInputError,
  type JsonValue,
  numericText,
  parseJsonLossless,
} from '../json-input.js';
import { requireOperation, withProvider } from './vectrafin-shared.js';

/** PostPayments accepts at most this many transactions a request (protocol §6). */
export const REGISTRY_CHUNK = 1000;

function readJsonFile(context: CommandContext): { file: string; value: JsonValue } {
  const file = requireString(context.flags, 'file', 'payments.json');
  const path = isAbsolute(file) ? file : resolve(context.io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(
      `cannot read --file ${JSON.stringify(file)} (${(error as { code?: string }).code ?? 'unreadable'})`,
    );
  }
  try {
    return { file, value: parseJsonLossless(text) };
  } catch (error) {
    throw usageError(
      `--file ${JSON.stringify(file)} is not valid JSON: ${error instanceof JsonInputError ? error.message : 'unreadable'}`,
    );
  }
}

function field(
  entry: { [key: string]: JsonValue },
  name: string,
  where: string,
  pattern: RegExp,
  rule: string,
): string {
  const value = numericText(entry[name]);
  if (value === undefined) throw usageError(`${where}: ${name} is required (${rule})`);
  if (!pattern.test(value))
    throw usageError(`${where}: ${name} must be ${rule}, got ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

const DIGITS = /^\d{1,20}$/;
const AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/;

/** The spec's own field names (architecture §7) to the port's registry entries, numbers kept exact. */
export function readRegistryEntries(value: JsonValue, file: string): RegistryEntry[] {
  const list = isJsonObject(value) ? value.Transactions : value;
  if (!Array.isArray(list))
    throw usageError(`--file ${JSON.stringify(file)} must hold a JSON array of payments`);
  if (list.length === 0) throw usageError(`--file ${JSON.stringify(file)} holds no payments`);
  return list.map((item, index) => {
    const where = `--file entry ${index + 1}`;
    if (!isJsonObject(item)) throw usageError(`${where} must be an object`);
    const year = Number(field(item, 'Year', where, /^\d{4}$/, 'a year such as 2024'));
    const month = Number(field(item, 'Month', where, /^(?:[1-9]|1[0-2])$/, 'a month 1 to 12'));
    return {
      transactionId: field(item, 'TransactionId', where, DIGITS, 'digits'),
      providerRequestId: field(item, 'RequestId', where, DIGITS, 'digits'),
      agentCreatedAt: field(
        item,
        'AgentRequestCreatedOn',
        where,
        LOCAL_TIME,
        '"yyyy-MM-dd HH:mm:ss"',
      ).replace('T', ' '),
      account: field(item, 'Account', where, /^.{1,200}$/, 'an account of 1 to 200 characters'),
      amount: field(item, 'Amount', where, AMOUNT, 'an amount with at most two decimals'),
      serviceId: field(item, 'ServiceId', where, DIGITS, 'a service id'),
      year,
      month,
    };
  });
}

/** PostTotalAmount's body without the credentials: Date, TotalAmount, TotalCount, Services[]. */
export function readDailyTotals(value: JsonValue, file: string): DailyTotals {
  if (!isJsonObject(value))
    throw usageError(
      `--file ${JSON.stringify(file)} must hold one JSON object (Date, TotalAmount, TotalCount, Services)`,
    );
  const where = '--file';
  const services = value.Services;
  if (!Array.isArray(services) || services.length === 0)
    throw usageError(`${where}: Services must be a non-empty array`);
  return {
    date: field(value, 'Date', where, /^\d{4}-\d{2}-\d{2}$/, 'a date "yyyy-MM-dd"'),
    totalAmount: field(value, 'TotalAmount', where, AMOUNT, 'an amount with at most two decimals'),
    totalCount: Number(field(value, 'TotalCount', where, /^\d{1,9}$/, 'a whole number')),
    services: services.map((line, index) => {
      const at = `${where} Services[${index}]`;
      if (!isJsonObject(line)) throw usageError(`${at} must be an object`);
      return {
        serviceId: field(line, 'ServiceId', at, DIGITS, 'a service id'),
        amount: field(line, 'Amount', at, AMOUNT, 'an amount with at most two decimals'),
        count: Number(field(line, 'Count', at, /^\d{1,9}$/, 'a whole number')),
      };
    }),
  };
}

function chunkOutput(chunks: ChunkResult[], what: string): CommandOutput {
  const documents = chunks.map((chunk) => ({
    offset: chunk.offset,
    size: chunk.size,
    status: chunk.status,
    message: chunk.message,
    state: chunk.state,
    reason: chunk.reason,
    providerStatus: chunk.providerStatus,
  }));
  const accepted = chunks.every((chunk) => chunk.state === 'succeeded');
  const codes: ExitCode[] = chunks.map((chunk) => exitCodeFor(chunk));
  const table = columnTable(
    ['chunk', 'entries', 'status', 'reason', 'message'],
    documents.map((chunk, index) => [
      index + 1,
      `${chunk.offset + 1}–${chunk.offset + chunk.size}`,
      chunk.status ?? chunk.state,
      chunk.reason,
      chunk.message,
    ]),
  );
  const summary = accepted ? `${what}: every chunk accepted` : `${what}: not every chunk was accepted`;
  return {
    document: { accepted, chunks: documents },
    human: `${table}\n${summary}`,
    exitCode: worstExitCode(codes),
    notice: accepted
      ? undefined
      : `${what} not accepted in full: fix the rejected entries and send those chunks again`,
  };
}

export const registryCommand: Command = {
  name: 'vectrafin registry',
  summary: 'Send the registry of successful payments (PostPayments), 1000 a request, with progress.',
  usage: 'tolem vectrafin registry --file payments.json',
  options: {
    file: {
      type: 'string',
      value: 'FILE',
      description: 'JSON array in the spec field names (TransactionId, RequestId, …)',
    },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => {
        const { file, value } = readJsonFile(context);
        return readRegistryEntries(value, file);
      },
      async ({ provider, call }, entries) => {
        const submit = requireOperation(provider, 'submitRegistry');
        const total = Math.ceil(entries.length / REGISTRY_CHUNK);
        const chunks: ChunkResult[] = [];
        for (let index = 0; index < total; index += 1) {
          const offset = index * REGISTRY_CHUNK;
          const slice = entries.slice(offset, offset + REGISTRY_CHUNK);
          writeLine(
            context.io.stderr,
            `registry chunk ${index + 1}/${total}: sending payments ${offset + 1}–${offset + slice.length}…`,
          );
          const result = await submit(slice, call);
          for (const chunk of result.chunks) chunks.push({ ...chunk, offset: offset + chunk.offset });
          const last = result.chunks.at(-1);
          writeLine(
            context.io.stderr,
            `registry chunk ${index + 1}/${total}: ${last?.status ?? last?.state ?? 'no answer'}${last?.message ? ` (${last.message})` : ''}`,
          );
        }
        return chunkOutput(chunks, `registry of ${entries.length} payment(s)`);
      },
    ),
};

export const totalsCommand: Command = {
  name: 'vectrafin totals',
  summary: 'Send the daily totals (PostTotalAmount); totals must equal the sum of the service lines.',
  usage: 'tolem vectrafin totals --file totals.json',
  options: {
    file: {
      type: 'string',
      value: 'FILE',
      description: 'JSON object: Date, TotalAmount, TotalCount, Services[]',
    },
    ...CONNECTION_OPTIONS,
  },
  run: (context) =>
    withProvider(
      context,
      () => {
        const { file, value } = readJsonFile(context);
        return readDailyTotals(value, file);
      },
      async ({ provider, call }, totals) => {
        const result = await requireOperation(provider, 'submitDailyTotals')(totals, call);
        return chunkOutput(result.chunks, `totals of ${totals.date}`);
      },
    ),
};
