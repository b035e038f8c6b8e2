import type { Prng } from './prng.js';

/** How Payment RequestIDs look: small and sequential like the Payment samples, or 18-digit. */
export type PaymentRequestIdStyle = 'sequential' | 'large';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * The provider's own ids, drawn from the seed. AccountCheck RequestIDs are 18-digit .NET-tick-like
 * numbers above 2^53 (protocol §3.3) and are kept as bigint, never as a JS number.
 */
export class IdGenerator {
  readonly #prng: Prng;
  readonly #style: PaymentRequestIdStyle;
  #large: bigint;
  #sequential: bigint;

  constructor(prng: Prng, style: PaymentRequestIdStyle) {
    this.#prng = prng;
    this.#style = style;
    this.#large = 638405063993273260n + BigInt(prng.int(0, 999_999));
    this.#sequential = 11_637_000n + BigInt(prng.int(0, 999));
  }

  /** A fresh 18-digit RequestID, larger than every earlier one. */
  largeRequestId(): string {
    this.#large += BigInt(this.#prng.int(1_000, 9_999_999));
    return this.#large.toString();
  }

  /** The RequestID of a new payment. */
  paymentRequestId(): string {
    if (this.#style === 'large') return this.largeRequestId();
    this.#sequential += 1n;
    return this.#sequential.toString();
  }

  /** A voucher code like "K7QD-3M9X-PA2Z-8HRT". */
  voucherCode(): string {
    const groups: string[] = [];
    for (let group = 0; group < 4; group++) {
      let text = '';
      for (let i = 0; i < 4; i++) text += CODE_ALPHABET[this.#prng.int(0, CODE_ALPHABET.length - 1)];
      groups.push(text);
    }
    return groups.join('-');
  }

  /** Four digits below the millisecond, for the provider's 7-digit fractions (protocol §3.12). */
  subMillisecond(): string {
    return String(this.#prng.int(0, 9999)).padStart(4, '0');
  }
}
