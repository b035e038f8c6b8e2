import { ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { fixture } from '../test/mock-vectrafin.js';
import { parseCallbackBody } from './callback.js';

describe('parseCallbackBody (protocol §3.16)', () => {
  it('reads the sample from a string and from bytes alike', () => {
    const text = fixture('ru', 'callback.body.json');
    expect(parseCallbackBody(Buffer.from(text, 'utf8'))).toEqual(parseCallbackBody(text));
  });

  it.each([
    ['10', 'succeeded', null, true],
    ['-105', 'failed', 'account_not_found', true],
    ['1', 'pending', null, false],
    ['-4', 'unknown', 'not_found', false],
    ['77', 'unknown', 'unknown_status', false],
  ])('ResponseStatus %s → %s', (code, state, reason, final) => {
    const notice = parseCallbackBody(
      `{"RequestID":638405063993273260,"ResponseType":"CallBack","TransactinID":89539514,"ResponseStatus":"${code}","Message":"x"}`,
    );
    expect(notice).toEqual({
      state,
      final,
      reason,
      providerStatus: code,
      message: 'x',
      transactionId: '89539514',
      providerRequestId: '638405063993273260',
    });
  });

  it.each([
    ['not JSON', 'RequestID=1'],
    ['an HTML page', '<html></html>'],
    ['another ResponseType', '{"ResponseType":"Payment","TransactinID":1,"ResponseStatus":10}'],
    ['no transaction id', '{"ResponseType":"CallBack","ResponseStatus":10}'],
    [
      'a 16-digit transaction id',
      '{"ResponseType":"CallBack","TransactinID":1234567890123456,"ResponseStatus":10}',
    ],
    ['no status', '{"ResponseType":"CallBack","TransactinID":1}'],
    ['an array', '[]'],
  ])('%s is a ValidationError on body', (_label, body) => {
    expect(() => parseCallbackBody(body)).toThrow(expect.objectContaining({ field: 'body' }));
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseCallbackBody(new Uint8Array([0x7b, 0xce, 0xf8, 0x7d]))).toThrow(ValidationError);
  });
});
