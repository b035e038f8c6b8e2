import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type SealedVoucher, Secret } from '@tolem/core';
import type { VoucherKeyring } from './voucher-keys.js';

/** What opening a sealed voucher gives. */
export type VoucherOpening =
  | { status: 'available'; code: Secret }
  /** Sealed under a key id this router was not given (no keys, or rotated out). */
  | { status: 'key_missing'; keyId: string }
  /** The key with that id does not open it: another key under a reused id, or the value was altered. */
  | { status: 'unreadable'; keyId: string };

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Binds a sealed code to its payment: a value copied onto another payment's row does not open. The
 * version prefix leaves room for another format later.
 */
function associatedData(paymentId: string): Buffer {
  return Buffer.from(`tolem/voucher/v1\u0000${paymentId}`, 'utf8');
}

/** AES-256-GCM with a fresh random 96-bit IV per code, under the keyring's current key. */
export function sealVoucher(keyring: VoucherKeyring, paymentId: string, code: Secret): SealedVoucher {
  const key = keyring.key(keyring.current);
  if (key === undefined) throw new Error('the current voucher key is missing from the keyring');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(paymentId));
  const ciphertext = Buffer.concat([cipher.update(code.reveal(), 'utf8'), cipher.final()]);
  return {
    keyId: keyring.current,
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export function openVoucher(
  keyring: VoucherKeyring | null,
  paymentId: string,
  sealed: SealedVoucher,
): VoucherOpening {
  const key = keyring?.key(sealed.keyId);
  if (key === undefined) return { status: 'key_missing', keyId: sealed.keyId };
  try {
    const tag = Buffer.from(sealed.tag, 'base64');
    const iv = Buffer.from(sealed.iv, 'base64');
    if (tag.length !== TAG_BYTES || iv.length !== IV_BYTES)
      return { status: 'unreadable', keyId: sealed.keyId };
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(paymentId));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return { status: 'available', code: new Secret(plain.toString('utf8')) };
  } catch {
    // node:crypto says only "Unsupported state or unable to authenticate data": nothing to pass on.
    return { status: 'unreadable', keyId: sealed.keyId };
  }
}
