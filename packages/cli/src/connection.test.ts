import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { readConnection, readUrl } from './connection.js';
import type { Io } from './io.js';

function io(env: Record<string, string>, cwd = process.cwd()): Io {
  return { stdout: process.stdout, stderr: process.stderr, env, cwd };
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError && error.exitCode === 2) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

/** The shared loopback rule refuses with a ConfigError naming --url (the CLI reports it with exit 2). */
function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const ENV = {
  TOLEM_VECTRAFIN_URL: 'http://127.0.0.1:8080',
  TOLEM_VECTRAFIN_AGENT_ID: '1',
  TOLEM_VECTRAFIN_PASSWORD: 's3cret',
};

describe('readConnection', () => {
  it('reads the environment, with the documented defaults', () => {
    const connection = readConnection({}, io(ENV));
    expect(connection).toMatchObject({
      baseUrl: 'http://127.0.0.1:8080',
      agentId: '1',
      timeoutMs: 60_000,
      timeZone: 'Europe/Moscow',
    });
    expect(connection.password.reveal()).toBe('s3cret');
    expect(JSON.stringify(connection)).not.toContain('s3cret');
  });

  it('flags win over the environment', () => {
    const connection = readConnection(
      { url: 'https://vf.example', 'agent-id': '77', timeout: '2.5' },
      io(ENV),
    );
    expect(connection).toMatchObject({ baseUrl: 'https://vf.example', agentId: '77', timeoutMs: 2500 });
  });

  it('reads the password from --password-file, without its final newline', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tolem-cli-'));
    writeFileSync(join(folder, 'pw'), 'from-file\n');
    const connection = readConnection(
      { 'password-file': 'pw' },
      io({ ...ENV, TOLEM_VECTRAFIN_PASSWORD: '' }, folder),
    );
    expect(connection.password.reveal()).toBe('from-file');
    expect(message(() => readConnection({ 'password-file': 'missing' }, io(ENV, folder)))).toContain(
      'ENOENT',
    );
  });

  it('says where the password goes when there is none', () => {
    expect(message(() => readConnection({}, io({ ...ENV, TOLEM_VECTRAFIN_PASSWORD: '' })))).toContain(
      'TOLEM_VECTRAFIN_PASSWORD',
    );
  });

  it.each([
    [{ TOLEM_VECTRAFIN_URL: '' }, 'missing --url'],
    [{ TOLEM_VECTRAFIN_AGENT_ID: 'agent' }, '--agent-id must be digits'],
  ])('names the missing or bad setting %j', (override, expected) => {
    expect(message(() => readConnection({}, io({ ...ENV, ...override })))).toContain(expected);
  });

  it.each(['0', '-1', 'abc', '1e3', '601'])('refuses --timeout %s', (timeout) => {
    expect(message(() => readConnection({ timeout }, io(ENV)))).toContain('--timeout');
  });

  it('refuses a zone that is not an IANA name', () => {
    expect(message(() => readConnection({ 'time-zone': 'GMT+3x' }, io(ENV)))).toContain('--time-zone');
  });
});

describe('readUrl', () => {
  it('accepts plain http only for loopback hosts', () => {
    expect(readUrl('http://localhost:1234')).toBe('http://localhost:1234');
    expect(readUrl('http://[::1]:1234/base/')).toBe('http://[::1]:1234/base');
    expect(refusal(() => readUrl('http://processing.vectrafin.ru')).message).toContain('https://');
    expect(refusal(() => readUrl('ftp://127.0.0.1')).message).toContain('https://');
    expect(message(() => readUrl('not a url'))).toContain('not a URL');
    expect(message(() => readUrl('https://vf.example/?a=1'))).toContain('query');
  });

  it('refuses credentials in the URL without echoing them', () => {
    const text = message(() => readUrl('https://1:topsecret@vf.example'));
    expect(text).not.toContain('topsecret');
  });

  // The rule itself is the provider's isLoopback (its table, with the reason for each row, is in
  // provider-vectrafin loopback.test.ts); here: the CLI applies it to --url, normalised.
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.1:8080/', 'http://127.0.0.1:8080'],
    ['http://0x7f.1:8080', 'http://127.0.0.1:8080'],
    ['http://LOCALHOST:8080', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts the loopback URL %s as %s', (url, normalised) => {
    expect(readUrl(url)).toBe(normalised);
  });

  it.each([
    'http://api.localhost:8080',
    'http://localhost.:8080',
    'http://127.0.0.1.nip.io:8080',
    'http://[::ffff:127.0.0.1]:8080',
    'http://128.0.0.1',
  ])('refuses plain http to %s: a ConfigError naming --url with the fix', (url) => {
    const error = refusal(() => readUrl(url));
    expect(error.option).toBe('--url');
    expect(error.message).toMatch(/^--url: .*https:\/\/.*127\.0\.0\.1/);
  });
});
