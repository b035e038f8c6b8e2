import { ProviderUnavailableError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { type Admission, DispatchQueue, type Slot } from './dispatch-queue.js';

function slotOf(admission: Admission): Slot {
  if (!admission.admitted) throw new Error(`not admitted: ${admission.why}`);
  return admission.slot;
}

describe('DispatchQueue', () => {
  it('admits up to `connections` at once, then serves waiters first come first served', async () => {
    const queue = new DispatchQueue(2, 10, 'vf-a');
    const a = slotOf(await queue.acquire(1_000));
    const b = slotOf(await queue.acquire(1_000));
    const order: string[] = [];
    const c = queue.acquire(10_000).then((admission) => {
      order.push('c');
      return slotOf(admission);
    });
    const d = queue.acquire(10_000).then((admission) => {
      order.push('d');
      return slotOf(admission);
    });
    expect(queue.load).toEqual({ inFlight: 2, waiting: 2 });
    b.release();
    b.release(); // twice is once
    await c;
    expect(order).toEqual(['c']);
    expect(queue.load).toEqual({ inFlight: 2, waiting: 1 });
    a.release();
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('refuses at once when `limit` requests already wait, and after the timeout otherwise', async () => {
    const queue = new DispatchQueue(1, 1, 'vf-a');
    const held = slotOf(await queue.acquire(1_000));
    const waiting = queue.acquire(30);
    expect(await queue.acquire(1_000)).toEqual({ admitted: false, why: 'full', waitedMs: 0 });
    const late = await waiting;
    expect(late).toMatchObject({ admitted: false, why: 'timeout' });
    expect(queue.load).toEqual({ inFlight: 1, waiting: 0 });
    held.release();
    expect(queue.load).toEqual({ inFlight: 0, waiting: 0 });
  });

  it('a zero timeout never waits', async () => {
    const queue = new DispatchQueue(1, 10, 'vf-a');
    slotOf(await queue.acquire(0));
    expect(await queue.acquire(0)).toEqual({ admitted: false, why: 'timeout', waitedMs: 0 });
  });

  it('an aborted signal rejects with its reason and gives up the place in the queue', async () => {
    const queue = new DispatchQueue(1, 10, 'vf-a');
    const held = slotOf(await queue.acquire(1_000));
    const controller = new AbortController();
    const reason = new Error('gave up');
    const waiting = queue.acquire(10_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(queue.load.waiting).toBe(0);
    await expect(queue.acquire(1_000, controller.signal)).rejects.toBe(reason);
    held.release();
    expect(queue.load.inFlight).toBe(0);
  });

  it('close() rejects every waiter and every later request with ProviderUnavailableError', async () => {
    const queue = new DispatchQueue(1, 10, 'vf-a');
    const held = slotOf(await queue.acquire(1_000));
    const waiting = queue.acquire(10_000);
    queue.close();
    await expect(waiting).rejects.toSatisfy((error) => ProviderUnavailableError.is(error));
    await expect(queue.acquire(1_000)).rejects.toSatisfy((error) => ProviderUnavailableError.is(error));
    held.release();
    expect(queue.load).toEqual({ inFlight: 0, waiting: 0 });
  });
});
