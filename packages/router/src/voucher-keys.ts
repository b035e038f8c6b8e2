import { createSecretKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, Secret } from '@tolem/core';

/** A 32-byte AES-256 key: 64 hex digits, base64 or base64url of 32 bytes, 32 bytes, or a Secret of such a string. */
export type VoucherKey = string | Uint8Array | Secret;

/** How voucher codes that arrive after the first answer are kept (router option `vouchers`). */
export interface VoucherOptions {
  /**
   * Key id → key. New codes are sealed under `current`; the others only open codes sealed earlier, so
   * a key is rotated by adding the new one, making it current, and keeping the old one for as long as
   * its codes should stay readable.
   */
  keys: Readonly<Record<string, VoucherKey>>;
  /** The id of the key new codes are sealed under. */
  current: string;
}

/** The keys, ready for node:crypto; prints and inspects without any key material. */
export class VoucherKeyring {
  readonly current: string;
  readonly #keys: ReadonlyMap<string, KeyObject>;

  constructor(current: string, keys: ReadonlyMap<string, KeyObject>) {
    this.current = current;
    this.#keys = keys;
  }

  key(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  toJSON(): string {
    return `VoucherKeyring(${this.ids.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

/** Same rule as the journal's SealedVoucher key id. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
const KEY_RULE = 'a 32-byte key is required: 64 hex digits, base64 of 32 bytes, or 32 bytes';

/**
 * Validates the `vouchers` option: `undefined` (no key: the router warns at start-up), `false` (no key,
 * on purpose: no warning) or `{ keys, current }`. ConfigErrors name the field (`vouchers.keys.k2`) and
 * never carry the key.
 */
export function parseVoucherOptions(value: unknown): { keyring: VoucherKeyring | null; silent: boolean } {
  if (value === undefined) return { keyring: null, silent: false };
  if (value === false) return { keyring: null, silent: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('vouchers', 'an object { keys, current } or false is required');
  const options = value as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (name !== 'keys' && name !== 'current')
      throw new ConfigError(`vouchers.${name}`, 'unknown option (misspelt?)');
  }
  const keys = options.keys;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys))
    throw new ConfigError('vouchers.keys', 'an object of key id → key is required');
  const entries = Object.entries(keys as Record<string, unknown>);
  if (entries.length === 0) throw new ConfigError('vouchers.keys', 'at least one key is required');
  if (entries.length > 32) throw new ConfigError('vouchers.keys', 'at most 32 keys');
  const parsed = new Map<string, KeyObject>();
  for (const [keyId, key] of entries) {
    if (!KEY_ID.test(keyId))
      throw new ConfigError(`vouchers.keys.${keyId}`, 'a key id is 1 to 64 letters, digits, ".", "_" or "-"');
    const bytes = keyBytes(key, `vouchers.keys.${keyId}`);
    parsed.set(keyId, createSecretKey(bytes));
    // The KeyObject holds its own copy: leave none of ours lying around.
    bytes.fill(0);
  }
  const current = options.current;
  if (typeof current !== 'string' || !parsed.has(current))
    throw new ConfigError(
      'vouchers.current',
      `the id of one of vouchers.keys (${[...parsed.keys()].join(', ')}) is required`,
    );
  return { keyring: new VoucherKeyring(current, parsed), silent: true };
}

function keyBytes(key: unknown, field: string): Buffer {
  const text = Secret.is(key) ? key.reveal() : key;
  let bytes: Buffer | null = null;
  if (typeof text === 'string') {
    const trimmed = text.trim();
    if (HEX_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
    else if (BASE64_KEY.test(trimmed))
      bytes = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  } else if (text instanceof Uint8Array) {
    bytes = Buffer.from(text);
  }
  if (bytes === null || bytes.length !== 32) throw new ConfigError(field, KEY_RULE);
  // A placeholder ("000…", "aaa…") is not a key.
  if (bytes.every((byte) => byte === bytes[0]))
    throw new ConfigError(field, `${KEY_RULE}, not one byte repeated`);
  return bytes;
}
