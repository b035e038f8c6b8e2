import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  JournalConflictError,
  JournalUnavailableError,
  PaymentUnconfirmedError,
  ProviderUnavailableError,
  TolemError,
  UnsupportedOperationError,
  ValidationError,
} from './errors.js';

/** What a ValidationError thrown by a second copy of @tolem/core looks like to this copy. */
function fromAnotherCopy(kind: string, fields: Record<string, unknown>): Error {
  const error = new Error('from another copy') as Error & Record<string | symbol, unknown>;
  error[Symbol.for('tolem.error')] = true;
  error[Symbol.for('tolem.error.kind')] = kind;
  Object.assign(error, fields);
  return error;
}

describe('errors', () => {
  it('carry stable codes, names and the field or option', () => {
    const cause = new Error('zod said no');
    const validation = new ValidationError('amount', 'at most two decimals', { cause });
    expect(validation).toBeInstanceOf(Error);
    expect(validation).toBeInstanceOf(TolemError);
    expect(validation.code).toBe('TOLEM_VALIDATION');
    expect(validation.name).toBe('ValidationError');
    expect(validation.field).toBe('amount');
    expect(validation.rule).toBe('at most two decimals');
    expect(validation.message).toBe('amount: at most two decimals');
    expect(validation.cause).toBe(cause);

    const config = new ConfigError('baseUrl', 'must be https', { providerId: 'vf-a' });
    expect(config.code).toBe('TOLEM_CONFIG');
    expect(config.name).toBe('ConfigError');
    expect(config.option).toBe('baseUrl');
    expect(config.field).toBe('baseUrl');
    expect(config.rule).toBe('must be https');
    expect(config.providerId).toBe('vf-a');
    expect(config.cause).toBeUndefined();

    const unavailable = new ProviderUnavailableError('breaker open', { providerId: 'vf-a' });
    expect(unavailable.code).toBe('TOLEM_PROVIDER_UNAVAILABLE');
    expect(unavailable.name).toBe('ProviderUnavailableError');

    const unsupported = new UnsupportedOperationError('quote', { providerId: 'acme' });
    expect(unsupported.code).toBe('TOLEM_UNSUPPORTED_OPERATION');
    expect(unsupported.operation).toBe('quote');
    expect(unsupported.message).toBe('quote is not supported by provider acme');

    const conflict = new JournalConflictError('order-1', 'already exists with different amount', {
      fields: ['amount'],
    });
    expect(conflict.code).toBe('TOLEM_JOURNAL_CONFLICT');
    expect(conflict.paymentId).toBe('order-1');
    expect(conflict.fields).toEqual(['amount']);
    expect(new JournalConflictError('order-1', 'stale').fields).toEqual([]);

    const lost = new Error('Connection terminated unexpectedly');
    const unconfirmed = new PaymentUnconfirmedError('order-1', { cause: lost });
    expect(unconfirmed.code).toBe('TOLEM_PAYMENT_UNCONFIRMED');
    expect(unconfirmed.name).toBe('PaymentUnconfirmedError');
    expect(unconfirmed.paymentId).toBe('order-1');
    expect(unconfirmed.cause).toBe(lost);
    // It must read as "may still be sent", never as "nothing sent": the caller must not refund on it.
    expect(unconfirmed.message).toContain('may have been recorded and may still be sent');
    expect(unconfirmed.message).toContain('same paymentId');
    expect(unconfirmed.message).toContain('do not refund');
    const dlopen = new Error('was compiled against a different Node.js version');
    const unavailable2 = new JournalUnavailableError('native_module_other_node', 'rebuild it', {
      cause: dlopen,
    });
    expect(unavailable2.code).toBe('TOLEM_JOURNAL_UNAVAILABLE');
    expect(unavailable2.name).toBe('JournalUnavailableError');
    expect(unavailable2.reason).toBe('native_module_other_node');
    expect(unavailable2.message).toBe('rebuild it');
    expect(unavailable2.cause).toBe(dlopen);
  });

  it('is() tells the kinds apart', () => {
    const errors = [
      new ValidationError('a', 'b'),
      new ConfigError('a', 'b'),
      new ProviderUnavailableError('x'),
      new UnsupportedOperationError('quote'),
      new JournalConflictError('p', 'x'),
      new PaymentUnconfirmedError('p'),
      new JournalUnavailableError('auth_failed', 'x'),
    ];
    const checks = [
      ValidationError.is,
      ConfigError.is,
      ProviderUnavailableError.is,
      UnsupportedOperationError.is,
      JournalConflictError.is,
      PaymentUnconfirmedError.is,
      JournalUnavailableError.is,
    ];
    errors.forEach((error, i) => {
      expect(TolemError.isTolemError(error)).toBe(true);
      checks.forEach((is, j) => {
        expect(is(error)).toBe(i === j);
      });
    });
    for (const value of [
      new Error('plain'),
      null,
      undefined,
      'ValidationError',
      { code: 'TOLEM_VALIDATION' },
    ]) {
      expect(TolemError.isTolemError(value)).toBe(false);
      expect(ValidationError.is(value)).toBe(false);
    }
  });

  it('brands survive a second copy of the package (Symbol.for, not instanceof)', () => {
    const foreign = fromAnotherCopy('validation', { field: 'amount', rule: 'x' });
    expect(foreign instanceof ValidationError).toBe(false);
    expect(ValidationError.is(foreign)).toBe(true);
    expect(TolemError.isTolemError(foreign)).toBe(true);
    expect(ConfigError.is(foreign)).toBe(false);
    expect(UnsupportedOperationError.is(fromAnotherCopy('unsupported_operation', {}))).toBe(true);
    expect(ProviderUnavailableError.is(fromAnotherCopy('provider_unavailable', {}))).toBe(true);
    expect(JournalConflictError.is(fromAnotherCopy('journal_conflict', {}))).toBe(true);
    expect(JournalUnavailableError.is(fromAnotherCopy('journal_unavailable', {}))).toBe(true);
    expect(ConfigError.is(fromAnotherCopy('config', {}))).toBe(true);
    expect(PaymentUnconfirmedError.is(fromAnotherCopy('payment_unconfirmed', {}))).toBe(true);
    // A kind without the tolem brand is not a tolem error.
    const unbranded = new Error('x') as Error & Record<symbol, unknown>;
    unbranded[Symbol.for('tolem.error.kind')] = 'validation';
    expect(ValidationError.is(unbranded)).toBe(false);
  });
});
