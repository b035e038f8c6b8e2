import { ConfigError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { assertSecureUrl, isLoopback } from './loopback.js';

/**
 * Plain http is allowed only where nobody else can read the password: literal loopback addresses and
 * `localhost` itself. Each row says why: a name other than `localhost` may be sent to DNS, which can
 * answer with any address.
 */
const CASES: [host: string, accepted: boolean, why: string][] = [
  ['127.0.0.1', true, 'the IPv4 loopback address'],
  ['127.10.0.5', true, 'all of 127.0.0.0/8 is loopback'],
  ['127.1', true, 'WHATWG URL spells it 127.0.0.1: the address connected to is loopback'],
  ['0x7f.1', true, 'hexadecimal 127.0.0.1 once the URL parser normalises it'],
  ['0177.0.0.1', true, 'octal 127.0.0.1 once the URL parser normalises it'],
  ['2130706433', true, '127.0.0.1 as one 32-bit number, normalised by the URL parser'],
  ['127.0.0.1.', true, 'the URL parser drops the trailing dot of an IPv4 address'],
  ['[::1]', true, 'the IPv6 loopback address, as URL.hostname spells it'],
  ['::1', true, 'the IPv6 loopback address without brackets'],
  ['[0:0:0:0:0:0:0:1]', true, '::1 written out; the URL parser compresses it'],
  ['localhost', true, 'the name itself, answered from the hosts file'],
  ['LOCALHOST', true, 'host names are case-insensitive: the URL parser lowers it'],
  ['localhost.', false, 'an absolute DNS name: a resolver may ask DNS for it'],
  ['foo.localhost', false, 'a subdomain: glibc sends it to DNS, which may answer anything'],
  ['127.0.0.1.nip.io', false, 'a DNS name that merely contains a loopback address'],
  ['[::ffff:127.0.0.1]', false, 'an IPv4-mapped IPv6 address, not ::1: write 127.0.0.1 instead'],
  ['128.0.0.1', false, 'outside 127.0.0.0/8'],
  ['10.0.0.5', false, 'a private address is still on the network'],
  ['localhost.example.com', false, 'a DNS name'],
  ['', false, 'no host at all'],
  ['127.0.0.1:80', false, 'a host with a port is not a host name'],
];

describe('isLoopback', () => {
  it.each(CASES)('%s → %s (%s)', (host, accepted) => {
    expect(isLoopback(host)).toBe(accepted);
  });

  it('agrees with what a parsed URL would connect to', () => {
    for (const [host, accepted] of CASES) {
      if (host === '' || host === '::1' || host === '127.0.0.1:80') continue;
      expect(isLoopback(new URL(`http://${host}:8080/`).hostname), host).toBe(accepted);
    }
  });
});

describe('assertSecureUrl', () => {
  it('accepts https anywhere and http to loopback', () => {
    expect(() => assertSecureUrl(new URL('https://processing.vectrafin.ru'), 'baseUrl')).not.toThrow();
    expect(() => assertSecureUrl(new URL('http://127.1:8080'), 'baseUrl')).not.toThrow();
    expect(() => assertSecureUrl(new URL('http://localhost:8080'), 'baseUrl')).not.toThrow();
  });

  it.each(['http://foo.localhost:8080', 'http://localhost.:8080', 'http://127.0.0.1.nip.io'])(
    'refuses %s with a ConfigError naming the field and the fix',
    (url) => {
      let thrown: unknown;
      try {
        assertSecureUrl(new URL(url), '--url');
      } catch (error) {
        thrown = error;
      }
      expect(ConfigError.is(thrown)).toBe(true);
      const error = thrown as ConfigError;
      expect(error.option).toBe('--url');
      expect(error.message).toContain('https://');
      expect(error.message).toContain('127.0.0.1');
      expect(error.message).not.toContain('\n');
    },
  );

  it('refuses other schemes', () => {
    expect(() => assertSecureUrl(new URL('ftp://127.0.0.1'), 'baseUrl')).toThrow(/https:\/\//);
  });
});
