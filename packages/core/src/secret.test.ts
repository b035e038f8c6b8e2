import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, scrub } from './secret.js';

const PASSWORD = 'Pa55 w&rd+"q"/ü';

describe('Secret', () => {
  const secret = new Secret(PASSWORD);
  const holder = { agentId: '42', password: secret, nested: { codes: [new Secret('VOUCHER-1234')] } };

  it('hands out the value only through reveal()', () => {
    expect(secret.reveal()).toBe(PASSWORD);
  });

  it('is redacted in JSON.stringify, String(), template strings, concatenation and util.inspect', () => {
    const renderings = [
      JSON.stringify(holder),
      JSON.stringify(secret),
      String(secret),
      `${secret}`,
      // biome-ignore lint/style/useTemplate: concatenation is one of the paths a secret can leak through
      'x' + secret,
      inspect(secret),
      inspect(holder, { depth: 10, showHidden: true }),
      JSON.stringify(structuredClone(holder)),
      Object.keys(secret).join(','),
    ];
    for (const text of renderings) {
      expect(text).not.toContain('Pa55');
      expect(text).not.toContain('VOUCHER-1234');
    }
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(inspect(secret)).toBe('Secret([redacted])');
  });

  it('is() recognises a Secret from another copy of the package by its Symbol.for brand', () => {
    expect(Secret.is(secret)).toBe(true);
    expect(Secret.is({ [Symbol.for('tolem.secret')]: true, reveal: () => 'x' })).toBe(true);
    expect(Secret.is('x')).toBe(false);
    expect(Secret.is(null)).toBe(false);
  });
});

describe('scrub', () => {
  it('removes a secret from a transcript in every encoding it travels in', () => {
    const form = new URLSearchParams({ AgentID: '42', AgentPassword: PASSWORD }).toString();
    const url = `https://x.test/?p=${encodeURIComponent(PASSWORD)}`;
    const json = JSON.stringify({ AgentId: 42, AgentPassword: PASSWORD });
    const transcript = [PASSWORD, form, url, json].join('\n');
    const clean = scrub(transcript, [new Secret(PASSWORD)]);
    expect(clean).not.toContain(PASSWORD);
    expect(clean).not.toContain(encodeURIComponent(PASSWORD));
    expect(clean).not.toContain('Pa55');
    expect(clean).toContain('AgentID=42');
    expect(clean.match(/\[redacted\]/g)).toHaveLength(4);
  });

  it('accepts plain strings and skips empty or missing secrets', () => {
    expect(scrub('code=VOUCHER-1234;', ['VOUCHER-1234', undefined, ''])).toBe('code=[redacted];');
    expect(scrub('nothing here', [])).toBe('nothing here');
  });
});
