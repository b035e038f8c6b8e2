import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { harness, order } from '../../test/harness.js';
import { KeyedLock } from '../keyed-lock.js';

const callback = (transactionId: string, status: number) =>
  `{"RequestID":7241376,"ResponseType":"CallBack","TransactinID":${transactionId},"ResponseStatus":${status},"Message":"Транзакция успешна"}`;

async function pendingPayment(id: string) {
  const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
  const h = harness({ a });
  const view = await h.router.pay(order(id));
  return { h, transactionId: view.transactionId ?? '' };
}

describe('handleCallback (architecture §4.5)', () => {
  it('rejects a callback for a transaction the journal does not know, changing nothing', async () => {
    const { h } = await pendingPayment('c-1');
    const before = await h.journal.get('c-1');
    const handled = await h.router.handleCallback('vf-a', callback('999999999', 10));
    expect(handled).toEqual({ result: 'rejected', paymentId: null, state: null });
    expect(await h.journal.get('c-1')).toEqual(before);
    expect(h.a.calledWith('getStatus')).toEqual([]);
    expect(h.of('callback')).toEqual([{ provider: 'vf-a', result: 'rejected', paymentId: null }]);
  });

  it('rejects a known transaction id arriving through another provider', async () => {
    const { h, transactionId } = await pendingPayment('c-2');
    expect((await h.router.handleCallback('vf-b', callback(transactionId, 10))).result).toBe('rejected');
    expect((await h.journal.get('c-2'))?.state).toBe('pending');
  });

  it('confirms with Status before the journal moves', async () => {
    const { h, transactionId } = await pendingPayment('c-3');
    h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10' });
    const handled = await h.router.handleCallback('vf-a', callback(transactionId, 10));
    expect(handled).toEqual({ result: 'confirmed', paymentId: 'c-3', state: 'succeeded' });
    expect(h.a.calledWith('getStatus')).toHaveLength(1);
    expect(await h.router.getPayment('c-3')).toMatchObject({ state: 'succeeded', final: true });
  });

  it('believes Status, not the callback: a forged "success" leaves a pending payment pending', async () => {
    const { h, transactionId } = await pendingPayment('c-4');
    const handled = await h.router.handleCallback('vf-a', callback(transactionId, 10));
    expect(handled).toEqual({ result: 'unchanged', paymentId: 'c-4', state: 'pending' });
    expect((await h.journal.get('c-4'))?.state).toBe('pending');
  });

  it('keeps the journal when Status cannot be asked (breaker open or no answer)', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'pending' }),
      getStatus: () => ({ state: 'unknown', reason: 'timeout' }),
    });
    const h = harness({ a });
    const view = await h.router.pay(order('c-5'));
    const handled = await h.router.handleCallback('vf-a', callback(view.transactionId ?? '', 10));
    expect(handled.result).toBe('unchanged');
    expect((await h.journal.get('c-5'))?.state).toBe('pending');
  });

  it('treats duplicates and late callbacks as harmless', async () => {
    const { h, transactionId } = await pendingPayment('c-6');
    h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10' });
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push((await h.router.handleCallback('vf-a', callback(transactionId, 10))).result);
    expect(results).toEqual(['confirmed', 'unchanged', 'unchanged']);
    // Once final, a late callback does not even ask Status.
    expect(h.a.calledWith('getStatus')).toHaveLength(1);
    expect(h.of('payment.final')).toHaveLength(1);
  });

  it('reports a body that is not a callback as invalid', async () => {
    const { h } = await pendingPayment('c-7');
    expect((await h.router.handleCallback('vf-a', '<html>hello</html>')).result).toBe('invalid');
    expect((await h.router.handleCallback('nope', '{}')).result).toBe('invalid');
  });

  it('a confirmed final failure with a listed reason hands the payment to the finalizer for the next provider', async () => {
    const { h, transactionId } = await pendingPayment('c-8');
    h.a.settleLedger(transactionId, {
      state: 'failed',
      reason: 'provider_technical',
      providerStatus: '-115',
    });
    const handled = await h.router.handleCallback('vf-a', callback(transactionId, -115));
    expect(handled.result).toBe('confirmed');
    expect(h.b.calls).toEqual([]);
    const record = await h.journal.get('c-8');
    expect(record?.final).toBe(false);
    expect(record?.nextCheckAt).toBe(h.clock.now().toISOString());
    await h.router.finalizeDue();
    expect(await h.router.getPayment('c-8')).toMatchObject({ state: 'succeeded', provider: 'vf-b' });
  });
});

/** A Status the test answers by hand: the check stays in flight until `release()`. */
function heldStatus() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
}

