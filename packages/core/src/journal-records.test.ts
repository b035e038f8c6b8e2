import { describe, expect, it } from 'vitest';
import { JournalConflictError } from './errors.js';
import type { NewPayment, PaymentRecord } from './journal.js';
import {
  applyTransition,
  assertSamePayment,
  assertVersion,
  compareKeys,
  isClaimable,
  matchesQuery,
  newPaymentRecord,
  nextTransactionId,
  paymentFingerprint,
  summarise,
  withAttempt,
  withLease,
} from './journal-records.js';
import { createMemoryJournal } from './memory-journal.js';
import { outcome } from './model.js';
import type { Clock } from './tokens.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function input(overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    paymentId: 'order-1',
    service: 'steam',
    account: 'galek10',
    amount: '100.00',
    currency: 'KZT',
    createdAt: T0,
    nextCheckAt: later(5_000),
    ...overrides,
  };
}

function conflict(run: () => unknown): JournalConflictError {
  try {
    run();
  } catch (error) {
    if (JournalConflictError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a JournalConflictError');
}

function opened(): PaymentRecord {
  return withAttempt(newPaymentRecord(input()), {
    provider: 'vf-a',
    serviceId: '7',
    transactionId: '1',
    at: later(1),
  });
}

describe('newPaymentRecord and idempotency', () => {
  it('starts unknown with nothing sent', () => {
    const record = newPaymentRecord(input());
    expect(record).toMatchObject({ state: 'unknown', final: false, reason: null, attempts: [], version: 1 });
    expect(record.createdAt).toBe(T0.toISOString());
    expect(record.nextCheckAt).toBe(later(5_000).toISOString());
  });

  it('accepts the same fields again and names every field that differs', () => {
    const record = newPaymentRecord(input({ details: { invoiceId: '4063' } }));
    assertSamePayment(record, input({ details: { invoiceId: '4063' }, createdAt: later(9) }));
    expect(
      conflict(() => assertSamePayment(record, input({ amount: '100.01', details: { invoiceId: '4063' } })))
        .fields,
    ).toEqual(['amount']);
    const many = conflict(() => assertSamePayment(record, input({ account: 'x', currency: 'USD' })));
    expect(many.fields).toEqual(['account', 'currency', 'details']);
    expect(many.message).toMatch(/account, currency, details/);
    expect(
      conflict(() => assertSamePayment(record, input({ details: { invoiceId: '4064' } }))).fields,
    ).toEqual(['details']);
  });

  it('fingerprints ignore absent optional details but not their order of lines', () => {
    expect(paymentFingerprint(input())).toBe(paymentFingerprint(input({ details: {} })));
    const a = input({
      details: {
        services: [
          { serviceId: '1', amount: '1.00' },
          { serviceId: '2', amount: '2.00' },
        ],
      },
    });
    const b = input({
      details: {
        services: [
          { serviceId: '2', amount: '2.00' },
          { serviceId: '1', amount: '1.00' },
        ],
      },
    });
    expect(paymentFingerprint(a)).not.toBe(paymentFingerprint(b));
  });
});

describe('nextTransactionId', () => {
  it('is 1–15 digits, strictly increasing, and at least 1 even at the epoch', () => {
    expect(nextTransactionId(null, new Date(0))).toBe('1');
    let last: string | null = null;
    for (let i = 0; i < 500; i++) {
      const id = nextTransactionId(last, T0);
      expect(id).toMatch(/^[1-9]\d{0,14}$/);
      if (last !== null) expect(BigInt(id)).toBe(BigInt(last) + 1n);
      last = id;
    }
  });

  it('follows the clock when the clock is ahead of the last id', () => {
    const first = nextTransactionId(null, T0);
    const second = nextTransactionId(first, later(60_000));
    expect(BigInt(second) - BigInt(first)).toBeGreaterThan(1n);
  });

  it('never reuses ids after a journal is recreated, even after a burst', () => {
    const issued = new Set<string>();
    let last: string | null = null;
    for (let i = 0; i < 100; i++) {
      last = nextTransactionId(last, T0); // a burst of 100 in one millisecond
      issued.add(last);
    }
    // The journal is deleted and recreated one millisecond later: it has no memory of `last`.
    let fresh: string | null = null;
    for (let i = 0; i < 100; i++) {
      fresh = nextTransactionId(fresh, later(1));
      expect(issued.has(fresh)).toBe(false);
    }
  });

  it('refuses to leave the 15-digit space', () => {
    expect(() => nextTransactionId('999999999999999', T0)).toThrow(RangeError);
  });

  it('the memory journal allocates from its clock, so a recreated one starts above the old ids', async () => {
    let now = T0;
    const clock: Clock = { now: () => now };
    const first = createMemoryJournal({ clock });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { record } = await first.create(input({ paymentId: `p${i}` }));
      // A caller-supplied time in the past must not pull the id floor down.
      const next = await first.openAttempt(record.paymentId, record.version, {
        provider: 'vf-a',
        serviceId: '7',
        at: new Date(0),
      });
      ids.push(next.attempts[0]!.transactionId);
    }
    now = later(1);
    const second = createMemoryJournal({ clock });
    const { record } = await second.create(input({ paymentId: 'again' }));
    const next = await second.openAttempt('again', record.version, { provider: 'vf-a', serviceId: '7' });
    const id = BigInt(next.attempts[0]!.transactionId);
    for (const old of ids) expect(id).toBeGreaterThan(BigInt(old));
  });
});

describe('attempts and transitions', () => {
  it('withAttempt adds attempt 1 with one send and bumps the version', () => {
    const record = opened();
    expect(record.version).toBe(2);
    expect(record.attempts).toEqual([
      expect.objectContaining({ no: 1, provider: 'vf-a', transactionId: '1', sends: 1, state: 'unknown' }),
    ]);
  });

  it('assertVersion is the compare-and-set check', () => {
    const record = opened();
    assertVersion(record, 2);
    expect(conflict(() => assertVersion(record, 1)).message).toMatch(/version is 2, expected 1/);
  });

  it('a final payment never changes, and takes no new attempt', () => {
    const record = applyTransition(
      opened(),
      {
        attempt: { no: 1, update: outcome('succeeded', null, '10') },
        payment: outcome('succeeded', null, '10'),
      },
      later(2),
    );
    expect(record).toMatchObject({
      state: 'succeeded',
      final: true,
      nextCheckAt: null,
      finalAt: later(2).toISOString(),
    });
    expect(() => applyTransition(record, { payment: outcome('failed', 'timeout') }, later(3))).toThrow(
      JournalConflictError,
    );
    expect(() =>
      applyTransition(record, { attempt: { no: 1, update: { state: 'unknown' } } }, later(3)),
    ).toThrow(JournalConflictError);
    expect(() => applyTransition(record, { resend: { no: 1 } }, later(3))).toThrow(JournalConflictError);
    expect(() =>
      withAttempt(record, { provider: 'vf-b', serviceId: '7', transactionId: '2', at: later(3) }),
    ).toThrow(JournalConflictError);
    // The same final state again is a harmless late confirmation.
    const again = applyTransition(record, { payment: outcome('succeeded', null, '10', 'late') }, later(4));
    expect(again).toMatchObject({ state: 'succeeded', message: record.message, finalAt: record.finalAt });
    expect(applyTransition(record, { nextCheckAt: later(10) }, later(4)).nextCheckAt).toBeNull();
  });

  it('derives final and reason from the state, whatever the caller passed', () => {
    const record = applyTransition(
      opened(),
      {
        attempt: { no: 1, update: { state: 'unknown', reason: 'timeout' } },
        payment: { state: 'unknown', final: true, reason: 'timeout', providerStatus: null, message: null },
      },
      later(2),
    );
    expect(record.final).toBe(false);
    expect(record.finalAt).toBeNull();
    const done = applyTransition(
      record,
      {
        attempt: { no: 1, update: { state: 'succeeded' } },
        payment: { state: 'succeeded', final: false, reason: 'timeout', providerStatus: '10', message: null },
      },
      later(3),
    );
    expect(done).toMatchObject({ state: 'succeeded', final: true, reason: null });
    expect(done.attempts[0]).toMatchObject({ state: 'succeeded', final: true, reason: null });
  });

  it('counts resends, checks, stuck and releases only its own lease', () => {
    let record = withLease(opened(), 'router-a', later(2), 30_000);
    record = applyTransition(
      record,
      { resend: { no: 1 }, countCheck: true, stuck: true, releaseLease: 'router-b' },
      later(3),
    );
    expect(record.attempts[0]?.sends).toBe(2);
    expect(record.checks).toBe(1);
    expect(record.stuckAt).toBe(later(3).toISOString());
    expect(record.lease?.owner).toBe('router-a');
    record = applyTransition(record, { stuck: true, releaseLease: 'router-a' }, later(4));
    expect(record.stuckAt).toBe(later(3).toISOString());
    expect(record.lease).toBeNull();
    expect(conflict(() => applyTransition(record, { resend: { no: 7 } }, later(5))).message).toMatch(
      /no attempt 7/,
    );
  });

  it('keeps the first provider request id when a later update has none', () => {
    let record = applyTransition(
      opened(),
      { attempt: { no: 1, update: { providerRequestId: '638405063993273260' } } },
      later(2),
    );
    record = applyTransition(
      record,
      { attempt: { no: 1, update: { state: 'pending', providerRequestId: null } } },
      later(3),
    );
    expect(record.attempts[0]?.providerRequestId).toBe('638405063993273260');
  });
});

describe('claiming, listing, summaries', () => {
  it('isClaimable: due, open, and lease free or expired', () => {
    const record = opened();
    expect(isClaimable(record, later(4_999))).toBe(false);
    expect(isClaimable(record, later(5_000))).toBe(true);
    const leased = withLease(record, 'a', later(5_000), 1_000);
    expect(isClaimable(leased, later(5_999))).toBe(false);
    expect(isClaimable(leased, later(6_000))).toBe(true);
    const final = applyTransition(record, { payment: outcome('failed', 'account_not_found') }, later(1));
    expect(isClaimable(final, later(99_000))).toBe(false);
    expect(isClaimable(applyTransition(record, { nextCheckAt: null }, later(1)), later(99_000))).toBe(false);
  });

  it('matchesQuery and compareKeys order by (createdAt, paymentId)', () => {
    const a = newPaymentRecord(input({ paymentId: 'a' }));
    const b = newPaymentRecord(input({ paymentId: 'b' }));
    const c = newPaymentRecord(input({ paymentId: 'a', createdAt: later(1) }));
    expect([c, b, a].sort(compareKeys).map((r) => [r.paymentId, r.createdAt])).toEqual([
      ['a', a.createdAt],
      ['b', b.createdAt],
      ['a', c.createdAt],
    ]);
    expect(matchesQuery(b, { after: { createdAt: a.createdAt, paymentId: 'a' } })).toBe(true);
    expect(matchesQuery(a, { after: { createdAt: a.createdAt, paymentId: 'a' } })).toBe(false);
    expect(matchesQuery(a, { from: T0, to: later(1) })).toBe(true);
    expect(matchesQuery(c, { from: T0, to: later(1) })).toBe(false);
    expect(matchesQuery(opened(), { provider: 'vf-a', final: false })).toBe(true);
    expect(matchesQuery(a, { provider: 'vf-a' })).toBe(false);
  });

  it('summarise groups open payments by latest provider and state', () => {
    const fresh = newPaymentRecord(input({ paymentId: 'fresh' }));
    const open = applyTransition(opened(), { stuck: true, payment: outcome('pending', null) }, later(2));
    const done = applyTransition(opened(), { payment: outcome('succeeded', null) }, later(2));
    expect(summarise([fresh, open, done])).toEqual([
      { provider: null, state: 'unknown', count: 1, stuck: 0, oldestCreatedAt: T0.toISOString() },
      { provider: 'vf-a', state: 'pending', count: 1, stuck: 1, oldestCreatedAt: T0.toISOString() },
    ]);
  });
});
