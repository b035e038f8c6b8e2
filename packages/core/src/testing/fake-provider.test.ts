import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { FakeProvider } from './fake-provider.js';

const request = (transactionId: string, extra: Record<string, unknown> = {}) => ({
  serviceId: '7',
  account: 'galek10',
  amount: '100.00',
  currency: 'KZT',
  transactionId,
  ...extra,
});

// What other packages' tests rely on; the conformance suite (provider-conformance.test.ts) covers the port.
describe('FakeProvider', () => {
  it('records a call it refuses (so a test sees who validated), but counts no request for it', async () => {
    const fake = new FakeProvider('vf-a');
    await expect(fake.pay(request('1', { amount: '1e3' }))).rejects.toSatisfy(ValidationError.is);
    expect(fake.calledWith('pay')).toHaveLength(1);
    expect(fake.requests).toBe(0);
  });

  it('answers a resent Payment from its ledger and never credits it twice', async () => {
    let decided = 0;
    const fake = new FakeProvider('vf-a', {
      pay: () => {
        decided += 1;
        return { state: 'succeeded', providerStatus: '10' };
      },
    });
    const first = await fake.pay(request('42'));
    const second = await fake.pay(request('42'));
    expect(second).toEqual(first);
    expect(decided).toBe(1);
    expect(fake.credits.get('42')).toBe(1);
    expect(fake.requests).toBe(2);
  });

  it('keeps no unknown answer: a resend after one is decided again', async () => {
    const answers = [
      { state: 'unknown' as const, reason: 'timeout' as const },
      { state: 'succeeded' as const },
    ];
    const fake = new FakeProvider('vf-a', { pay: () => answers.shift()! });
    expect((await fake.pay(request('7'))).state).toBe('unknown');
    expect(fake.ledger.has('7')).toBe(false);
    expect((await fake.pay(request('7'))).state).toBe('succeeded');
  });

  it('says in its capabilities which optional operations it has', () => {
    const plain = new FakeProvider('a');
    expect(plain.capabilities.operations).toMatchObject({ quote: true, callbacks: true, balance: false });
    expect([plain.listPayments, plain.getBalance, plain.listServices]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const lean = new FakeProvider('b', { quote: false, parseCallback: false });
    expect([lean.quote, lean.parseCallback]).toEqual([undefined, undefined]);
    expect(lean.capabilities.operations).toMatchObject({ quote: false, callbacks: false });
    const unsupported = new FakeProvider('c', { quote: 'unsupported' });
    expect(unsupported.capabilities.operations.quote).toBe(false);
    expect(typeof unsupported.quote).toBe('function');
  });

  it('answers unknown / aborted when a Payment it sent is aborted before the backend answers', async () => {
    const fake = new FakeProvider('vf-a', { pay: () => new Promise(() => {}) });
    const controller = new AbortController();
    const paying = fake.pay(request('9'), { signal: controller.signal });
    controller.abort(new Error('customer left'));
    expect(await paying).toMatchObject({ state: 'unknown', reason: 'aborted', final: false });
    expect(fake.requests).toBe(1);
  });
});
