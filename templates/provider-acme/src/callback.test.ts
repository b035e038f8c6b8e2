import { ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { parseAcmeCallback } from './callback.js';

describe('parseAcmeCallback', () => {
  it('reads a final payment as a notice: a hint the router confirms with Status', () => {
    const body =
      '{"type":"payment.final","txn":"1000042","ref":"900719925474099301","code":"OK","message":"done"}';
    expect(parseAcmeCallback(body)).toEqual({
      state: 'succeeded',
      final: true,
      reason: null,
      providerStatus: 'OK',
      message: 'done',
      transactionId: '1000042',
      providerRequestId: '900719925474099301',
    });
    expect(parseAcmeCallback(new TextEncoder().encode(body)).transactionId).toBe('1000042');
    expect(parseAcmeCallback('{"type":"payment.final","txn":"7","code":"NO_ACCOUNT"}')).toMatchObject({
      state: 'failed',
      reason: 'account_not_found',
      providerRequestId: null,
    });
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /not an object/],
    ['{"type":"payment.created","txn":"7","code":"OK"}', /type is not "payment.final"/],
    ['{"type":"payment.final","txn":7,"code":"OK"}', /txn is not a 1 to 15 digit id/],
    ['{"type":"payment.final","txn":"0123","code":"OK"}', /txn is not a 1 to 15 digit id/],
    ['{"type":"payment.final","txn":"7"}', /no code/],
  ])('refuses %s with a ValidationError on body', (body, rule) => {
    let error: unknown;
    try {
      parseAcmeCallback(body);
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.is(error) && error.field).toBe('body');
    expect((error as ValidationError).rule).toMatch(rule);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseAcmeCallback(new Uint8Array([0xff, 0xfe]))).toThrow(/not valid UTF-8/);
  });
});
