import {
  type ChunkResult,
  type DailyTotals,
  outcome,
  type PaymentListResult,
  type ProviderPaymentRecord,
  type RegistryEntry,
  type RegistryResult,
  UnsupportedOperationError,
  ValidationError,
} from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';
import { dayWindow } from './day-book.js';

type ChunkAnswer = 'success' | 'error' | 'timeout' | 'throw-before';

/**
 * A provider with registries: Almaty days, two entries a registry request, a list the test controls
 * (what the provider registered, and when), and answers to each registry request the test scripts.
 */
class RegistryProvider extends FakeProvider {
  readonly registered = new Map<string, { at: number; amount: string; state: 'succeeded' }>();
  readonly registries: RegistryEntry[][] = [];
  readonly totals: DailyTotals[] = [];
  answers: ChunkAnswer[] = [];
  list: 'ok' | 'refused' = 'ok';

  constructor() {
    super('vf-a', {
      listPayments: (range) => this.#list(range),
      timeZone: 'Asia/Almaty',
      registryChunkSize: 2,
    });
    const capabilities = this.capabilities as unknown as { operations: Record<string, boolean> };
    capabilities.operations.registry = true;
    capabilities.operations.dailyTotals = true;
  }

  #list(range: { from: Date; to: Date }): PaymentListResult {
    if (this.list === 'refused')
      return { ...outcome('failed', 'operator_error', '-300', 'no'), payments: [] };
    const payments: ProviderPaymentRecord[] = [];
    for (const [transactionId, entry] of this.registered) {
      if (entry.at < range.from.getTime() || entry.at >= range.to.getTime()) continue;
      payments.push({
        transactionId,
        providerRequestId: `9${transactionId}`,
        account: 'galek10',
        amount: entry.amount,
        serviceId: '7',
        agentCreatedAt: null,
        createdAt: null,
        processedAt: null,
        state: entry.state,
        providerStatus: '10',
      });
    }
    return { ...outcome('succeeded', null, null, null), payments };
  }

  #answer(): ChunkResult {
    const answer = this.answers.shift() ?? 'success';
    if (answer === 'throw-before') throw new ValidationError('entries.0.account', 'refused before sending');
    const result =
      answer === 'success'
        ? outcome('succeeded', null, 'success', 'ok')
        : answer === 'error'
          ? outcome('failed', 'request_failed', 'error', 'bad registry')
          : outcome('unknown', 'timeout', null, 'no answer');
    return { ...result, offset: 0, size: 0, status: answer === 'timeout' ? null : answer };
  }

  async submitRegistry(entries: readonly RegistryEntry[]): Promise<RegistryResult> {
    const chunk = this.#answer();
    if (chunk.state === 'succeeded') this.registries.push([...entries]);
    return { chunks: [{ ...chunk, size: entries.length }], accepted: chunk.state === 'succeeded' };
  }

  async submitDailyTotals(totals: DailyTotals): Promise<RegistryResult> {
    const chunk = this.#answer();
    if (chunk.state === 'succeeded') this.totals.push(totals);
    return { chunks: [{ ...chunk, size: 1 }], accepted: chunk.state === 'succeeded' };
  }
}

const DAY = '2024-07-09';
/** Almaty is UTC+5: DAY runs from 2024-07-08T19:00Z to 2024-07-09T19:00Z. */
const NOON = Date.parse('2024-07-09T07:00:00.000Z');

async function day(paid: { id: string; amount?: string; registeredAt?: number | null }[]) {
  const a = new RegistryProvider();
  const h = harness({ a });
  h.clock.advance(NOON - h.clock.now().getTime());
  for (const { id, amount = '100.00', registeredAt } of paid) {
    const view = await h.router.pay(order(id, { amount }));
    if (registeredAt !== null) {
      a.registered.set(view.transactionId!, {
        at: registeredAt ?? h.clock.now().getTime(),
        amount,
        state: 'succeeded',
      });
    }
    h.clock.advance(60_000);
  }
  h.clock.advance(Date.parse('2024-07-09T20:00:00.000Z') - h.clock.now().getTime());
  return { a, h };
}

