import { describe, expect, it } from 'vitest';
import {
  canTransition,
  isFinal,
  isReason,
  NOTHING_SENT_REASONS,
  outcome,
  PAYMENT_STATES,
  REASON_CODES,
  REASONS,
  reasonKind,
} from './model.js';

describe('canonical model', () => {
  it('final is true only for succeeded and failed', () => {
    expect(PAYMENT_STATES.filter(isFinal)).toEqual(['succeeded', 'failed']);
  });

  it('lists every canonical reason of protocol §4, each with a kind', () => {
    const fromNotes = [
      'auth_failed',
      'insufficient_funds',
      'cancelled',
      'not_found',
      'account_invalid',
      'account_not_found',
      'operator_forbidden',
      'anonymous_wallet_forbidden',
      'provider_technical',
      'account_inactive',
      'amount_out_of_range',
      'amount_too_small',
      'amount_too_large',
      'invoice_check_failed',
      'operator_error',
      'request_failed',
      'route_not_found',
      'no_exchange_rate',
      'provider_storage_error',
      'unknown_status',
      'timeout',
      'connection_refused',
      'connection_lost',
      'empty_response',
      'malformed_response',
      'http_error',
      'conflict',
    ];
    for (const reason of fromNotes) expect(REASON_CODES).toContain(reason);
    for (const reason of REASON_CODES) {
      expect(reason).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(['request', 'decline', 'transport', 'integrity', 'local']).toContain(reasonKind(reason));
    }
    expect(reasonKind('account_not_found')).toBe('decline');
    expect(reasonKind('timeout')).toBe('transport');
    expect(reasonKind('auth_failed')).toBe('request');
    expect(reasonKind('conflict')).toBe('integrity');
    expect(reasonKind('not_dispatched')).toBe('local');
    expect(isReason('timeout')).toBe(true);
    expect(isReason('toString')).toBe(false);
    expect(isReason('__proto__')).toBe(false);
    expect(isReason(null)).toBe(false);
    expect(Object.keys(REASONS)).toEqual(REASON_CODES);
  });

  it('only a refused connection and a request that never left the local queue count as provably nothing sent', () => {
    expect([...NOTHING_SENT_REASONS]).toEqual(['connection_refused', 'not_dispatched']);
  });

  it('outcome() keeps final and reason consistent with the state', () => {
    expect(outcome('succeeded', null, '10', 'ok')).toEqual({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: '10',
      message: 'ok',
    });
    expect(outcome('succeeded', 'timeout').reason).toBeNull();
    expect(outcome('pending', null, '3')).toMatchObject({ final: false, reason: null });
    expect(outcome('pending', 'timeout').reason).toBeNull();
    expect(outcome('failed', 'account_not_found', '-105')).toMatchObject({
      final: true,
      reason: 'account_not_found',
    });
    expect(outcome('unknown', 'timeout')).toMatchObject({
      final: false,
      reason: 'timeout',
      providerStatus: null,
    });
    expect(() => outcome('failed', null)).toThrow(TypeError);
    expect(() => outcome('unknown', null)).toThrow(TypeError);
  });

  it('canTransition: final outcomes never change, everything else may', () => {
    for (const previous of PAYMENT_STATES) {
      for (const next of PAYMENT_STATES) {
        const expected = !isFinal(previous) || previous === next;
        expect(canTransition(previous, next), `${previous} -> ${next}`).toBe(expected);
      }
    }
    expect(canTransition('succeeded', 'failed')).toBe(false);
    expect(canTransition('failed', 'succeeded')).toBe(false);
    expect(canTransition('failed', 'unknown')).toBe(false);
    expect(canTransition('unknown', 'succeeded')).toBe(true);
    expect(canTransition('pending', 'failed')).toBe(true);
  });
});
