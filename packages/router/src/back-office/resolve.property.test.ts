/**
 * The property of architecture §4.8 and §4.3, over generated journals and provider answers: no path of
 * `router.resolve` marks failed a payment the provider reports as succeeded or pending (or holds in a
 * state that may have moved money) for any attempt that may have moved money — with or without
 * evidence, whatever the other attempts say, whether the provider answers, fails or is unreachable.
 */
import {
  movedNoMoney,
  outcome,
  type PaymentState,
  ProviderUnavailableError,
  REASON_CODES,
  type Reason,
  ResolutionRefusedError,
} from '@tolem/core';
import { type FakeAnswer, FakeProvider } from '@tolem/core/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

type StatusAnswer = FakeAnswer | 'unreachable' | 'throws';

const attemptShape = fc.record({
  state: fc.constantFrom<PaymentState>('pending', 'unknown', 'failed'),
  reason: fc.constantFrom<Reason>(...REASON_CODES),
  resends: fc.integer({ min: 0, max: 2 }),
});

const statusAnswer: fc.Arbitrary<StatusAnswer> = fc.oneof(
  fc.constantFrom<StatusAnswer>('unreachable', 'throws'),
  fc.record({
    state: fc.constantFrom<PaymentState>('pending', 'succeeded', 'failed', 'unknown'),
    reason: fc.constantFrom<Reason>(...REASON_CODES),
    providerStatus: fc.constantFrom('10', '3', '1', '-4', '-105', '-115', '77', null),
  }),
);

const scenario = fc.record({
  first: attemptShape,
  second: fc.option(attemptShape, { nil: undefined }),
  answers: fc.tuple(statusAnswer, statusAnswer),
  evidence: fc.boolean(),
  waitMs: fc.constantFrom(0, 10_000, 30_001, 3_600_000),
  requested: fc.constantFrom<'succeeded' | 'failed'>('failed', 'succeeded'),
});

/** What the provider's answer says about money: the cases resolve must never mark failed. */
function mayHaveMoved(answer: StatusAnswer): boolean {
  if (typeof answer === 'string') return false;
  if (answer.state === 'succeeded' || answer.state === 'pending') return true;
  return answer.state === 'unknown' && (answer.reason === 'unknown_status' || answer.reason === 'conflict');
}

it('no path of resolve marks failed a payment the provider reports as succeeded or pending', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const answers = new Map<string, StatusAnswer>();
      const status = (transactionId: string): FakeAnswer => {
        const answer = answers.get(transactionId) ?? {
          state: 'unknown',
          reason: 'not_found',
          providerStatus: '-4',
        };
        if (answer === 'unreachable')
          throw new ProviderUnavailableError('circuit breaker is open, nothing sent');
        if (answer === 'throws') throw new Error('socket hang up');
        return answer;
      };
      const a = new FakeProvider('vf-a', { getStatus: (ref) => status(ref.transactionId) });
      const b = new FakeProvider('vf-b', { getStatus: (ref) => status(ref.transactionId) });
      const h = harness({ a, b, breaker: { volumeThreshold: 1_000 } });
      // The journal as a crash, a timeout, a decline or an edit may have left it.
      const { record } = await h.journal.create({
        paymentId: 'p',
        service: 'steam',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
        createdAt: h.clock.now(),
        nextCheckAt: h.clock.now(),
      });
      let current = record;
      const shapes = [s.first, s.second];
      for (const [index, shape] of shapes.entries()) {
        if (shape === undefined) break;
        if (current.attempts.some((attempt) => !movedNoMoney(attempt))) break;
        current = await h.journal.openAttempt('p', current.version, {
          provider: index === 0 ? 'vf-a' : 'vf-b',
          serviceId: '7',
        });
        const update =
          shape.state === 'pending'
            ? outcome('pending', null, '3')
            : outcome(shape.state, shape.reason, null);
        current = await h.journal.transition('p', current.version, { attempt: { no: index + 1, update } });
        for (let i = 0; i < shape.resends && !current.attempts[index]!.final; i++) {
          current = await h.journal.transition('p', current.version, { resend: { no: index + 1 } });
        }
      }
      // The provider's answers: generated for attempts that may have moved money; an attempt the journal
      // knows moved none (declined, or provably never sent) is one the provider has as failed or not at all.
      for (const [index, attempt] of current.attempts.entries()) {
        answers.set(
          attempt.transactionId,
          movedNoMoney(attempt)
            ? attempt.state === 'failed'
              ? { state: 'failed', reason: attempt.reason ?? 'operator_error' }
              : { state: 'unknown', reason: 'not_found', providerStatus: '-4' }
            : s.answers[index]!,
        );
      }
      h.clock.advance(s.waitMs);
      const before = await h.journal.get('p');
      let refused: unknown = null;
      try {
        await h.router.resolve('p', {
          state: s.requested,
          actor: 'ops',
          note: 'generated',
          ...(s.evidence ? { evidence: 'ticket' } : {}),
        });
      } catch (error) {
        refused = error;
        expect(ResolutionRefusedError.is(error), String(error)).toBe(true);
      }
      const after = (await h.journal.get('p'))!;
      if (refused !== null) expect(after).toEqual(before);
      const reportedMoving = current.attempts.some(
        (attempt) => !movedNoMoney(attempt) && mayHaveMoved(answers.get(attempt.transactionId)!),
      );
      if (reportedMoving) expect(after.state, 'failed while the provider says it has it').not.toBe('failed');
      // The other side: never succeeded while every attempt is a final failure at the provider.
      const allFailed = current.attempts.every((attempt) => {
        const answer = answers.get(attempt.transactionId);
        return typeof answer === 'object' && answer.state === 'failed';
      });
      if (allFailed) expect(after.state).not.toBe('succeeded');
      // Failed only when every attempt that may have moved money was confirmed failed, or evidence
      // stood in for an answer that confirms nothing — and no send was still on its way.
      if (after.state === 'failed') {
        for (const attempt of current.attempts.filter((x) => !movedNoMoney(x))) {
          const answer = answers.get(attempt.transactionId)!;
          const confirmed = typeof answer === 'object' && answer.state === 'failed';
          if (!confirmed) {
            expect(s.evidence).toBe(true);
            expect(s.waitMs).toBeGreaterThanOrEqual(30_000);
          }
        }
      }
    }),
    { numRuns: 400 },
  );
});
