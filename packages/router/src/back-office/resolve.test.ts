import {
  type Outcome,
  outcome,
  ProviderUnavailableError,
  ResolutionRefusedError,
  replayHistory,
  replayTarget,
  ValidationError,
} from '@tolem/core';
import { type FakeAnswer, FakeProvider } from '@tolem/core/testing';
import { describe, expect, it } from 'vitest';
import { harness, order } from '../../test/harness.js';

const ALICE = { actor: 'Aigerim N.', note: 'customer called: the top-up never arrived' };

/** A payment whose only attempt at vf-a came back unknown (timeout), with Status answering `status`. */
async function stuckPayment(paymentId: string, status: (tx: string) => FakeAnswer | 'unreachable') {
  const a = new FakeProvider('vf-a', {
    pay: () => ({ state: 'unknown', reason: 'timeout' }),
    getStatus: (ref) => {
      const answer = status(ref.transactionId);
      if (answer === 'unreachable')
        throw new ProviderUnavailableError('circuit breaker is open, nothing sent');
      return answer;
    },
  });
  const h = harness({ a });
  const view = await h.router.pay(order(paymentId));
  expect(view.state).toBe('unknown');
  return { h, a, transactionId: view.transactionId! };
}

async function refusal(call: Promise<unknown>): Promise<ResolutionRefusedError> {
  try {
    await call;
  } catch (error) {
    expect(ResolutionRefusedError.is(error), String(error)).toBe(true);
    return error as ResolutionRefusedError;
  }
  throw new Error('expected a ResolutionRefusedError, but the resolution went through');
}

const events = <T>(h: ReturnType<typeof harness>, name: 'payment.resolved') => {
  const seen: T[] = [];
  h.router.events.on(name, (event) => seen.push(event as T));
  return seen;
};