describe('endOfDay: checks before anything is asked', () => {
  it.each([
    ['2024-7-9', {}, 'date'],
    ['2024-02-30', {}, 'date'],
    [DAY, { send: 'yes' }, 'send'],
    [DAY, { force: { reason: '' } }, 'force.reason'],
    [DAY, { force: 'because' }, 'force'],
    [DAY, { actor: 'two\nlines' }, 'actor'],
    [DAY, { marginMs: -1 }, 'marginMs'],
    [DAY, { marginMs: 1.5 }, 'marginMs'],
    [DAY, { marginMs: 86_400_001 }, 'marginMs'],
    [DAY, { timeoutMs: 0 }, 'timeoutMs'],
    [DAY, { timeoutMs: 3e9 }, 'timeoutMs'],
    [DAY, { onProgress: 'print' }, 'onProgress'],
    [DAY, { sned: true }, 'sned'],
  ])('%s %j → ValidationError on %s, nothing asked', async (date, options, field) => {
    const { a, h } = await day([{ id: 'p1' }]);
    const error = await h.router.endOfDay('vf-a', date, options as never).catch((caught: unknown) => caught);
    expect(ValidationError.is(error), String(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(a.calledWith('listPayments')).toEqual([]);
  });

  it('an unknown provider, one without a zone, or without registries when sending, is refused', async () => {
    const { h } = await day([]);
    expect(((await h.router.endOfDay('vf-x', DAY).catch((e: unknown) => e)) as ValidationError).field).toBe(
      'providerId',
    );
    // vf-b (the harness's plain fake) reports no time zone and has no list.
    expect(UnsupportedOperationError.is(await h.router.endOfDay('vf-b', DAY).catch((e: unknown) => e))).toBe(
      true,
    );
    const a = new RegistryProvider();
    (a.capabilities.operations as Record<string, boolean>).dailyTotals = false;
    const other = harness({ a });
    const error = await other.router.endOfDay('vf-a', DAY, { send: true }).catch((e: unknown) => e);
    expect(UnsupportedOperationError.is(error)).toBe(true);
    expect(a.calledWith('listPayments')).toEqual([]);
  });
});

describe('endOfDay: what does not add up blocks sending', () => {
  it('a payment the provider does not list, one it lists that the journal lacks, amounts that differ, one still open', async () => {
    const { a, h } = await day([
      { id: 'ok' },
      { id: 'unlisted', registeredAt: null },
      { id: 'other-amount' },
    ]);
    const other = [...a.registered.entries()][1]!;
    a.registered.set(other[0], { ...other[1], amount: '99.00' });
    a.registered.set('123456', { at: NOON, amount: '5.00', state: 'succeeded' });
    a.answers = [];
    const report = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(report.reconciliation).toMatchObject({ complete: true, matched: 1 });
    expect(report.discrepancies.map((issue) => issue.kind).sort()).toEqual([
      'amount_mismatch',
      'missing_at_provider',
      'missing_in_journal',
    ]);
    expect(report.send.registry).toMatchObject({
      status: 'blocked',
      blockedBy: 'discrepancies',
      revision: null,
    });
    expect(report.send.totals).toMatchObject({ status: 'blocked' });
    expect(a.registries).toEqual([]);
    // Forced, with a reason: sent and recorded.
    const forced = await h.router.endOfDay('vf-a', DAY, {
      send: true,
      force: { reason: 'provider confirmed by phone' },
    });
    expect(forced.send.registry).toMatchObject({
      status: 'sent',
      force: { reason: 'provider confirmed by phone' },
    });
    expect(a.registries.flat()).toHaveLength(3);
    expect((await h.journal.submissions({ kind: 'registry' }))[0]?.force).toEqual({
      reason: 'provider confirmed by phone',
    });
  });

  it('a payment of the day still open is a discrepancy', async () => {
    const { h } = await day([{ id: 'ok' }]);
    const { record } = await h.journal.create({
      paymentId: 'open',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: new Date(NOON),
      nextCheckAt: new Date(NOON),
    });
    let next = await h.journal.openAttempt('open', record.version, {
      provider: 'vf-a',
      serviceId: '7',
      at: new Date(NOON),
    });
    next = await h.journal.transition('open', next.version, {
      attempt: { no: 1, update: outcome('pending', null, '3') },
      payment: outcome('pending', null, '3'),
    });
    const report = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(report.discrepancies).toEqual([
      {
        kind: 'open_payment',
        paymentId: 'open',
        transactionId: next.attempts[0]!.transactionId,
        journalState: 'pending',
      },
    ]);
    expect(report.send.registry.status).toBe('blocked');
  });

  it("no list (the provider refused it): incomplete, blocked; forced, the day is counted by tolem's own times", async () => {
    const { a, h } = await day([{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }]);
    a.list = 'refused';
    const report = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(report.reconciliation.complete).toBe(false);
    expect(report.reconciliation.outcomes.day).toMatchObject({ state: 'failed', providerStatus: '-300' });
    expect(report.discrepancies).toEqual([]);
    expect(report.send.registry).toMatchObject({ status: 'blocked', blockedBy: 'reconciliation_incomplete' });
    const forced = await h.router.endOfDay('vf-a', DAY, {
      send: true,
      force: { reason: 'list down all day' },
    });
    expect(forced.registry.entries).toBe(3);
    expect(forced.send.registry).toMatchObject({
      status: 'sent',
      sentNow: 2,
      chunks: [{ size: 2 }, { size: 1 }],
    });
  });
});

describe('endOfDay: sends once, resumes, and notices a changed day', () => {
  it('chunks of the provider size; a refused chunk stops the run and is sent again next time; totals wait for the registry', async () => {
    const { a, h } = await day([{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }, { id: 'p4' }, { id: 'p5' }]);
    a.answers = ['success', 'error'];
    const progress: string[] = [];
    const first = await h.router.endOfDay('vf-a', DAY, {
      send: true,
      onProgress: (p) => {
        progress.push(`${p.kind}#${p.chunk}/${p.chunks}:${p.status}`);
        throw new Error('a broken progress display');
      },
    });
    expect(progress).toEqual([
      'registry#0/3:sending',
      'registry#0/3:accepted',
      'registry#1/3:sending',
      'registry#1/3:refused',
    ]);
    expect(first.send.registry).toMatchObject({
      status: 'incomplete',
      blockedBy: null,
      chunks: [
        { status: 'accepted' },
        { status: 'refused', outcome: { providerStatus: 'error' } },
        { status: 'unsent' },
      ],
    });
    expect(first.send.totals).toMatchObject({ status: 'blocked', blockedBy: 'registry_not_accepted' });
    a.answers = ['timeout'];
    const second = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(second.send.registry.chunks.map((c) => [c.status, c.sends])).toEqual([
      ['accepted', 1],
      ['unknown', 2],
      ['unsent', 0],
    ]);
    const third = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(third.send.registry).toMatchObject({ status: 'sent', sentNow: 2 });
    expect(third.send.totals).toMatchObject({ status: 'sent' });
    expect(a.registries.map((r) => r.length)).toEqual([2, 2, 1]);
    expect(a.totals).toMatchObject([{ date: DAY, totalCount: 5, totalAmount: '500.00' }]);
  });

  it('a chunk left "sending" by a crash is sent again; nothing is thrown once something was sent', async () => {
    const { a, h } = await day([{ id: 'p1' }]);
    a.answers = ['throw-before'];
    const refused = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(refused.send.registry).toMatchObject({
      status: 'incomplete',
      sentNow: 0,
      chunks: [{ status: 'unsent' }],
    });
    // A run that died between writing "sending" and the answer.
    const [submission] = await h.journal.submissions({ kind: 'registry' });
    await h.journal.updateSubmission(submission!, submission!.version, {
      index: 0,
      status: 'sending',
      actor: { kind: 'router', name: 'crashed' },
      at: h.clock.now(),
    });
    const resumed = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(resumed.send.registry).toMatchObject({
      status: 'sent',
      chunks: [{ status: 'accepted', sends: 3 }],
    });
  });

  it('a day whose payments changed after it was sent is blocked; forced, a new revision goes', async () => {
    const { a, h } = await day([{ id: 'p1' }, { id: 'p2' }]);
    expect((await h.router.endOfDay('vf-a', DAY, { send: true })).send.registry.status).toBe('sent');
    // A payment of the day the provider had and tolem learnt of later (registered that day).
    h.clock.advance(-3 * 3_600_000);
    const late = await h.router.pay(order('late', { amount: '100.00' }));
    a.registered.set(late.transactionId!, {
      at: h.clock.now().getTime(),
      amount: '100.00',
      state: 'succeeded',
    });
    h.clock.advance(3 * 3_600_000);
    const blocked = await h.router.endOfDay('vf-a', DAY, { send: true });
    expect(blocked.send.registry).toMatchObject({
      status: 'blocked',
      blockedBy: 'changed_since_sent',
      revision: 1,
    });
    const forced = await h.router.endOfDay('vf-a', DAY, {
      send: true,
      force: { reason: 'a late payment' },
      actor: 'ops',
    });
    expect(forced.send.registry).toMatchObject({
      status: 'sent',
      revision: 2,
      startedBy: { kind: 'operator', name: 'ops' },
    });
    expect((await h.journal.submissions({ kind: 'registry' })).map((s) => [s.revision, s.count])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('dayWindow', () => {
  it('is the calendar day in the zone, also across a daylight-saving change', () => {
    expect(dayWindow('2024-07-09', 'Europe/Moscow')).toMatchObject({
      from: new Date('2024-07-08T21:00:00.000Z'),
      to: new Date('2024-07-09T21:00:00.000Z'),
      year: 2024,
      month: 7,
    });
    const spring = dayWindow('2024-03-31', 'Europe/Berlin');
    expect(spring.to.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
    const autumn = dayWindow('2024-10-27', 'Europe/Berlin');
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });
});