describe('a flood of callbacks for one payment (issue 10 item 5)', () => {
  it('300 callbacks while a Status is in flight cost that one Status and all get its answer', async () => {
    const held = heldStatus();
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'pending' }),
      getStatus: async (ref, ledger) => {
        await held.released;
        return ledger.get(ref.transactionId) ?? { state: 'unknown', reason: 'not_found' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('flood-1'));
    const transactionId = view.transactionId ?? '';
    h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10' });
    const handled = Array.from({ length: 300 }, () =>
      h.router.handleCallback('vf-a', callback(transactionId, 10)),
    );
    await vi.waitFor(() => expect(h.a.calledWith('getStatus')).toHaveLength(1));
    held.release();
    const results = await Promise.all(handled);
    expect(h.a.calledWith('getStatus')).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify({ result: 'confirmed', paymentId: 'flood-1', state: 'succeeded' })]),
    );
    expect(h.of('payment.final')).toHaveLength(1);
    expect(h.of('callback')).toHaveLength(300);
  });

  it('callbacks that join a check in flight never queue on the payment lock', async () => {
    const held = heldStatus();
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'pending' }),
      getStatus: async () => {
        await held.released;
        return { state: 'pending', providerStatus: '3' };
      },
    });
    const h = harness({ a });
    const view = await h.router.pay(order('flood-2'));
    const runs = vi.spyOn(KeyedLock.prototype, 'run');
    try {
      const handled = Array.from({ length: 50 }, () =>
        h.router.handleCallback('vf-a', callback(view.transactionId ?? '', 10)),
      );
      await vi.waitFor(() => expect(h.a.calledWith('getStatus')).toHaveLength(1));
      held.release();
      const results = await Promise.all(handled);
      // Status said pending '3': the first check wrote that (confirmed), the others share its answer.
      expect(results.map((r) => r.result)).toEqual(Array(50).fill('confirmed'));
      expect(runs.mock.calls.filter(([key]) => key === 'flood-2')).toHaveLength(1);
    } finally {
      runs.mockRestore();
    }
  });

  it('a payment checked for a callback less than minCheckIntervalMs ago is answered from the journal (throttled)', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, callbacks: { minCheckIntervalMs: 600_000 } });
    const view = await h.router.pay(order('flood-3'));
    const transactionId = view.transactionId ?? '';
    // The first one is checked: a forged "success", Status says pending.
    expect(await h.router.handleCallback('vf-a', callback(transactionId, 10))).toEqual({
      result: 'unchanged',
      paymentId: 'flood-3',
      state: 'pending',
    });
    h.clock.advance(599_999);
    for (let i = 0; i < 20; i++) {
      expect(await h.router.handleCallback('vf-a', callback(transactionId, 10))).toEqual({
        result: 'throttled',
        paymentId: 'flood-3',
        state: 'pending',
      });
    }
    expect(h.a.calledWith('getStatus')).toHaveLength(1);
    expect(h.of('callback').map((event) => event.result)).toEqual([
      'unchanged',
      ...Array(20).fill('throttled'),
    ]);
    // Once the interval is over, a genuine confirming callback is checked again and moves the payment.
    h.clock.advance(1);
    h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10' });
    expect(await h.router.handleCallback('vf-a', callback(transactionId, 10))).toEqual({
      result: 'confirmed',
      paymentId: 'flood-3',
      state: 'succeeded',
    });
    expect(h.a.calledWith('getStatus')).toHaveLength(2);
  });

  it('a callback throttled inside the interval is followed by one Status when the interval ends', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    // The manual clock does not move: the interval's end is the only real wait (a few ms).
    const h = harness({ a, callbacks: { minCheckIntervalMs: 20 } });
    const view = await h.router.pay(order('flood-4'));
    const transactionId = view.transactionId ?? '';
    expect((await h.router.handleCallback('vf-a', callback(transactionId, 10))).result).toBe('unchanged');
    // The provider finishes right after that check; its genuine callback falls inside the interval.
    h.a.settleLedger(transactionId, { state: 'succeeded', providerStatus: '10' });
    const results = [];
    for (let i = 0; i < 10; i++)
      results.push((await h.router.handleCallback('vf-a', callback(transactionId, 10))).result);
    expect(results).toEqual(Array(10).fill('throttled'));
    await vi.waitFor(() => expect(h.of('payment.final')).toHaveLength(1));
    expect(await h.router.getPayment('flood-4')).toMatchObject({ state: 'succeeded', final: true });
    // One follow-up Status for all ten, and none after it.
    expect(h.a.calledWith('getStatus')).toHaveLength(2);
    await h.router.stop();
    expect(h.a.calledWith('getStatus')).toHaveLength(2);
  });

  it('unknown transaction ids cost no provider call, however many', async () => {
    const { h, transactionId } = await pendingPayment('flood-5');
    const forged = Array.from({ length: 300 }, (_, i) =>
      h.router.handleCallback('vf-a', callback(String(BigInt(transactionId) + 1000n + BigInt(i)), 10)),
    );
    const results = await Promise.all(forged);
    expect(new Set(results.map((r) => r.result))).toEqual(new Set(['rejected']));
    expect(h.a.calls.filter((call) => call.operation !== 'pay')).toEqual([]);
    expect(h.b.calls).toEqual([]);
  });

  it('the finalizer’s own checks are not throttled by callback checks', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, callbacks: { minCheckIntervalMs: 600_000 } });
    const view = await h.router.pay(order('flood-6'));
    expect((await h.router.handleCallback('vf-a', callback(view.transactionId ?? '', 10))).result).toBe(
      'unchanged',
    );
    h.clock.advance(1_000);
    await h.router.finalizeDue();
    expect(h.a.calledWith('getStatus')).toHaveLength(2);
    h.clock.advance(2_000);
    await h.router.finalizeDue();
    expect(h.a.calledWith('getStatus')).toHaveLength(3);
  });
});
