import {
  type AuditActor,
  type DailyTotals,
  functionSchema,
  integerSchema,
  isAbortSignal,
  Money,
  millisecondsSchema,
  type PaymentListRange,
  type PaymentListResult,
  type PaymentProvider,
  parseCurrency,
  parseInput,
  type RegistryEntry,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import * as z from 'zod';
import type { RouterContext } from '../lifecycle/context.js';
import { type DayWindow, dayWindow, readDay, registryOf, totalsOf } from './day-book.js';
import { type PlannedChunk, type SubmissionPlan, submit } from './submit.js';
import type { EndOfDayOptions, EndOfDayReport, SubmissionReport } from './types.js';

const optionsSchema = z.strictObject(
  {
    send: z.boolean({ error: 'true or false' }).optional(),
    force: z
      .strictObject(
        {
          reason: z
            .string({ error: 'a reason is required' })
            .trim()
            .min(1, { error: 'must not be empty' })
            .max(500, { error: 'at most 500 characters' }),
        },
        { error: 'an object { reason } is required' },
      )
      .optional(),
    actor: z
      .string({ error: 'a name is required' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(128, { error: 'at most 128 characters' })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'one line, no control characters' })
      .optional(),
    marginMs: integerSchema(
      0,
      86_400_000,
      'an integer number of milliseconds from 0 to 86400000 (a day)',
    ).optional(),
    onProgress: functionSchema<NonNullable<EndOfDayOptions['onProgress']>>().optional(),
    signal: z.custom<AbortSignal>(isAbortSignal, { error: 'an AbortSignal is required' }).optional(),
    timeoutMs: millisecondsSchema().optional(),
  },
  { error: 'an options object is required' },
);

const DEFAULT_MARGIN_MS = 3_600_000;

/**
 * `router.endOfDay()`: reconciles a provider's day against its own lists (GetPaymentsByDate for the day
 * and the margins around it), builds the registry and the daily totals from the journal's succeeded
 * payments of that day in the provider's zone (day-book.ts says which day a payment is on), reports what
 * does not add up, and — only with `send`, and only when nothing is amiss or it is forced with a reason —
 * sends the registry, then the totals, once (submit.ts).
 */
export async function endOfDay(
  ctx: RouterContext,
  providerId: string,
  date: string,
  given: EndOfDayOptions = {},
): Promise<EndOfDayReport> {
  const options = parseInput(optionsSchema, given ?? {});
  const provider = ctx.providers.get(providerId);
  if (typeof providerId !== 'string' || provider === undefined)
    throw new ValidationError('providerId', `unknown provider ${JSON.stringify(providerId)}`);
  const timeZone = provider.timeZone;
  if (timeZone === undefined) {
    throw new UnsupportedOperationError(
      'endOfDay (the provider does not report the time zone its days are counted in)',
      {
        providerId,
      },
    );
  }
  const list = provider.listPayments?.bind(provider);
  if (list === undefined || !provider.capabilities.operations.listPayments)
    throw new UnsupportedOperationError('listPayments', { providerId });
  if (options.send === true) requireSending(provider);
  const window = dayWindow(date, timeZone);
  options.signal?.throwIfAborted();
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const listed = async (range: PaymentListRange): Promise<PaymentListResult> =>
    ctx.breakers
      .run(
        providerId,
        'listPayments',
        (breakerCall) =>
          list(range, {
            ...(call.signal === undefined ? {} : { signal: call.signal }),
            ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
            onDispatch: () => breakerCall.started(),
          }),
        (result) => ({ state: result.state, reason: result.reason }),
        call.signal,
      )
      .catch((error: unknown): PaymentListResult => {
        // No list (breaker open, nothing sent): the reconciliation is incomplete, which blocks sending.
        if (call.signal?.aborted) throw call.signal.reason;
        const name = error instanceof Error ? error.name : 'error';
        return {
          state: 'unknown',
          final: false,
          reason: 'not_dispatched',
          providerStatus: null,
          message: `no list: ${name}`,
          payments: [],
        };
      });
  const lists = {
    before: await listed({ from: new Date(window.from.getTime() - marginMs), to: window.from }),
    day: await listed({ from: window.from, to: window.to }),
    after: await listed({ from: window.to, to: new Date(window.to.getTime() + marginMs) }),
  };
  const book = await readDay(ctx.journal, providerId, window, lists, marginMs);
  const entries = registryOf(book, window);
  const totals = totalsOf(book, window);
  const currency = book.members[0]?.record.currency ?? null;

  const force = options.force === undefined ? null : { reason: options.force.reason };
  const blockedBy: SubmissionReport['blockedBy'] = !book.complete
    ? 'reconciliation_incomplete'
    : book.issues.length > 0
      ? 'discrepancies'
      : null;
  const actor: AuditActor =
    options.actor === undefined
      ? { kind: 'router', name: ctx.options.instanceId }
      : { kind: 'operator', name: options.actor };
  const submitOptions = {
    actor,
    force,
    allowed: blockedBy === null || force !== null,
    blockedBy,
    send: options.send === true,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  const registry = await submit(ctx, registryPlan(provider, window, entries, currency), submitOptions);
  const registryDone = ['sent', 'already_sent', 'nothing_to_send'].includes(registry.status);
  const totalsReport = await submit(ctx, totalsPlan(provider, window, totals), {
    ...submitOptions,
    allowed: submitOptions.allowed && registryDone,
    blockedBy: registryDone ? blockedBy : 'registry_not_accepted',
  });
  return {
    provider: providerId,
    date: window.date,
    timeZone,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    reconciliation: { complete: book.complete, outcomes: book.outcomes, matched: book.matched },
    discrepancies: book.issues,
    registry: { entries: entries.length, amount: sumOf(entries, currency), currency },
    totals,
    send: { requested: options.send === true, force, registry, totals: totalsReport },
  };
}

function requireSending(provider: PaymentProvider): void {
  if (provider.submitRegistry === undefined || !provider.capabilities.operations.registry)
    throw new UnsupportedOperationError('submitRegistry', { providerId: provider.id });
  if (provider.submitDailyTotals === undefined || !provider.capabilities.operations.dailyTotals)
    throw new UnsupportedOperationError('submitDailyTotals', { providerId: provider.id });
}

function sumOf(entries: readonly RegistryEntry[], currency: string | null): string {
  if (currency === null) return '0.00';
  const code = parseCurrency(currency);
  return Money.sum(
    entries.map((entry) => Money.exact(entry.amount, code)),
    code,
  ).format();
}

function registryPlan(
  provider: PaymentProvider,
  window: DayWindow,
  entries: RegistryEntry[],
  currency: string | null,
): SubmissionPlan<RegistryEntry[]> {
  const size = provider.capabilities.registryChunkSize ?? Math.max(entries.length, 1);
  const chunks: PlannedChunk<RegistryEntry[]>[] = [];
  for (let offset = 0; offset < entries.length; offset += size) {
    const payload = entries.slice(offset, offset + size);
    chunks.push({ offset, size: payload.length, payload });
  }
  return {
    provider: provider.id,
    date: window.date,
    kind: 'registry',
    count: entries.length,
    amount: sumOf(entries, currency),
    chunks,
    operation: 'submitRegistry',
    send: (payload, options) => {
      if (provider.submitRegistry === undefined)
        throw new UnsupportedOperationError('submitRegistry', { providerId: provider.id });
      return provider.submitRegistry(payload, options);
    },
  };
}

function totalsPlan(
  provider: PaymentProvider,
  window: DayWindow,
  totals: DailyTotals | null,
): SubmissionPlan<DailyTotals> {
  const chunks: PlannedChunk<DailyTotals>[] =
    totals === null || totals.services.length === 0 ? [] : [{ offset: 0, size: 1, payload: totals }];
  return {
    provider: provider.id,
    date: window.date,
    kind: 'totals',
    count: totals?.totalCount ?? 0,
    amount: totals?.totalAmount ?? '0.00',
    chunks,
    operation: 'submitDailyTotals',
    send: (payload, options) => {
      if (provider.submitDailyTotals === undefined)
        throw new UnsupportedOperationError('submitDailyTotals', { providerId: provider.id });
      return provider.submitDailyTotals(payload, options);
    },
  };
}
