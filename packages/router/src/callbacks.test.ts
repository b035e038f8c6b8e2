import { describe, expect, it } from 'vitest';
import { FakeProvider } from '../test/fake-provider.js';
import { harness, order } from '../test/harness.js';

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
