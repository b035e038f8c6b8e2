import { type CallbackNotice, ValidationError } from '@tolem/core';
import { mapAcmeStatus } from './status-table.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const TRANSACTION_ID = /^[1-9]\d{0,14}$/;

function refuse(rule: string, cause?: unknown): ValidationError {
  return new ValidationError(
    'body',
    `not an Acme callback: ${rule}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Parses the body Acme POSTs when a payment turns final:
 * `{"type":"payment.final","txn":"…","ref":"…","code":"OK","message":"…"}`. It is a hint, not a
 * fact: the router matches it to a known attempt and confirms it with Status before anything moves
 * (architecture §4.5). Throws ValidationError (field `body`) when the body is not such a document.
 */
export function parseAcmeCallback(body: string | Uint8Array): CallbackNotice {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) {
    try {
      text = utf8.decode(body);
    } catch (error) {
      throw refuse('not valid UTF-8', error);
    }
  } else throw new ValidationError('body', 'a string or bytes are required');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw refuse('not JSON', error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw refuse('not an object');
  const { type, txn, ref, code, message } = document as Record<string, unknown>;
  if (type !== 'payment.final') throw refuse('type is not "payment.final"');
  if (typeof txn !== 'string' || !TRANSACTION_ID.test(txn)) throw refuse('txn is not a 1 to 15 digit id');
  if (typeof code !== 'string' || code === '') throw refuse('no code');
  return {
    ...mapAcmeStatus(code, message),
    transactionId: txn,
    providerRequestId: typeof ref === 'string' && ref !== '' ? ref : null,
  };
}
