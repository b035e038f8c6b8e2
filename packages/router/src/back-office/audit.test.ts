import { replayHistory, replayTarget } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';

const callback = (transactionId: string, status: number) =>
  `{"RequestID":7241376,"ResponseType":"CallBack","TransactinID":${transactionId},"ResponseStatus":${status},"Message":"Транзакция успешна"}`;

const ME = 'test-instance';

describe('the router signs every write it makes (architecture §4.8)', () => {
  it('pay() writes as the router; the finalizer as the finalizer, with the Status answer behind each check', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'unknown', reason: 'timeout' }) });
    const h = harness({ a });
    const view = await h.router.pay(order('a-1'));
    expect(view.state).toBe('unknown');
    // The provider did get it: Status says pending, then pending again, then succeeded.
    a.accept(view.transactionId!, { state: 'pending', providerStatus: '1' });
    h.clock.advance(30_001);
    await h.router.finalizeDue();
    h.clock.advance(60_000);
    await h.router.finalizeDue();
    a.settleLedger(view.transactionId!, { state: 'succeeded', providerStatus: '10' });
    h.clock.advance(60_000);
    await h.router.finalizeDue();
    const entries = await h.journal.history('a-1');
    expect(entries.map((e) => [e.event, e.actor.kind, e.actor.name, e.reason])).toEqual([
      ['created', 'router', ME, 'pay'],
      ['attempt_opened', 'router', ME, 'pay'],
      ['outcome', 'router', ME, 'pay'],
      ['outcome', 'finalizer', ME, 'status_check'],
      ['checked', 'finalizer', ME, 'status_check'],
      ['outcome', 'finalizer', ME, 'status_check'],
    ]);
    expect(entries[2]?.attempts[0]?.after).toMatchObject({ state: 'unknown', reason: 'timeout' });
    expect(entries[3]?.answer).toMatchObject({ state: 'pending', providerStatus: '1' });
    expect(entries[4]?.answer).toMatchObject({ state: 'pending', providerStatus: '1' });
    expect(entries[5]).toMatchObject({
      answer: { state: 'succeeded', providerStatus: '10' },
      payment: { after: { state: 'succeeded', final: true } },
    });
    expect(replayHistory(entries)).toEqual(replayTarget((await h.journal.get('a-1'))!));
  });

  it('a resend after "not found" is in the history as the finalizer\'s, with the answer that caused it', async () => {
    const a = new FakeProvider('vf-a', {
      pay: (_request, call) =>
        call === 1 ? { state: 'unknown', reason: 'timeout' } : { state: 'succeeded', providerStatus: '10' },
    });
    const h = harness({ a });
    await h.router.pay(order('a-2'));
    h.clock.advance(30_001);
    await h.router.finalizeDue();
    const entries = await h.journal.history('a-2');
    const resent = entries.find((e) => e.event === 'resent');
    expect(resent).toMatchObject({
      actor: { kind: 'finalizer', name: ME },
      reason: 'resend_not_found',
      answer: { state: 'unknown', reason: 'not_found', providerStatus: '-4' },
      attempts: [{ no: 1, before: { sends: 1 }, after: { sends: 2 } }],
    });
    expect(entries.at(-1)?.payment.after.state).toBe('succeeded');
    expect(
      a.calledWith('pay').filter((c) => c.transactionId === resent?.attempts[0]?.after.transactionId),
    ).toHaveLength(2);
  });

  it('callbacks: a confirmed one is signed by the callback intake; unchanged and throttled ones get an entry of their own, at most one per interval', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending', providerStatus: '1' }) });
    const h = harness({ a, callbacks: { minCheckIntervalMs: 5_000 } });
    const view = await h.router.pay(order('a-3'));
    const tx = view.transactionId!;
    // The provider moves on (1 → 3): a callback confirms it with Status, and the write is the callback's.
    a.settleLedger(tx, { state: 'pending', providerStatus: '3' });
    expect((await h.router.handleCallback('vf-a', callback(tx, 10))).result).toBe('confirmed');
    // A flood within the interval: throttled, one entry for all of it.
    for (let i = 0; i < 20; i++) {
      expect((await h.router.handleCallback('vf-a', callback(tx, 10))).result).toBe('throttled');
    }
    let entries = await h.journal.history('a-3');
    expect(entries.filter((e) => e.event === 'callback')).toHaveLength(1);
    // Past the interval, a forged "success": Status says pending 3 still, nothing changes.
    h.clock.advance(5_001);
    expect((await h.router.handleCallback('vf-a', callback(tx, 10))).result).toBe('unchanged');
    h.clock.advance(5_001);
    a.settleLedger(tx, { state: 'succeeded', providerStatus: '10' });
    expect((await h.router.handleCallback('vf-a', callback(tx, 10))).result).toBe('confirmed');
    // A callback that matches no payment has no payment to record it on.
    expect((await h.router.handleCallback('vf-a', callback('999999', 10))).result).toBe('rejected');
    entries = await h.journal.history('a-3');
    expect(entries.map((e) => [e.event, e.actor.kind, e.reason])).toEqual([
      ['created', 'router', 'pay'],
      ['attempt_opened', 'router', 'pay'],
      ['outcome', 'router', 'pay'],
      ['outcome', 'callback', 'callback'],
      ['callback', 'callback', 'throttled'],
      ['callback', 'callback', 'unchanged'],
      ['outcome', 'callback', 'callback'],
    ]);
    expect(entries[3]?.answer).toMatchObject({ state: 'pending', providerStatus: '3' });
    expect(entries[4]).toMatchObject({
      actor: { name: ME },
      note: 'the callback said succeeded (10)',
      answer: null,
    });
    expect(entries[5]).toMatchObject({
      note: 'the callback said succeeded (10)',
      answer: { state: 'pending', providerStatus: '3' },
    });
    expect(entries[5]?.payment.before).toEqual(entries[5]?.payment.after);
    expect(entries.at(-1)?.answer).toMatchObject({ state: 'succeeded', providerStatus: '10' });
    expect(await h.journal.history('none')).toEqual([]);
    await h.router.stop();
  });

  it('a payment failed over is in the history hop by hop, and it holds no voucher code', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'failed', reason: 'provider_technical', providerStatus: '-115' }),
    });
    const b = new FakeProvider('vf-b', {
      pay: () => ({ state: 'succeeded', providerStatus: '10', voucherCode: 'CODE-9F3K-SECRET' }),
    });
    const h = harness({ a, b });
    const view = await h.router.pay(order('a-4', { sendType: 'api' }));
    expect(view.voucherCode?.reveal()).toBe('CODE-9F3K-SECRET');
    const entries = await h.journal.history('a-4');
    expect(entries.map((e) => e.event)).toEqual([
      'created',
      'attempt_opened',
      'outcome',
      'attempt_opened',
      'outcome',
    ]);
    expect(entries[3]?.attempts.map((c) => [c.no, c.after.provider])).toEqual([[2, 'vf-b']]);
    expect(JSON.stringify(entries)).not.toContain('CODE-9F3K-SECRET');
    expect(replayHistory(entries)).toEqual(replayTarget((await h.journal.get('a-4'))!));
  });
});
