import { type ProviderPaymentRecord, ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { FakeProvider } from '../test/fake-provider.js';
import { harness, order } from '../test/harness.js';
import { buildDailyTotals, buildRegistryEntries } from './reconciliation.js';

const remote = (
  transactionId: string,
  amount: string,
  state: ProviderPaymentRecord['state'] = 'succeeded',
) => ({
  transactionId,
  providerRequestId: `9${transactionId}`,
  account: 'galek10',
  amount,
  serviceId: '7',
  agentCreatedAt: null,
  createdAt: null,
  processedAt: null,
  state,
  providerStatus: state === 'succeeded' ? '10' : '1',
});

describe('reconcile', () => {
  it('passes a per-call timeoutMs on to listPayments', async () => {
    const a = new FakeProvider('vf-a', {
      listPayments: () => ({
        state: 'succeeded',
        final: true,
        reason: null,
        providerStatus: null,
        message: null,
        payments: [],
      }),
    });
    const h = harness({ a });
    const now = h.clock.now().getTime();
    await h.router.reconcile('vf-a', { from: new Date(now - 60_000), to: new Date(now) }, { timeoutMs: 700 });
    expect(h.a.calledWith('listPayments').map((call) => call.timeoutMs)).toEqual([700]);
  });

  it('reports payments missing on either side and disagreements, and counts the matches', async () => {
    let listed: ProviderPaymentRecord[] = [];
    const a = new FakeProvider('vf-a', {
      pay: (request) => (request.account === 'slow' ? { state: 'pending' } : { state: 'succeeded' }),
      listPayments: () => ({
        state: 'succeeded',
        final: true,
        reason: null,
        providerStatus: null,
        message: null,
        payments: listed,
      }),
    });
    const h = harness({ a });
    const ok = await h.router.pay(order('r-1'));
    const lost = await h.router.pay(order('r-2'));
    const slow = await h.router.pay(order('r-3', { account: 'slow' }));
    const cheap = await h.router.pay(order('r-4', { amount: '50.00' }));
    listed = [
      remote(ok.transactionId ?? '', '100'),
      remote(slow.transactionId ?? '', '100.00'),
      remote(cheap.transactionId ?? '', '49.99'),
      remote('777000000000001', '10.00'),
    ];
    const from = new Date(h.clock.now().getTime() - 60_000);
    const report = await h.router.reconcile('vf-a', { from, to: new Date(h.clock.now().getTime() + 60_000) });
    expect(report.complete).toBe(true);
    expect(report.matched).toBe(1);
    expect(report.issues).toEqual(
      expect.arrayContaining([
        {
          kind: 'missing_at_provider',
          paymentId: 'r-2',
          transactionId: lost.transactionId,
          journalState: 'succeeded',
        },
        {
          kind: 'missing_in_journal',
          transactionId: '777000000000001',
          providerState: 'succeeded',
          amount: '10.00',
        },
        {
          kind: 'state_mismatch',
          paymentId: 'r-3',
          transactionId: slow.transactionId,
          journalState: 'pending',
          providerState: 'succeeded',
        },
        {
          kind: 'amount_mismatch',
          paymentId: 'r-4',
          transactionId: cheap.transactionId,
          journalAmount: '50.00',
          providerAmount: '49.99',
        },
      ]),
    );
    expect(report.issues).toHaveLength(4);
  });

  it('says the comparison is incomplete when the provider list could not be read', async () => {
    const a = new FakeProvider('vf-a', {
      listPayments: () => ({
        state: 'unknown',
        final: false,
        reason: 'timeout',
        providerStatus: null,
        message: null,
        payments: [],
      }),
    });
    const h = harness({ a });
    await h.router.pay(order('r-5'));
    const report = await h.router.reconcile('vf-a', {
      from: new Date(0),
      to: new Date(h.clock.now().getTime() + 1),
    });
    expect(report).toMatchObject({ complete: false, issues: [], outcome: { reason: 'timeout' } });
  });

  it('refuses a provider without a payment list, and a reversed range', async () => {
    const h = harness();
    await expect(h.router.reconcile('vf-a', { from: new Date(0), to: new Date(1) })).rejects.toMatchObject({
      code: 'TOLEM_UNSUPPORTED_OPERATION',
    });
    const a = new FakeProvider('vf-a', {
      listPayments: () => {
        throw new Error('unreachable');
      },
    });
    const h2 = harness({ a });
    await expect(h2.router.reconcile('vf-a', { from: new Date(5), to: new Date(1) })).rejects.toMatchObject({
      field: 'range',
    });
  });
});

describe('registry entries and daily totals from the journal', () => {
  async function day() {
    const a = new FakeProvider('vf-a', {
      pay: (request) =>
        request.account === 'declined'
          ? { state: 'failed', reason: 'account_not_found' }
          : { state: 'succeeded' },
    });
    const h = harness({ a });
    // 2024-07-09T20:30Z is 23:30 in Moscow: still the 9th there; 21:30Z is the 10th.
    h.clock.advance(11.5 * 3_600_000);
    await h.router.pay(order('d-1', { amount: '250000.00' }));
    await h.router.pay(order('d-2', { amount: '0.10' }));
    await h.router.pay(order('d-3', { amount: '0.20' }));
    await h.router.pay(order('d-4', { amount: '99.00', account: 'declined' }));
    await h.router.pay(order('d-5', { service: 'solo', amount: '50000.67' }));
    h.clock.advance(3_600_000);
    await h.router.pay(order('d-6', { amount: '1.00' }));
    return h;
  }

  it('sums a day exactly per service in the agent’s zone, leaving out declines and the next day', async () => {
    const h = await day();
    const totals = await buildDailyTotals(h.journal, 'vf-a', '2024-07-09', { timeZone: 'Europe/Moscow' });
    expect(totals).toEqual({
      date: '2024-07-09',
      totalAmount: '300000.97',
      totalCount: 4,
      services: [
        { serviceId: '7', amount: '250000.30', count: 3 },
        { serviceId: '8', amount: '50000.67', count: 1 },
      ],
    });
    const next = await buildDailyTotals(h.journal, 'vf-a', '2024-07-10', { timeZone: 'Europe/Moscow' });
    expect(next).toMatchObject({ totalAmount: '1.00', totalCount: 1 });
    await expect(
      buildDailyTotals(h.journal, 'vf-a', '09.07.2024', { timeZone: 'Europe/Moscow' }),
    ).rejects.toSatisfy((error) => ValidationError.is(error));
  });

  it('lists every succeeded payment with its request id and the agent-zone creation time', async () => {
    const h = await day();
    const from = new Date('2024-07-09T00:00:00Z');
    const { entries, incomplete } = await buildRegistryEntries(
      h.journal,
      'vf-a',
      { from, to: new Date('2024-07-09T21:00:00Z') },
      { timeZone: 'Europe/Moscow' },
    );
    expect(incomplete).toEqual([]);
    expect(entries).toHaveLength(4);
    expect(entries[0]).toMatchObject({
      agentCreatedAt: '2024-07-09 23:30:00',
      account: 'galek10',
      amount: '250000.00',
      serviceId: '7',
      year: 2024,
      month: 7,
    });
    expect(entries[0]?.providerRequestId).toBe(`9${entries[0]?.transactionId}`);
  });
});
