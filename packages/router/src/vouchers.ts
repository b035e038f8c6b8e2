import type { Clock, PaymentRecord, SealedVoucher, Secret } from '@tolem/core';
import { VoucherHold } from './voucher-hold.js';
import type { VoucherKeyring } from './voucher-keys.js';
import { openVoucher, sealVoucher } from './voucher-vault.js';

/**
 * Where the voucher code of a `sendType: 'api'` payment stands, as `PaymentView.voucherStatus`:
 * - `available`: `voucherCode` holds it;
 * - `pending`: the payment is not final yet;
 * - `not_issued`: the payment failed, there is no code;
 * - `not_kept`: it succeeded but this router holds no code for it: it was confirmed while no voucher
 *   key was configured and is no longer in this process's memory (already handed out, expired, another
 *   process, a restart), a retention job cleared it, or no answer carried one;
 * - `key_missing`: it is kept, sealed under a key id this router was not given;
 * - `unreadable`: it is kept, but the key under that id does not open it (another key reusing the id,
 *   or an altered value).
 */
export type VoucherStatus =
  | 'available'
  | 'pending'
  | 'not_issued'
  | 'not_kept'
  | 'key_missing'
  | 'unreadable';

export interface VoucherView {
  status: VoucherStatus;
  code?: Secret;
}

/**
 * The router's voucher codes (issue 10 item 7): sealed into the journal with the user's key when it has
 * one, else held in this process's memory for its waiters; opened again for views.
 */
export class Vouchers {
  readonly #keyring: VoucherKeyring | null;
  readonly #hold: VoucherHold;

  constructor(keyring: VoucherKeyring | null, clock: Clock) {
    this.#keyring = keyring;
    this.#hold = new VoucherHold(clock);
  }

  /** Whether codes are kept in the journal (a key was configured). */
  get keeps(): boolean {
    return this.#keyring !== null;
  }

  /**
   * A code that came with a success: the sealed value to write with that success, or null when there is
   * no key, in which case the code is held in memory — unless the caller that received it already has
   * it (`handedOut`: the `pay()` whose answer carried it).
   */
  keep(record: PaymentRecord, code: Secret, handedOut: boolean): SealedVoucher | null {
    if (this.#keyring !== null) return sealVoucher(this.#keyring, record.paymentId, code);
    if (!handedOut) this.#hold.put(record.paymentId, code);
    return null;
  }

  /** The voucher part of a payment's view; `received` is a code the caller's own call just got. */
  view(record: PaymentRecord, received?: Secret): VoucherView | undefined {
    if (record.details.sendType !== 'api') return undefined;
    if (received !== undefined) return { status: 'available', code: received };
    if (!record.final) return { status: 'pending' };
    if (record.state !== 'succeeded') return { status: 'not_issued' };
    if (record.voucher !== null) {
      const opened = openVoucher(this.#keyring, record.paymentId, record.voucher);
      return opened.status === 'available'
        ? { status: 'available', code: opened.code }
        : { status: opened.status };
    }
    const held = this.#hold.take(record.paymentId);
    return held === undefined ? { status: 'not_kept' } : { status: 'available', code: held };
  }
}
