import {
  type HistoryEntry,
  type ListQuery,
  PAYMENT_STATES,
  type PaymentJournal,
  type PaymentRecord,
  type PaymentState,
  paymentIdSchema,
} from '@tolem/core';
import { type Flags, optionalString } from '../args.js';
import { usageError } from '../cli-error.js';
import type { Command, CommandOutput } from '../command.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { attemptDocument, historyRow, paymentDocument, saidCell, stateCell } from '../format/payment.js';
import { columnTable, keyValueTable } from '../format/table.js';
import { JOURNAL_OPTIONS, withReadJournal } from '../journal-source.js';
import { readDisplayZone, readInstant, showTime, TIME_ZONE_OPTION, zoneNote } from '../time-input.js';

/** Payments a page shows by default, and at most. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
/** Rows read from the journal per request while filtering. */
const SCAN_PAGE = 200;

interface ListFilters {
  state?: PaymentState;
  stuck: boolean;
  provider?: string;
  service?: string;
  since?: Date;
  until?: Date;
}

function readState(flags: Flags): PaymentState | undefined {
  const value = optionalString(flags, 'state');
  if (value === undefined) return undefined;
  if (!(PAYMENT_STATES as readonly string[]).includes(value))
    throw usageError(
      `--state must be one of ${PAYMENT_STATES.join(', ')}, got ${JSON.stringify(value.slice(0, 30))}`,
    );
  return value as PaymentState;
}

function readLimit(flags: Flags): number {
  const value = optionalString(flags, 'limit');
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT)
    throw usageError(
      `--limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(value.slice(0, 20))}`,
    );
  return Number(value);
}

/** `--after` is the `next` a previous page printed: `<createdAt>/<paymentId>`. */
function readCursor(flags: Flags): ListQuery['after'] {
  const value = optionalString(flags, 'after');
  if (value === undefined) return undefined;
  const slash = value.indexOf('/');
  const createdAt = value.slice(0, slash);
  const paymentId = value.slice(slash + 1);
  if (slash < 0 || Number.isNaN(Date.parse(createdAt)) || !paymentIdSchema.safeParse(paymentId).success)
    throw usageError('--after takes the `next` value a previous page printed (<createdAt>/<paymentId>)');
  return { createdAt, paymentId };
}

function cursorOf(record: PaymentRecord): string {
  return `${record.createdAt}/${record.paymentId}`;
}

function matches(record: PaymentRecord, filters: ListFilters): boolean {
  if (filters.state !== undefined && record.state !== filters.state) return false;
  if (filters.stuck && (record.final || record.stuckAt === null)) return false;
  if (filters.service !== undefined && record.service !== filters.service) return false;
  return true;
}

/**
 * One page of matching payments through the journal's keyset `list` (oldest first): filters the
 * journal has (time, provider, final) go to it; state, stuck and service are applied while reading.
 * One more match than the page is read to tell whether another page exists.
 */
async function listPage(
  journal: PaymentJournal,
  filters: ListFilters,
  limit: number,
  after: ListQuery['after'],
): Promise<{ payments: PaymentRecord[]; next: string | null }> {
  const final =
    filters.stuck || filters.state === 'pending' || filters.state === 'unknown'
      ? false
      : filters.state === 'succeeded' || filters.state === 'failed'
        ? true
        : undefined;
  const query: ListQuery = {
    ...(filters.since ? { from: filters.since } : {}),
    ...(filters.until ? { to: filters.until } : {}),
    ...(filters.provider ? { provider: filters.provider } : {}),
    ...(final === undefined ? {} : { final }),
  };
  const found: PaymentRecord[] = [];
  let cursor = after;
  for (;;) {
    const page = await journal.list({ ...query, limit: SCAN_PAGE, ...(cursor ? { after: cursor } : {}) });
    for (const record of page) {
      if (!matches(record, filters)) continue;
      found.push(record);
      if (found.length > limit) {
        const payments = found.slice(0, limit);
        return { payments, next: cursorOf(payments[payments.length - 1] as PaymentRecord) };
      }
    }
    const last = page.at(-1);
    if (page.length < SCAN_PAGE || last === undefined) return { payments: found, next: null };
    cursor = { createdAt: last.createdAt, paymentId: last.paymentId };
  }
}

