/**
 * The journal's voucher capability: a sealed voucher code (an opaque value the router encrypted) is
 * stored with its payment, written once, carried through every later write and read, and refused
 * when malformed. Every PaymentJournal must pass these; `journalChecks` includes them.
 */
import { expect } from 'vitest';
import { ValidationError } from '../errors.js';
import type { NewPayment, PaymentJournal, PaymentRecord, SealedVoucher } from '../journal.js';
import { outcome } from '../model.js';
import { type ConformanceCheck, checksOnFresh } from './conformance-check.js';
import type { JournalConformanceOptions } from './journal-checks.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Shaped like the router's AES-256-GCM output: 12-byte iv, 16-byte tag, base64. */
export const SEALED: SealedVoucher = {
  keyId: 'k2',
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'q83vASNFZ4mrze8BI0VniavN7wE=',
  tag: 'EBESExQVFhcYGRobHB0eHw==',
};
const OTHER: SealedVoucher = { ...SEALED, keyId: 'k1', ciphertext: 'AAAAAAAA' };

function payment(paymentId: string): NewPayment {
  return {
    paymentId,
    service: 'pubg-uc',
    account: 'kkazbek.smeken@gmail.com',
    amount: '238345.45',
    currency: 'KZT',
    details: { invoiceId: '4063', sendType: 'api' },
    createdAt: T0,
    nextCheckAt: at(10_000),
  };
}

async function opened(journal: PaymentJournal, paymentId: string): Promise<PaymentRecord> {
  const { record } = await journal.create(payment(paymentId));
  return journal.openAttempt(paymentId, record.version, { provider: 'vf-a', serviceId: '1911', at: at(1) });
}

/** The success the code came with, and the code, in one write. */
function succeededWith(voucher: SealedVoucher) {
  return {
    attempt: { no: 1, update: outcome('succeeded', null, '10') },
    payment: outcome('succeeded', null, '10', 'ok'),
    voucher,
    at: at(2),
  };
}

export function voucherChecks(options: JournalConformanceOptions): ConformanceCheck[] {
  const check = checksOnFresh(() => options.createJournal());

  const checks: ConformanceCheck[] = [
    check('vouchers: a new payment keeps no voucher', async (journal) => {
      const { record } = await journal.create(payment('v1'));
      expect(record.voucher).toBeNull();
      const next = await journal.openAttempt('v1', record.version, { provider: 'vf-a', serviceId: '1911' });
      expect(next.voucher).toBeNull();
      expect((await journal.get('v1'))?.voucher).toBeNull();
      expect((await journal.list())[0]?.voucher).toBeNull();
    }),

    check(
      'vouchers: a sealed voucher is kept exactly, in the write that made the payment succeed',
      async (journal) => {
        const record = await opened(journal, 'v1');
        const done = await journal.transition('v1', record.version, succeededWith(SEALED));
        expect(done).toMatchObject({ state: 'succeeded', final: true, voucher: SEALED });
        const transactionId = done.attempts[0]?.transactionId ?? '';
        expect((await journal.get('v1'))?.voucher).toEqual(SEALED);
        expect((await journal.findByTransaction('vf-a', transactionId))?.voucher).toEqual(SEALED);
        expect((await journal.list({ final: true })).map((r) => r.voucher)).toEqual([SEALED]);
        // Copies: changing one returned record changes nothing stored.
        const copy = await journal.get('v1');
        if (copy?.voucher) copy.voucher.ciphertext = 'AAAA';
        expect((await journal.get('v1'))?.voucher).toEqual(SEALED);
      },
    ),

    check('vouchers: written once, a later voucher never replaces the first', async (journal) => {
      const record = await opened(journal, 'v1');
      const done = await journal.transition('v1', record.version, succeededWith(SEALED));
      const again = await journal.transition('v1', done.version, { voucher: OTHER });
      expect(again.voucher).toEqual(SEALED);
      expect((await journal.get('v1'))?.voucher).toEqual(SEALED);
    }),

    check('vouchers: every later write and claim carries the voucher along', async (journal) => {
      // Kept while the payment is still open (a code that came before the final answer was written).
      let record = await opened(journal, 'v1');
      record = await journal.transition('v1', record.version, {
        payment: outcome('pending', null, '3'),
        voucher: SEALED,
        nextCheckAt: at(5_000),
      });
      const [claimed] = await journal.claimDue({
        now: at(6_000),
        owner: 'router-a',
        leaseMs: 60_000,
        limit: 5,
      });
      expect(claimed?.voucher).toEqual(SEALED);
      expect((await journal.get('v1'))?.voucher).toEqual(SEALED);
      record = await journal.transition('v1', claimed!.version, {
        countCheck: true,
        releaseLease: 'router-a',
        nextCheckAt: at(9_000),
      });
      record = await journal.transition('v1', record.version, { resend: { no: 1 } });
      expect(record.voucher).toEqual(SEALED);
      expect((await journal.get('v1'))?.voucher).toEqual(SEALED);
      expect((await journal.openSummary()).map((group) => group.count)).toEqual([1]);
    }),

    check('vouchers: a malformed sealed voucher is refused and nothing changes', async (journal) => {
      const record = await opened(journal, 'v1');
      const malformed: unknown[] = [
        { ...SEALED, keyId: '' },
        { ...SEALED, keyId: 'k 2' },
        { ...SEALED, iv: '' },
        { ...SEALED, ciphertext: 'not base64!' },
        { ...SEALED, tag: 42 },
        { keyId: 'k2', iv: SEALED.iv, ciphertext: SEALED.ciphertext },
        { ...SEALED, code: 'plain text' },
        'k2:AAAA',
        null,
      ];
      for (const voucher of malformed) {
        let refused: unknown = null;
        try {
          await journal.transition('v1', record.version, {
            ...succeededWith(SEALED),
            voucher: voucher as SealedVoucher,
          });
        } catch (error) {
          refused = error;
        }
        expect(ValidationError.is(refused), `refused ${JSON.stringify(voucher)}`).toBe(true);
      }
      expect(await journal.get('v1')).toEqual(record);
    }),
  ];

  if (options.reopen) {
    const reopen = options.reopen;
    checks.push(
      check('vouchers: a kept voucher survives a reopen', async (journal, hold) => {
        const record = await opened(journal, 'v1');
        const done = await journal.transition('v1', record.version, succeededWith(SEALED));
        await journal.create(payment('v2'));
        const reopened = await reopen(journal);
        hold(reopened);
        expect(await reopened.get('v1')).toEqual(done);
        expect((await reopened.get('v2'))?.voucher).toBeNull();
      }),
    );
  }
  return checks;
}
