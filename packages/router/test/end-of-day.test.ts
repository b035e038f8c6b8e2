/**
 * router.endOfDay end to end: router + VectraFin provider + journal against the simulator, router and
 * simulator on one manual clock so that a payment can be made at 23:59:59.999 and one at 00:00:00.000
 * Moscow time (VectraFin's default zone). The simulator's ledger says what it registered when, and
 * which registries and totals it accepted.
 */
import { createMemoryJournal, Money, type PaymentRecord, zonedParts } from '@tolem/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndOfDayProgress } from '../src/back-office/types.js';
import { ManualClock } from './manual-clock.js';
import { AGENT_ID, AGENT_PASSWORD, type Stack, stack } from './stack.js';

const TIMEOUT = 120_000;
const ZONE = 'Europe/Moscow';
/** 2024-07-09 in Moscow (UTC+3) runs from 2024-07-08T21:00Z to 2024-07-09T21:00Z. */
const DAY = '2024-07-09';
const NEXT = '2024-07-10';
const at = (iso: string) => Date.parse(iso);

let current: Stack | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function open(clock: ManualClock, memory = false): Promise<Stack> {
  current = await stack({
    a: { clock },
    router: {
      clock,
      breaker: { volumeThreshold: 10_000 },
      ...(memory ? { journal: createMemoryJournal({ clock }) } : {}),
    },
  });
  return current;
}

const steam = (paymentId: string, amount = '150.00', account = 'galek10') => ({
  paymentId,
  service: 'steam',
  account,
  amount,
  currency: 'KZT',
});

/** The day (yyyy-MM-dd, Moscow) the simulator registered a transaction on: the provider's own clock. */
function registeredOn(s: Stack, transactionId: string): string {
  const record = s.simA.ledger.get(transactionId, AGENT_ID);
  if (record === undefined) throw new Error(`the simulator has no ${transactionId}`);
  return zonedParts(record.createdAt, ZONE).date;
}

/** The journal's succeeded payments at vf-a that the provider registered on `date`: what must be sent. */
async function succeededOn(s: Stack, date: string): Promise<PaymentRecord[]> {
  const all = await s.journal.list({});
  return all.filter(
    (record) =>
      record.state === 'succeeded' &&
      record.attempts.some(
        (a) => a.provider === 'vf-a' && a.state === 'succeeded' && registeredOn(s, a.transactionId) === date,
      ),
  );
}

