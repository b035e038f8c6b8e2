import {
  createMemoryJournal,
  outcome,
  type PaymentJournal,
  type PaymentState,
  type ProviderPaymentRecord,
  ValidationError,
} from '@tolem/core';
import { FakeProvider } from '@tolem/core/testing';
import { createVectrafinProvider, VECTRAFIN_STATUS_TABLE } from '@tolem/provider-vectrafin';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../test/harness.js';
import { buildDailyTotals, buildRegistryEntries } from './reconciliation.js';
import { createRouter } from './router.js';

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

/** A payment journaled as succeeded at `provider`, created at `at`: what "missing at provider" would name. */
async function succeededPayment(journal: PaymentJournal, provider: string, at: Date) {
  const { record } = await journal.create({
    paymentId: 'rec-1',
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: at,
    nextCheckAt: at,
  });
  const opened = await journal.openAttempt(record.paymentId, record.version, {
    provider,
    serviceId: '7',
    at,
  });
  return journal.transition(record.paymentId, opened.version, {
    attempt: { no: 1, update: { ...outcome('succeeded', null, '10'), providerRequestId: '11636982' } },
    payment: outcome('succeeded', null, '10'),
    at,
  });
}

/**
 * router.reconcile over the real VectraFin adapter, its GetPaymentsByDate answered by an undici
 * MockAgent with `reply`, and a journal holding one succeeded payment inside the range.
 */
async function reconcileAgainst(reply: { status?: number; body: string } | Error) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const origin = 'https://processing.vectrafin.test';
  const pool = agent.get(origin);
  if (reply instanceof Error) pool.intercept({ path: () => true, method: 'POST' }).replyWithError(reply);
  else
    pool.intercept({ path: () => true, method: 'POST' }).reply(reply.status ?? 200, reply.body, {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  const provider = createVectrafinProvider({
    id: 'vf-a',
    baseUrl: origin,
    agentId: '144',
    password: 'pw-Zq9-never-print-me',
    dispatcher: agent,
  });
  const journal = createMemoryJournal();
  const from = new Date('2024-07-09T00:00:00Z');
  const paid = await succeededPayment(journal, 'vf-a', new Date('2024-07-09T09:05:15Z'));
  const router = createRouter({
    providers: [provider],
    routes: { steam: [{ provider: 'vf-a', serviceId: '7' }] },
    journal,
    onError: () => {},
  });
  try {
    const report = await router.reconcile('vf-a', { from, to: new Date('2024-07-10T00:00:00Z') });
    return { report, transactionId: paid.attempts[0]!.transactionId };
  } finally {
    await router.stop();
    await agent.close();
  }
}

describe('reconcile: complete only when the provider answered with a list (protocol §4, every code)', () => {
  // A status-only answer to GetPaymentsByDate, for every code of protocol §4 and one it does not list.
  const codes = [...Object.keys(VECTRAFIN_STATUS_TABLE), '-999'];

  it.each(codes)(
    'ResponseStatus %s instead of the list: incomplete, with the outcome, no issue claimed',
    async (code) => {
      const { report } = await reconcileAgainst({
        body: `{"ResponseStatus":${code},"Message":"Неизвестная ошибка оператора"}`,
      });
      // Before: -300, -105 (failed) and 1..9 (pending) made a complete report with the journal's
      // succeeded payment "missing at provider".
      expect(report.complete).toBe(false);
      expect(report.issues).toEqual([]);
      expect(report.matched).toBe(0);
      expect(report.outcome).toMatchObject({
        providerStatus: code,
        message: 'Неизвестная ошибка оператора',
      });
      expect(report.outcome.state).not.toBe('succeeded');
      const mapped = (
        VECTRAFIN_STATUS_TABLE as Record<string, { state: PaymentState; reason: string | null }>
      )[code];
      if (mapped !== undefined && mapped.state !== 'succeeded') {
        expect(report.outcome).toMatchObject({ state: mapped.state, reason: mapped.reason });
      } else {
        // 10 or an unlisted code without the list is no success: unknown.
        expect(report.outcome).toMatchObject({ state: 'unknown', reason: 'unknown_status' });
      }
    },
  );

  it.each([
    ['an empty body', { body: '' }, 'empty_response'],
    ['an HTML page', { body: '<html><body>Сервис недоступен</body></html>' }, 'malformed_response'],
    ['an object that is not a list', { body: '{"Payments":[]}' }, 'malformed_response'],
    ['HTTP 502', { status: 502, body: '<html>502 Bad Gateway</html>' }, 'http_error'],
  ] as const)('%s instead of the list: incomplete (%s)', async (_, reply, reason) => {
    const { report } = await reconcileAgainst(reply);
    expect(report).toMatchObject({ complete: false, issues: [], outcome: { state: 'unknown', reason } });
  });

  it('an answered list is complete, even an empty one: then the journal’s payment is missing at the provider', async () => {
    const empty = await reconcileAgainst({ body: '[]' });
    expect(empty.report).toMatchObject({ complete: true, outcome: { state: 'succeeded' } });
    expect(empty.report.issues).toEqual([
      {
        kind: 'missing_at_provider',
        paymentId: 'rec-1',
        transactionId: empty.transactionId,
        journalState: 'succeeded',
      },
    ]);
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