export const listCommand: Command = {
  name: 'payments list',
  summary: 'Payments in the journal, oldest first, filtered; one page at a time (--after for the next).',
  usage:
    'tolem payments list [--state S] [--stuck] [--provider P] [--service S] [--since T] [--until T] [--limit N] [--after CURSOR]',
  options: {
    state: {
      type: 'string',
      value: 'S',
      description: `only payments in this state (${PAYMENT_STATES.join(', ')})`,
    },
    stuck: { type: 'boolean', description: 'only open payments escalated as stuck' },
    provider: {
      type: 'string',
      value: 'P',
      description: 'only payments whose latest attempt is at this provider',
    },
    service: { type: 'string', value: 'S', description: 'only payments of this service (route name)' },
    since: {
      type: 'string',
      value: 'T',
      description: 'created at or after T (ISO 8601 with offset, or with --time-zone)',
    },
    until: { type: 'string', value: 'T', description: 'created before T' },
    limit: {
      type: 'string',
      value: 'N',
      description: `payments per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`,
    },
    after: {
      type: 'string',
      value: 'CURSOR',
      description: 'the next page: the `next` value the previous page printed',
    },
    ...TIME_ZONE_OPTION,
    ...JOURNAL_OPTIONS,
  },
  async run(context) {
    const { flags } = context;
    const zone = readDisplayZone(flags);
    const filters: ListFilters = { stuck: flags.stuck === true };
    const state = readState(flags);
    if (state !== undefined) filters.state = state;
    if (filters.stuck && (state === 'succeeded' || state === 'failed'))
      throw usageError(`--stuck lists open payments only: a ${state} payment is final`);
    const provider = optionalString(flags, 'provider');
    if (provider !== undefined) filters.provider = provider;
    const service = optionalString(flags, 'service');
    if (service !== undefined) filters.service = service;
    const since = readInstant(flags, 'since', zone);
    const until = readInstant(flags, 'until', zone);
    if (since !== undefined) filters.since = since;
    if (until !== undefined) filters.until = until;
    if (since && until && !(since < until)) throw usageError('--since must be before --until');
    const limit = readLimit(flags);
    const after = readCursor(flags);
    return withReadJournal(context, async ({ journal, where }) => {
      const { payments, next } = await listPage(journal, filters, limit, after);
      const table = columnTable(
        ['created', 'payment', 'service', 'amount', 'state', 'provider', 'transaction'],
        payments.map((record) => {
          const latest = record.attempts.at(-1);
          return [
            showTime(record.createdAt, zone),
            record.paymentId,
            record.service,
            `${record.amount} ${record.currency}`,
            `${stateCell(record.state, record.reason)}${!record.final && record.stuckAt !== null ? ' · stuck' : ''}`,
            latest?.provider,
            latest?.transactionId,
          ];
        }),
        [3],
      );
      const footer = [
        `${payments.length} payment(s) in ${where}; ${zoneNote(zone)}`,
        ...(next === null ? [] : [`more: add --after ${next}`]),
      ];
      return {
        document: {
          journal: where,
          filters: {
            state: filters.state ?? null,
            stuck: filters.stuck,
            provider: filters.provider ?? null,
            service: filters.service ?? null,
            since: filters.since?.toISOString() ?? null,
            until: filters.until?.toISOString() ?? null,
          },
          count: payments.length,
          payments: payments.map(paymentDocument),
          next,
        },
        human: payments.length === 0 ? footer.join('\n') : `${table}\n\n${footer.join('\n')}`,
        exitCode: EXIT.ok,
      } satisfies CommandOutput;
    });
  },
};