describe('end of day against the simulator', () => {
  it(
    'sends the registry and totals of the day in the provider zone — 23:59:59.999 and 00:00:00.000 on their days — once',
    async () => {
      const clock = new ManualClock(at('2024-07-09T06:00:00.000Z'));
      const s = await open(clock);
      expect((await s.router.pay(steam('morning-1', '100.00'))).state).toBe('succeeded');
      clock.advance(60_000);
      expect((await s.router.pay(steam('morning-2', '250.50'))).state).toBe('succeeded');
      clock.advance(60_000);
      expect((await s.router.pay(steam('declined', '300.00', 'no-such-user'))).state).toBe('failed');
      // Sent at 23:59:59, lost before the provider got it; resent by the finalizer after midnight.
      clock.set(at('2024-07-09T20:59:59.000Z'));
      s.simA.faults.add({ requestType: 'Payment', times: 1, fault: { kind: 'drop-before' } });
      expect((await s.router.pay(steam('resent-after-midnight', '170.00'))).state).toBe('unknown');
      clock.set(at('2024-07-09T20:59:59.999Z'));
      expect((await s.router.pay(steam('last-millisecond', '110.01'))).state).toBe('succeeded');
      clock.set(at('2024-07-09T21:00:00.000Z'));
      expect((await s.router.pay(steam('first-millisecond', '120.02'))).state).toBe('succeeded');
      clock.set(at('2024-07-09T21:00:05.000Z'));
      await s.router.finalizeDue();
      const resent = (await s.router.getPayment('resent-after-midnight'))!;
      expect(resent).toMatchObject({ state: 'succeeded', attempts: [{ sends: 2 }] });
      const tx = (id: string) => s.journal.get(id).then((r) => r!.attempts[0]!.transactionId);
      expect(registeredOn(s, await tx('last-millisecond'))).toBe(DAY);
      expect(registeredOn(s, await tx('first-millisecond'))).toBe(NEXT);
      // tolem sent it on DAY (its RequestDate), the provider registered it on NEXT: NEXT it is.
      const resentRecord = (await s.journal.get('resent-after-midnight'))!;
      expect(zonedParts(new Date(resentRecord.attempts[0]!.createdAt), ZONE).date).toBe(DAY);
      expect(registeredOn(s, await tx('resent-after-midnight'))).toBe(NEXT);

      clock.set(at('2024-07-09T22:00:00.000Z'));
      const dry = await s.router.endOfDay('vf-a', DAY);
      const expected = await succeededOn(s, DAY);
      expect(expected.map((r) => r.paymentId).sort()).toEqual(['last-millisecond', 'morning-1', 'morning-2']);
      expect(dry).toMatchObject({
        provider: 'vf-a',
        date: DAY,
        timeZone: ZONE,
        from: '2024-07-08T21:00:00.000Z',
        to: '2024-07-09T21:00:00.000Z',
        reconciliation: { complete: true, matched: 3 },
        discrepancies: [],
        registry: { entries: 3, amount: '460.51', currency: 'KZT' },
        totals: {
          date: DAY,
          totalAmount: '460.51',
          totalCount: 3,
          services: [{ serviceId: '7', amount: '460.51', count: 3 }],
        },
        send: {
          requested: false,
          registry: { status: 'not_requested' },
          totals: { status: 'not_requested' },
        },
      });
      expect(s.simA.ledger.requestCount('PostPayments')).toBe(0);

      const sent = await s.router.endOfDay('vf-a', DAY, { send: true, actor: 'Aigerim N.' });
      expect(sent.send.registry).toMatchObject({
        status: 'sent',
        revision: 1,
        sentNow: 1,
        startedBy: { kind: 'operator', name: 'Aigerim N.' },
        chunks: [{ index: 0, offset: 0, size: 3, status: 'accepted', sends: 1 }],
      });
      expect(sent.send.totals).toMatchObject({ status: 'sent', sentNow: 1 });
      const [upload] = s.simA.ledger.registries();
      expect(upload?.transactions.map((t) => t.TransactionId).sort()).toEqual(
        (await Promise.all(expected.map((r) => r.attempts[0]!.transactionId))).sort(),
      );
      for (const entry of upload!.transactions) {
        const record = expected.find((r) => r.attempts[0]!.transactionId === entry.TransactionId)!;
        expect(entry).toMatchObject({
          RequestId: record.attempts[0]!.providerRequestId,
          Account: record.account,
          ServiceId: '7',
          Year: '2024',
          Month: '7',
        });
        expect(Money.exact(entry.Amount!, 'KZT').equals(Money.exact(record.amount, 'KZT'))).toBe(true);
      }
      expect(s.simA.ledger.dailyTotals()).toMatchObject([
        {
          totals: {
            Date: DAY,
            TotalAmount: '460.51',
            TotalCount: '3',
            Services: [{ ServiceId: '7', Amount: '460.51', Count: '3' }],
          },
        },
      ]);

      // Again: nothing is sent twice; the report says when and by whom it was.
      const again = await s.router.endOfDay('vf-a', DAY, { send: true });
      expect(again.send.registry).toMatchObject({
        status: 'already_sent',
        sentNow: 0,
        startedBy: { kind: 'operator', name: 'Aigerim N.' },
        completedAt: sent.send.registry.completedAt,
      });
      expect(again.send.totals.status).toBe('already_sent');
      expect(s.simA.ledger.requestCount('PostPayments')).toBe(1);
      expect(s.simA.ledger.requestCount('PostTotalAmount')).toBe(1);

      // The next day has the two payments the provider registered after midnight.
      clock.set(at('2024-07-10T22:00:00.000Z'));
      const next = await s.router.endOfDay('vf-a', NEXT, { send: true });
      expect(next).toMatchObject({
        discrepancies: [],
        registry: { entries: 2, amount: '290.02' },
        send: { registry: { status: 'sent' } },
      });
      expect((await succeededOn(s, NEXT)).map((r) => r.paymentId).sort()).toEqual([
        'first-millisecond',
        'resent-after-midnight',
      ]);
      expect(
        s.simA.ledger
          .registries()[1]
          ?.transactions.map((t) => t.TransactionId)
          .sort(),
      ).toEqual([await tx('first-millisecond'), await tx('resent-after-midnight')].sort());
      // Neither the journal's submissions nor a report carries the agent's password.
      expect(JSON.stringify(await s.journal.submissions())).not.toContain(AGENT_PASSWORD);
      for (const report of [dry, sent, again, next])
        expect(JSON.stringify(report)).not.toContain(AGENT_PASSWORD);
    },
    TIMEOUT,
  );

  it(
    'a day with 1001 payments: interrupted after the first chunk (an abort, then a lost connection), it resumes from the second',
    async () => {
      const clock = new ManualClock(at('2024-07-09T09:00:00.000Z'));
      const s = await open(clock, true);
      const ids = Array.from({ length: 1001 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
      for (let i = 0; i < ids.length; i += 50) {
        const views = await Promise.all(ids.slice(i, i + 50).map((id) => s.router.pay(steam(id, '100.00'))));
        for (const view of views) expect(view.state).toBe('succeeded');
        clock.advance(1_000);
      }
      clock.set(at('2024-07-09T22:00:00.000Z'));
      const seen: EndOfDayProgress[] = [];
      const controller = new AbortController();
      const first = await s.router.endOfDay('vf-a', DAY, {
        send: true,
        signal: controller.signal,
        onProgress: (progress) => {
          seen.push(progress);
          if (progress.chunk === 0 && progress.status === 'accepted') controller.abort();
        },
      });
      expect(first.discrepancies).toEqual([]);
      expect(first.send.registry).toMatchObject({
        status: 'incomplete',
        blockedBy: 'aborted',
        sentNow: 1,
        chunks: [
          { index: 0, offset: 0, size: 1000, status: 'accepted' },
          { index: 1, offset: 1000, size: 1, status: 'unsent', sends: 0 },
        ],
      });
      expect(first.send.totals).toMatchObject({ status: 'blocked', blockedBy: 'registry_not_accepted' });
      expect(seen.map((p) => [p.kind, p.chunk, p.chunks, p.status])).toEqual([
        ['registry', 0, 2, 'sending'],
        ['registry', 0, 2, 'accepted'],
      ]);
      expect(s.simA.ledger.registries().map((r) => r.transactions.length)).toEqual([1000]);

      // The second run resumes at chunk 1 — and loses its connection before the provider reads it.
      s.simA.faults.add({ requestType: 'PostPayments', times: 1, fault: { kind: 'drop-before' } });
      const second = await s.router.endOfDay('vf-a', DAY, { send: true });
      expect(second.send.registry).toMatchObject({
        status: 'incomplete',
        sentNow: 1,
        chunks: [
          { status: 'accepted', sends: 1 },
          { status: 'unknown', sends: 1 },
        ],
      });
      expect(s.simA.ledger.registries().map((r) => r.transactions.length)).toEqual([1000]);
      expect(s.simA.ledger.requestCount('PostTotalAmount')).toBe(0);

      const third = await s.router.endOfDay('vf-a', DAY, { send: true });
      expect(third.send.registry).toMatchObject({
        status: 'sent',
        sentNow: 1,
        chunks: [
          { status: 'accepted', sends: 1 },
          { status: 'accepted', sends: 2 },
        ],
      });
      expect(third.send.totals).toMatchObject({ status: 'sent' });
      const uploads = s.simA.ledger.registries();
      expect(uploads.map((r) => r.transactions.length)).toEqual([1000, 1]);
      const listed = uploads.flatMap((r) => r.transactions.map((t) => t.TransactionId));
      expect(new Set(listed).size).toBe(1001);
      const journalIds = (await s.router.journal.list({})).map((r) => r.attempts[0]!.transactionId);
      expect([...listed].sort()).toEqual([...journalIds].sort());
      expect(s.simA.ledger.dailyTotals()).toMatchObject([
        { totals: { TotalCount: '1001', TotalAmount: '100100.00' } },
      ]);
      // PostPayments: chunk 0 once, chunk 1 twice (lost, then accepted); nothing else.
      expect(s.simA.ledger.requestCount('PostPayments')).toBe(3);
    },
    TIMEOUT,
  );
});
