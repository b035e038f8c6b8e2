import { inspect } from 'node:util';
import { ConfigError, Secret } from '@tolem/core';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type VectrafinOptions } from './config.js';
import { createVectrafinProvider } from './provider.js';

const PASSWORD = 'config-secret-Xy7';
const valid: VectrafinOptions = {
  id: 'vf-a',
  baseUrl: 'https://processing.vectrafin.ru',
  agentId: '144',
  password: PASSWORD,
};

function configError(options: unknown): ConfigError {
  try {
    resolveConfig(options as VectrafinOptions);
  } catch (error) {
    if (ConfigError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createVectrafinProvider options', () => {
  it('applies the documented defaults: 12 connections, 1000 waiting, 60 s, Europe/Moscow (protocol §1.3, §9)', () => {
    const config = resolveConfig(valid);
    expect(config).toMatchObject({
      id: 'vf-a',
      origin: 'https://processing.vectrafin.ru',
      basePath: '/',
      agentId: '144',
      timeZone: 'Europe/Moscow',
      connections: 12,
      queueLimit: 1_000,
      queueTimeoutMs: null,
      timeoutMs: 60_000,
      dispatcher: undefined,
    });
    expect(config.password).toBeInstanceOf(Secret);
    expect(config.password.reveal()).toBe(PASSWORD);
    expect(Object.fromEntries(config.serviceKinds)).toEqual({
      '7': 'direct',
      '1911': 'dynamic_voucher',
      '1549': 'static_voucher',
      '815': 'invoice',
    });
  });

  it('takes the pool and queue options', () => {
    expect(resolveConfig({ ...valid, connections: 2, queueLimit: 0, queueTimeoutMs: 250 })).toMatchObject({
      connections: 2,
      queueLimit: 0,
      queueTimeoutMs: 250,
    });
  });

  it('keeps a path prefix and accepts a numeric agent id and a Secret password', () => {
    const config = resolveConfig({
      ...valid,
      baseUrl: 'https://gw.example/vf',
      agentId: 144,
      password: new Secret('s'),
    });
    expect(config.basePath).toBe('/vf/');
    expect(config.agentId).toBe('144');
    expect(config.password.reveal()).toBe('s');
  });

  it('merges serviceKinds over the defaults and compiles accountPatterns', () => {
    const config = resolveConfig({
      ...valid,
      serviceKinds: { '7': 'static_voucher', '48': 'direct' },
      accountPatterns: { '7': '^[a-z0-9]{3,32}$', '48': /^\d{10}$/ },
    });
    expect(config.serviceKinds.get('7')).toBe('static_voucher');
    expect(config.serviceKinds.get('48')).toBe('direct');
    expect(config.serviceKinds.get('1911')).toBe('dynamic_voucher');
    expect(config.accountPatterns.get('7')?.test('galek10')).toBe(true);
    expect(config.accountPatterns.get('48')?.test('7081982000')).toBe(true);
  });

  it.each([
    'http://localhost:8080',
    'http://127.0.0.1:1234',
    'http://127.9.9.9',
    'http://[::1]:99',
    'http://127.1:8080',
  ])('plain http is accepted for the loopback host %s (HTTPS otherwise, protocol §1.2)', (baseUrl) => {
    expect(resolveConfig({ ...valid, baseUrl }).origin).toBe(new URL(baseUrl).origin);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['id', { id: undefined }, 'id'],
    ['id', { id: 'has space' }, 'id'],
    ['baseUrl missing', { baseUrl: undefined }, 'baseUrl'],
    ['baseUrl relative', { baseUrl: '/home/index' }, 'baseUrl'],
    ['plain http to a remote host', { baseUrl: 'http://processing.vectrafin.ru' }, 'baseUrl'],
    ['plain http to a private address', { baseUrl: 'http://10.0.0.5' }, 'baseUrl'],
    // Resolved through DNS on a stock resolver, so not provably loopback (loopback.test.ts has the table).
    ['plain http to a *.localhost name', { baseUrl: 'http://sim.localhost' }, 'baseUrl'],
    ['plain http to localhost.', { baseUrl: 'http://localhost.:8080' }, 'baseUrl'],
    ['ftp', { baseUrl: 'ftp://processing.vectrafin.ru' }, 'baseUrl'],
    ['credentials in the URL', { baseUrl: 'https://u:p@processing.vectrafin.ru' }, 'baseUrl'],
    ['a query', { baseUrl: 'https://processing.vectrafin.ru/?x=1' }, 'baseUrl'],
    ['agentId letters', { agentId: 'abc' }, 'agentId'],
    ['agentId missing', { agentId: undefined }, 'agentId'],
    ['password empty', { password: '' }, 'password'],
    ['password missing', { password: undefined }, 'password'],
    ['timeZone offset', { timeZone: '+03:00' }, 'timeZone'],
    ['timeZone unknown', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['connections zero', { connections: 0 }, 'connections'],
    ['connections fractional', { connections: 1.5 }, 'connections'],
    ['timeoutMs negative', { timeoutMs: -1 }, 'timeoutMs'],
    ['timeoutMs as a string', { timeoutMs: '60000' }, 'timeoutMs'],
    ['serviceKinds unknown kind', { serviceKinds: { '7': 'crypto' } }, 'serviceKinds.7'],
    ['serviceKinds bad id', { serviceKinds: { steam: 'direct' } }, 'serviceKinds.steam'],
    ['accountPatterns bad regex', { accountPatterns: { '7': '([a-z' } }, 'accountPatterns.7'],
    ['accountPatterns global flag', { accountPatterns: { '7': /^a$/g } }, 'accountPatterns.7'],
    ['dispatcher not a dispatcher', { dispatcher: {} }, 'dispatcher'],
    ['clock without now()', { clock: {} }, 'clock'],
    ['a misspelt option (the default would silently stay)', { timeoutMS: 5_000 }, 'timeoutMS'],
    ['connections as a string', { connections: '12' }, 'connections'],
    ['queueLimit negative', { queueLimit: -1 }, 'queueLimit'],
    ['queueLimit fractional', { queueLimit: 2.5 }, 'queueLimit'],
    ['queueLimit as a string', { queueLimit: '100' }, 'queueLimit'],
    ['queueTimeoutMs negative', { queueTimeoutMs: -1 }, 'queueTimeoutMs'],
    ['queueTimeoutMs past 10 minutes', { queueTimeoutMs: 600_001 }, 'queueTimeoutMs'],
    ['queueTimeoutMs as a string', { queueTimeoutMs: '1000' }, 'queueTimeoutMs'],
    ['a misspelt queue option', { queueTimeout: 1_000 }, 'queueTimeout'],
  ])('%s → ConfigError naming %s', (_label, change, option) => {
    const error = configError({ ...valid, ...change });
    expect(error.option).toBe(option);
    expect(error.code).toBe('TOLEM_CONFIG');
  });

  it('never puts the password in a ConfigError, however it is printed', () => {
    for (const change of [
      { agentId: 'x' },
      { baseUrl: 'http://remote.example' },
      { timeZone: 'Nowhere/None' },
      { timeoutMs: -5 },
      { password: 5 },
      { extra: PASSWORD },
    ]) {
      const error = configError({ ...valid, ...change });
      const printed = [error.message, String(error), inspect(error, { depth: 10 }), JSON.stringify(error)];
      for (const text of printed) expect(text).not.toContain(PASSWORD);
    }
  });

  it('uses an injected dispatcher and leaves it open on close()', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const provider = createVectrafinProvider({ ...valid, dispatcher: agent });
    await provider.close();
    agent
      .get('https://processing.vectrafin.ru')
      .intercept({ path: '/home/index', method: 'POST' })
      .reply(200, 'still open');
    const response = await agent.request({
      origin: 'https://processing.vectrafin.ru',
      path: '/home/index',
      method: 'POST',
    });
    expect(await response.body.text()).toBe('still open');
    await agent.close();
  });
});