describe('resolve: input is checked before anything is asked', () => {
  it.each([
    [{ ...ALICE, state: 'done' }, 'state'],
    [{ state: 'failed', note: 'x' }, 'actor'],
    [{ state: 'failed', actor: '  ', note: 'x' }, 'actor'],
    [{ state: 'failed', actor: 'two\nlines', note: 'x' }, 'actor'],
    [{ state: 'failed', actor: 'a'.repeat(129), note: 'x' }, 'actor'],
    [{ state: 'failed', actor: 'ops' }, 'note'],
    [{ state: 'failed', actor: 'ops', note: '' }, 'note'],
    [{ state: 'failed', actor: 'ops', note: 'x'.repeat(2001) }, 'note'],
    [{ state: 'failed', actor: 'ops', note: 'x', evidence: '' }, 'evidence'],
    [{ state: 'failed', actor: 'ops', note: 'x', evidence: 'bell\u0007' }, 'evidence'],
    [{ state: 'failed', actor: 'ops', note: 'x', force: true }, 'force'],
  ])('%j → ValidationError on %s', async (request, field) => {
    const { h, a } = await stuckPayment('r-in', () => ({ state: 'failed', reason: 'account_not_found' }));
    const before = await h.journal.history('r-in');
    const error = await h.router.resolve('r-in', request as never).catch((caught: unknown) => caught);
    expect(ValidationError.is(error), String(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
    expect(a.calledWith('getStatus')).toEqual([]);
    expect(await h.journal.history('r-in')).toEqual(before);
  });

  it('an unknown payment id is a ValidationError on paymentId; a malformed one too', async () => {
    const { h } = await stuckPayment('r-id', () => ({ state: 'failed', reason: 'account_not_found' }));
    for (const id of ['nope', '', 'has space']) {
      const error = await h.router
        .resolve(id, { state: 'failed', ...ALICE })
        .catch((caught: unknown) => caught);
      expect((error as ValidationError).field).toBe('paymentId');
    }
  });
});

describe('resolve failed', () => {
  it('confirmed by the provider (a final decline): both the attempt and the payment fail, on the record', async () => {
    const { h, transactionId } = await stuckPayment('r-1', () => ({
      state: 'failed',
      reason: 'account_not_found',
      providerStatus: '-105',
    }));
    const resolved = events<{ paymentId: string; confirmation: string; actor: string }>(
      h,
      'payment.resolved',
    );
    const resolution = await h.router.resolve('r-1', { state: 'failed', ...ALICE });
    expect(resolution).toMatchObject({
      state: 'failed',
      confirmation: 'provider',
      checks: [
        {
          attemptNo: 1,
          provider: 'vf-a',
          transactionId,
          answer: { state: 'failed', reason: 'account_not_found' },
        },
      ],
      payment: { state: 'failed', final: true, reason: 'account_not_found', providerStatus: '-105' },
    });
    expect(resolution.payment.attempts[0]).toMatchObject({ state: 'failed', final: true });
    expect(resolution.payment.message).toBe('resolved failed by Aigerim N. (confirmed by the provider)');
    expect(resolution.entry).toMatchObject({
      event: 'resolved',
      actor: { kind: 'operator', name: 'Aigerim N.' },
      reason: 'resolution',
      note: ALICE.note,
      evidence: null,
      answer: { state: 'failed', reason: 'account_not_found', providerStatus: '-105' },
      payment: { before: { state: 'unknown', final: false }, after: { state: 'failed', final: true } },
    });
    expect(resolved).toEqual([
      {
        paymentId: 'r-1',
        service: 'steam',
        provider: 'vf-a',
        state: 'failed',
        confirmation: 'provider',
        actor: 'Aigerim N.',
      },
    ]);
    expect(h.of('payment.final')).toMatchObject([{ paymentId: 'r-1', state: 'failed' }]);
    const entries = await h.journal.history('r-1');
    expect(entries.at(-1)).toEqual(resolution.entry);
    expect(replayHistory(entries)).toEqual(replayTarget((await h.journal.get('r-1'))!));
  });

  it.each<[string, FakeAnswer]>([
    ['succeeded', { state: 'succeeded', providerStatus: '10' }],
    ['pending', { state: 'pending', providerStatus: '3' }],
    [
      'an unmapped status (it holds the payment in some state)',
      { state: 'unknown', reason: 'unknown_status', providerStatus: '77' },
    ],
    ['a conflicting echo (it holds something under that id)', { state: 'unknown', reason: 'conflict' }],
  ])(
    'is refused while the provider says %s — even with evidence — and nothing changes',
    async (_label, answer) => {
      const { h } = await stuckPayment('r-2', () => answer);
      h.clock.advance(60_000);
      const before = await h.journal.get('r-2');
      const error = await refusal(
        h.router.resolve('r-2', { state: 'failed', ...ALICE, evidence: 'ticket VF-7' }),
      );
      expect(error).toMatchObject({
        paymentId: 'r-2',
        requested: 'failed',
        refusal: 'contradicted',
        current: 'unknown',
        answer: {
          attemptNo: 1,
          provider: 'vf-a',
          state: answer.state,
          providerStatus: answer.providerStatus ?? null,
        },
      });
      expect(error.message).toMatch(/may have moved money/);
      expect(await h.journal.get('r-2')).toEqual(before);
      const last = (await h.journal.history('r-2')).at(-1);
      expect(last).toMatchObject({
        event: 'resolution_refused',
        reason: 'contradicted',
        actor: { kind: 'operator', name: 'Aigerim N.' },
        evidence: 'ticket VF-7',
        answer: { state: answer.state },
      });
    },
  );

  it('"not found" needs evidence, and waits until no send can still be on its way', async () => {
    const { h } = await stuckPayment('r-3', () => ({
      state: 'unknown',
      reason: 'not_found',
      providerStatus: '-4',
    }));
    // Just sent: the request may still arrive; evidence cannot vouch for that.
    const early = await refusal(
      h.router.resolve('r-3', { state: 'failed', ...ALICE, evidence: 'ticket VF-8' }),
    );
    expect(early.refusal).toBe('in_flight');
    h.clock.advance(30_001);
    const none = await refusal(h.router.resolve('r-3', { state: 'failed', ...ALICE }));
    expect(none).toMatchObject({
      refusal: 'evidence_required',
      answer: { reason: 'not_found', providerStatus: '-4' },
    });
    expect((await h.journal.get('r-3'))?.final).toBe(false);
    const resolution = await h.router.resolve('r-3', {
      state: 'failed',
      ...ALICE,
      evidence: 'ticket VF-8: never received',
    });
    expect(resolution).toMatchObject({
      confirmation: 'evidence',
      payment: {
        state: 'failed',
        reason: 'not_found',
        message: 'resolved failed by Aigerim N. (on evidence)',
      },
      entry: { evidence: 'ticket VF-8: never received', answer: { reason: 'not_found' } },
    });
    expect((await h.journal.history('r-3')).map((e) => [e.event, e.reason])).toEqual([
      ['created', 'pay'],
      ['attempt_opened', 'pay'],
      ['outcome', 'pay'],
      ['resolution_refused', 'in_flight'],
      ['resolution_refused', 'evidence_required'],
      ['resolved', 'resolution'],
    ]);
  });

  it('an unreachable provider (breaker open, no answer) needs evidence, recorded as such', async () => {
    for (const [id, answer] of [
      ['r-4a', 'unreachable'],
      ['r-4b', { state: 'unknown', reason: 'timeout' }],
    ] as const) {
      const { h } = await stuckPayment(id, () => answer);
      h.clock.advance(30_001);
      expect((await refusal(h.router.resolve(id, { state: 'failed', ...ALICE }))).refusal).toBe(
        'evidence_required',
      );
      const resolution = await h.router.resolve(id, { state: 'failed', ...ALICE, evidence: 'ticket VF-9' });
      expect(resolution.confirmation).toBe('evidence');
      expect(resolution.checks[0]?.answer).toEqual(answer === 'unreachable' ? null : outcomeOf(answer));
    }
  });

  it('a payment nothing was sent for fails on the journal alone; no provider is asked', async () => {
    const { h, a } = await stuckPayment('r-5', () => ({ state: 'succeeded' }));
    await h.journal.create({
      paymentId: 'r-5b',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    const calls = a.calledWith('getStatus').length;
    const resolution = await h.router.resolve('r-5b', { state: 'failed', ...ALICE });
    expect(resolution).toMatchObject({
      confirmation: 'journal',
      checks: [],
      payment: { state: 'failed', final: true },
    });
    expect(a.calledWith('getStatus')).toHaveLength(calls);
    expect((await refusal(h.router.resolve('r-5b', { state: 'failed', ...ALICE }))).refusal).toBe('final');
  });

  it('asks every attempt that may have moved money, and only those', async () => {
    const a = new FakeProvider('vf-a', {
      pay: () => ({ state: 'failed', reason: 'provider_technical', providerStatus: '-115' }),
    });
    const b = new FakeProvider('vf-b', {
      pay: () => ({ state: 'unknown', reason: 'timeout' }),
      getStatus: () => ({ state: 'failed', reason: 'operator_error', providerStatus: '-300' }),
    });
    const h = harness({ a, b });
    const view = await h.router.pay(order('r-6'));
    expect(view.attempts.map((x) => [x.provider, x.state])).toEqual([
      ['vf-a', 'failed'],
      ['vf-b', 'unknown'],
    ]);
    const resolution = await h.router.resolve('r-6', { state: 'failed', ...ALICE });
    expect(resolution.checks.map((check) => check.provider)).toEqual(['vf-b']);
    expect(a.calledWith('getStatus')).toEqual([]);
    expect(resolution.payment.attempts.map((x) => x.state)).toEqual(['failed', 'failed']);
  });
});

describe('resolve succeeded', () => {
  it('confirmed by Status: the attempt and the payment succeed, with the provider request id', async () => {
    const { h, transactionId } = await stuckPayment('r-7', () => ({
      state: 'succeeded',
      providerStatus: '10',
    }));
    const resolution = await h.router.resolve('r-7', { state: 'succeeded', ...ALICE });
    expect(resolution).toMatchObject({
      confirmation: 'provider',
      payment: { state: 'succeeded', final: true, reason: null },
    });
    expect(resolution.payment.attempts[0]).toMatchObject({
      state: 'succeeded',
      providerStatus: '10',
      providerRequestId: `9${transactionId}`,
    });
  });

  it('is refused while the provider says a final failure; pending or no answer needs evidence', async () => {
    const failed = await stuckPayment('r-8', () => ({
      state: 'failed',
      reason: 'account_not_found',
      providerStatus: '-105',
    }));
    const error = await refusal(
      failed.h.router.resolve('r-8', { state: 'succeeded', ...ALICE, evidence: 'call' }),
    );
    expect(error).toMatchObject({
      refusal: 'contradicted',
      answer: { state: 'failed', reason: 'account_not_found' },
    });
    for (const answer of [{ state: 'pending', providerStatus: '3' }, 'unreachable'] as const) {
      const { h } = await stuckPayment('r-9', () => answer);
      expect((await refusal(h.router.resolve('r-9', { state: 'succeeded', ...ALICE }))).refusal).toBe(
        'evidence_required',
      );
      const resolution = await h.router.resolve('r-9', {
        state: 'succeeded',
        ...ALICE,
        evidence: 'the customer has it',
      });
      expect(resolution).toMatchObject({ confirmation: 'evidence', payment: { state: 'succeeded' } });
    }
  });

  it('is refused for a payment nothing was sent for, or whose every attempt moved no money', async () => {
    const a = new FakeProvider('vf-a', { pay: () => ({ state: 'failed', reason: 'provider_technical' }) });
    const b = new FakeProvider('vf-b', { pay: () => ({ state: 'pending' }) });
    const h = harness({ a, b });
    const { record } = await h.journal.create({
      paymentId: 'r-10',
      service: 'steam',
      account: 'galek10',
      amount: '100.00',
      currency: 'KZT',
      createdAt: h.clock.now(),
      nextCheckAt: h.clock.now(),
    });
    expect(
      (await refusal(h.router.resolve('r-10', { state: 'succeeded', ...ALICE, evidence: 'x' }))).refusal,
    ).toBe('nothing_sent');
    const opened = await h.journal.openAttempt('r-10', record.version, { provider: 'vf-a', serviceId: '7' });
    await h.journal.transition('r-10', opened.version, {
      attempt: { no: 1, update: outcome('unknown', 'connection_refused') },
    });
    expect(
      (await refusal(h.router.resolve('r-10', { state: 'succeeded', ...ALICE, evidence: 'x' }))).refusal,
    ).toBe('nothing_sent');
  });
});

it('a write that races the resolution makes it read again and ask again', async () => {
  let raced = false;
  const { h } = await stuckPayment('r-11', () => ({ state: 'failed', reason: 'account_not_found' }));
  h.a.calls.length = 0;
  const inner = h.journal;
  const original = inner.get.bind(inner);
  // The first read is followed at once by another writer (a finalizer's claim on another instance).
  inner.get = async (id) => {
    const record = await original(id);
    if (!raced && record && id === 'r-11') {
      raced = true;
      await inner.claimDue({
        now: new Date(Date.parse(record.nextCheckAt!) + 1),
        owner: 'other',
        leaseMs: 1,
        limit: 1,
      });
    }
    return record;
  };
  const resolution = await h.router.resolve('r-11', { state: 'failed', ...ALICE });
  expect(resolution.payment.state).toBe('failed');
  expect(h.a.calledWith('getStatus')).toHaveLength(2);
});

function outcomeOf(answer: FakeAnswer): Outcome {
  return outcome(answer.state, answer.reason ?? null, answer.providerStatus ?? null, null);
}
