import { type CallbackNotice, outcome, ValidationError } from '@tolem/core';
import { parseWireJson, WireShapeError } from './json-value.js';
import { readTransactionResponse } from './response-parser.js';
import { mapStatusCode } from './status-table.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the body VectraFin POSTs to the agent (protocol §3.16):
 * `{RequestID, ResponseType:"CallBack", TransactinID, ResponseStatus, Message}`. It carries no
 * signature, so the result is only a hint: confirm it with Status before moving a payment.
 * Throws ValidationError (field `body`) when the body is not such a document.
 */
export function parseCallbackBody(body: string | Uint8Array): CallbackNotice {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (body instanceof Uint8Array) {
    try {
      text = utf8.decode(body);
    } catch (error) {
      throw new ValidationError('body', 'not valid UTF-8', { cause: error });
    }
  } else {
    throw new ValidationError('body', 'a string or bytes are required');
  }
  try {
    const response = readTransactionResponse(parseWireJson(text));
    if (response.responseType !== null && response.responseType.toLowerCase() !== 'callback') {
      throw new WireShapeError(`ResponseType is ${JSON.stringify(response.responseType)}, not CallBack`);
    }
    const transactionId = response.transactionId;
    if (transactionId === null || !/^[1-9]\d{0,14}$/.test(transactionId)) {
      throw new WireShapeError('TransactinID is missing or not a 1 to 15 digit id');
    }
    const mapped = mapStatusCode(response.status);
    return {
      ...outcome(mapped.state, mapped.reason, response.status, response.message),
      transactionId,
      providerRequestId: response.requestId,
    };
  } catch (error) {
    if (error instanceof WireShapeError) {
      throw new ValidationError('body', `not a VectraFin callback: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
