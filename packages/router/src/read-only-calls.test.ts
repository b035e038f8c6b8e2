import { ProviderUnavailableError, UnsupportedOperationError } from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness } from '../test/harness.js';

const check = { service: 'steam', account: 'galek10', amount: '100.00', currency: 'KZT' };

describe('read-only calls fall through the route (hono SmartRouter style)', () => {
  it('answers from the first provider when it answers', async () => {
    const h = harness();
    const result = await h.router.checkAccount(check);
    expect(result).toMatchObject({ provider: 'vf-a', state: 'succeeded', serviceId: '7' });
    expect(h.b.calls).toEqual([]);
  });

  it('returns a definitive answer as it is: "account not found" is an answer, not trouble', async () => {
    const a = new FakeProvider('vf-a', {
      checkAccount: () => ({ state: 'failed', reason: 'account_not_found' }),
    });
    const h = harness({ a });
    expect(await h.router.checkAccount(check)).toMatchObject({
      provider: 'vf-a',
      reason: 'account_not_found',
    });
    expect(h.b.calls).toEqual([]);
    expect(h.of('failover')).toEqual([]);
  });

  it.each(['timeout', 'connection_refused', 'auth_failed', 'route_not_found', 'malformed_response'] as const)(
    'tries the next provider after an unknown outcome (%s), with the next provider’s service id',
    async (reason) => {
      const a = new FakeProvider('vf-a', { checkAccount: () => ({ state: 'unknown', reason }) });
      const h = harness({ a });
      expect(await h.router.checkAccount(check)).toMatchObject({
        provider: 'vf-b',
        state: 'succeeded',
        serviceId: '70',
      });
      expect(h.of('failover')).toEqual([
        { service: 'steam', operation: 'checkAccount', from: 'vf-a', to: 'vf-b', reason, paymentId: null },
      ]);
    },
  );

  it('tries the next provider when one lacks the operation', async () => {
    const a = new FakeProvider('vf-a', { quote: false });
    const h = harness({ a });
    expect(await h.router.quote(check)).toMatchObject({ provider: 'vf-b', payAmount: '100.00' });
    expect(h.of('failover')[0]).toMatchObject({
      from: 'vf-a',
      to: 'vf-b',
      operation: 'quote',
      reason: 'unavailable',
    });
  });

  it('goes past an open breaker without calling the provider', async () => {
    const a = new FakeProvider('vf-a', { checkAccount: () => ({ state: 'unknown', reason: 'timeout' }) });
    const h = harness({ a, breaker: { volumeThreshold: 1, resetTimeout: 600_000 } });
    await h.router.checkAccount(check);
    const before = h.a.calls.length;
    expect(await h.router.checkAccount(check)).toMatchObject({ provider: 'vf-b' });
    expect(h.a.calls.length).toBe(before);
    expect(h.of('failover').at(-1)).toMatchObject({ from: 'vf-a', reason: 'breaker_open' });
  });

  it('returns the last unknown outcome when no provider could answer', async () => {
    const unknown = () => ({ state: 'unknown' as const, reason: 'timeout' as const });
    const h = harness({
      a: new FakeProvider('vf-a', { checkAccount: unknown }),
      b: new FakeProvider('vf-b', { checkAccount: unknown }),
    });
    expect(await h.router.checkAccount(check)).toMatchObject({
      provider: 'vf-b',
      state: 'unknown',
      reason: 'timeout',
    });
  });

  it('passes a per-call timeoutMs to every provider it tries (checkAccount and quote)', async () => {
    const a = new FakeProvider('vf-a', {
      checkAccount: () => ({ state: 'unknown', reason: 'timeout' }),
      quote: () => ({ state: 'unknown', reason: 'timeout' }),
    });
    const h = harness({ a });
    expect(await h.router.checkAccount(check, { timeoutMs: 300 })).toMatchObject({ provider: 'vf-b' });
    expect(await h.router.quote(check, { timeoutMs: 300 })).toMatchObject({ provider: 'vf-b' });
    for (const operation of ['checkAccount', 'quote']) {
      expect(h.a.calledWith(operation).map((call) => call.timeoutMs)).toEqual([300]);
      expect(h.b.calledWith(operation).map((call) => call.timeoutMs)).toEqual([300]);
    }
  });

  it('throws ProviderUnavailableError when every breaker of the route is open', async () => {
    const unknown = () => ({ state: 'unknown' as const, reason: 'timeout' as const });
    const h = harness({
      a: new FakeProvider('vf-a', { checkAccount: unknown }),
      b: new FakeProvider('vf-b', { checkAccount: unknown }),
      breaker: { volumeThreshold: 1, resetTimeout: 600_000 },
    });
    await h.router.checkAccount(check);
    const calls = h.a.calls.length + h.b.calls.length;
    const error = await h.router.checkAccount(check).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.is(error)).toBe(true);
    expect(h.a.calls.length + h.b.calls.length).toBe(calls);
  });

  it('rethrows UnsupportedOperationError when no provider of the route offers the operation', async () => {
    const h = harness({
      a: new FakeProvider('vf-a', { quote: false }),
      b: new FakeProvider('vf-b', { quote: false }),
    });
    await expect(h.router.quote(check)).rejects.toSatisfy((error) => UnsupportedOperationError.is(error));
  });

  it('refuses an unknown route or currency before calling anyone', async () => {
    const h = harness();
    await expect(h.router.checkAccount({ ...check, service: 'nope' })).rejects.toMatchObject({
      field: 'service',
    });
    await expect(h.router.checkAccount({ ...check, account: undefined } as never)).rejects.toMatchObject({
      field: 'account',
    });
    expect(h.a.calls).toEqual([]);
  });
});
