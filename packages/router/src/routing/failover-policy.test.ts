import { NOTHING_SENT_REASONS, PAYMENT_STATES, REASON_CODES, type Reason, reasonKind } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAILOVER_REASONS } from '../options.js';
import {
  type AttemptFacts,
  decide,
  mayFailOver,
  mayMarkFailed,
  provablyUnsent,
  settledWithoutMoney,
} from './failover-policy.js';

const DECLINES = REASON_CODES.filter((reason) => reasonKind(reason) === 'decline');
const POLICIES = [
  { name: 'default', onReasons: new Set<Reason>(DEFAULT_FAILOVER_REASONS) },
  { name: 'empty', onReasons: new Set<Reason>() },
  { name: 'every decline', onReasons: new Set<Reason>(DECLINES) },
];

/** Every attempt the journal can hold: each state × each reason (and none) × one or more sends. */
function everyAttempt(): AttemptFacts[] {
  const all: AttemptFacts[] = [];
  for (const state of PAYMENT_STATES) {
    for (const reason of [null, ...REASON_CODES]) {
      for (const sends of [1, 2, 5]) all.push({ state, reason, sends });
    }
  }
  return all;
}

describe('failover decision over every (state, reason, sends) combination', () => {
  for (const policy of POLICIES) {
    it(`never fails over after pending, or after an unknown that may have arrived (${policy.name} policy)`, () => {
      for (const attempt of everyAttempt()) {
        for (const hasNext of [true, false]) {
          const decision = decide(attempt, policy, hasNext);
          if (attempt.state === 'pending' || (attempt.state === 'unknown' && !provablyUnsent(attempt))) {
            expect(decision, JSON.stringify(attempt)).toEqual({ kind: 'wait' });
          }
          if (decision.kind === 'failover') {
            const nothingSent = attempt.reason !== null && NOTHING_SENT_REASONS.has(attempt.reason);
            const listed = attempt.reason !== null && policy.onReasons.has(attempt.reason);
            const allowed =
              (attempt.state === 'failed' && (listed || nothingSent)) ||
              (attempt.state === 'unknown' && nothingSent && attempt.sends === 1);
            expect(allowed, JSON.stringify(attempt)).toBe(true);
            expect(hasNext).toBe(true);
          }
        }
      }
    });

    it(`only a succeeded attempt succeeds, and only settled-without-money ones fail (${policy.name} policy)`, () => {
      for (const attempt of everyAttempt()) {
        const decision = decide(attempt, policy, false);
        expect(decision.kind === 'succeeded', JSON.stringify(attempt)).toBe(attempt.state === 'succeeded');
        if (decision.kind === 'failed')
          expect(settledWithoutMoney(attempt), JSON.stringify(attempt)).toBe(true);
      }
    });
  }

  it('fails over after a final decline the policy lists, and fails the payment after one it does not', () => {
    const policy = POLICIES[0]!;
    for (const reason of DECLINES) {
      const attempt: AttemptFacts = { state: 'failed', reason, sends: 1 };
      const listed = DEFAULT_FAILOVER_REASONS.includes(reason);
      expect(decide(attempt, policy, true)).toEqual(
        listed ? { kind: 'failover', reason } : { kind: 'failed', reason },
      );
      expect(decide(attempt, policy, false)).toEqual({ kind: 'failed', reason });
    }
  });

  it('a refused connection allows failover only while it was the attempt’s only send', () => {
    const policy = POLICIES[1]!;
    expect(decide({ state: 'unknown', reason: 'connection_refused', sends: 1 }, policy, true)).toEqual({
      kind: 'failover',
      reason: 'connection_refused',
    });
    // An earlier send (before a resend was refused) may have arrived: keep checking.
    expect(decide({ state: 'unknown', reason: 'connection_refused', sends: 2 }, policy, true)).toEqual({
      kind: 'wait',
    });
    for (const reason of [
      'timeout',
      'connection_lost',
      'empty_response',
      'http_error',
      'not_found',
    ] as const) {
      expect(decide({ state: 'unknown', reason, sends: 1 }, policy, true)).toEqual({ kind: 'wait' });
    }
  });

  it('starts a payment that has no attempt yet', () => {
    expect(decide(undefined, POLICIES[0]!, true)).toEqual({ kind: 'start' });
  });

  it('mayFailOver and mayMarkFailed agree with the decision', () => {
    for (const attempt of everyAttempt()) {
      const policy = POLICIES[0]!;
      expect(mayFailOver(attempt, policy)).toBe(decide(attempt, policy, true).kind === 'failover');
    }
    expect(mayMarkFailed([])).toBe(true);
    expect(
      mayMarkFailed([
        { state: 'unknown', reason: 'connection_refused', sends: 1 },
        { state: 'failed', reason: 'account_not_found', sends: 3 },
      ]),
    ).toBe(true);
    expect(
      mayMarkFailed([
        { state: 'unknown', reason: 'timeout', sends: 1 },
        { state: 'failed', reason: 'account_not_found', sends: 1 },
      ]),
    ).toBe(false);
    expect(mayMarkFailed([{ state: 'pending', reason: null, sends: 1 }])).toBe(false);
    expect(mayMarkFailed([{ state: 'succeeded', reason: null, sends: 1 }])).toBe(false);
  });
});