/** The payment id argument, checked like the router checks it. */
export function readPaymentId(value: string | undefined): string {
  const parsed = paymentIdSchema.safeParse(value);
  if (!parsed.success)
    throw usageError(
      `the payment id must be 1 to 128 printable characters without spaces, got ${JSON.stringify((value ?? '').slice(0, 40))}`,
    );
  return parsed.data;
}

export function notFound(paymentId: string, where: string): never {
  throw usageError(
    `no payment ${JSON.stringify(paymentId)} in ${where}: check the id (\`tolem payments list\`) and the journal`,
  );
}

export const showCommand: Command = {
  name: 'payments show',
  summary: 'One payment: its state, every attempt and what the provider answered, and its history.',
  usage: 'tolem payments show ID',
  positionals: [{ name: 'ID', description: 'the payment id (the caller’s, as given to pay)' }],
  options: { ...TIME_ZONE_OPTION, ...JOURNAL_OPTIONS },
  async run(context) {
    const zone = readDisplayZone(context.flags);
    const paymentId = readPaymentId(context.positionals[0]);
    return withReadJournal(context, async ({ journal, where }) => {
      const record = await journal.get(paymentId);
      if (record === null) return notFound(paymentId, where);
      const history = await journal.history(paymentId);
      return showOutput(record, history, where, zone);
    });
  },
};

export function showOutput(
  record: PaymentRecord,
  history: readonly HistoryEntry[],
  where: string,
  zone: string | undefined,
): CommandOutput {
  const document = paymentDocument(record);
  const summary = keyValueTable([
    ['payment', record.paymentId],
    ['service', record.service],
    ['account', record.account],
    ['amount', `${record.amount} ${record.currency}`],
    ['state', `${stateCell(record.state, record.reason)} (${record.final ? 'final' : 'not final'})`],
    ['provider says', saidCell(record.providerStatus, record.message)],
    ['created', showTime(record.createdAt, zone)],
    ['updated', showTime(record.updatedAt, zone)],
    ['final at', record.final ? showTime(record.finalAt, zone) : undefined],
    ['stuck since', record.stuckAt === null ? undefined : showTime(record.stuckAt, zone)],
    ['next check', record.final ? undefined : showTime(record.nextCheckAt, zone)],
    ['re-checks', record.checks],
    ['lease', record.lease ? `${record.lease.owner} until ${showTime(record.lease.until, zone)}` : undefined],
    ['voucher code', record.voucher ? `kept, sealed (key ${record.voucher.keyId})` : undefined],
  ]);
  const attempts = columnTable(
    [
      '#',
      'provider',
      'service id',
      'transaction',
      'state',
      'provider says',
      'request id',
      'sends',
      'created',
    ],
    record.attempts.map((attempt) => [
      attempt.no,
      attempt.provider,
      attempt.serviceId,
      attempt.transactionId,
      stateCell(attempt.state, attempt.reason),
      saidCell(attempt.providerStatus, attempt.message),
      attempt.providerRequestId,
      attempt.sends,
      showTime(attempt.createdAt, zone),
    ]),
  );
  const historyTable = columnTable(
    ['#', 'time', 'actor', 'event', 'change', 'why'],
    history.map((entry) => historyRow(entry, zone)),
  );
  const human = [
    summary,
    '',
    record.attempts.length === 0 ? 'Attempts: none (nothing was sent)' : `Attempts\n${attempts}`,
    '',
    history.length === 0 ? 'History: none recorded' : `History\n${historyTable}`,
    '',
    `${where}; ${zoneNote(zone)}`,
  ].join('\n');
  return {
    document: {
      journal: where,
      payment: document,
      attempts: record.attempts.map(attemptDocument),
      history,
    },
    human,
    // Like `tolem vectrafin status`: 0 succeeded, 3 failed, 4 not final.
    exitCode: exitCodeFor({ state: record.state, reason: null }),
  };
}
