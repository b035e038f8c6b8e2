import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type Secret } from '@tolem/core';
import { type Simulator, startSimulator } from '@tolem/vectrafin-simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFromConfig } from './create-from-config.js';
import { type ProviderKind, vectrafinKind } from './provider-kind.js';

const PASSWORD_A = 'pw-A&"quoted"%';
const PASSWORD_B = 'pw-B\\back';
const VOUCHER_KEY = `${'c0ffee'.repeat(10)}beef`;

let simulator: Simulator;
let folder: string;

beforeAll(async () => {
  simulator = await startSimulator({
    seed: 'config',
    includeDemoAgent: false,
    agents: [
      { agentId: '901', password: PASSWORD_A, balances: { KZT: '1000000.00' } },
      { agentId: '902', password: PASSWORD_B, balances: { KZT: '1000000.00' } },
    ],
  });
});
afterAll(async () => {
  await simulator.close();
});
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tolem-config-'));
  writeFileSync(join(folder, 'vf-b.password'), `${PASSWORD_B}\n`);
  writeFileSync(join(folder, 'voucher.key'), `${VOUCHER_KEY}\n`);
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function write(config: Record<string, unknown>): string {
  const file = join(folder, 'tolem.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    journal: 'sqlite:tolem.db',
    providers: [
      {
        id: 'vf-a',
        kind: 'vectrafin',
        baseUrl: simulator.url,
        agentId: '901',
        password: { env: 'VF_A_PASSWORD' },
        timeZone: 'Asia/Almaty',
        timeoutMs: 10_000,
      },
      {
        id: 'vf-b',
        kind: 'vectrafin',
        baseUrl: simulator.url,
        agentId: '902',
        password: { file: 'vf-b.password' },
      },
    ],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    finalizer: { firstDelayMs: 200, maxDelayMs: 1_000 },
    vouchers: { current: 'k1', keys: { k1: { file: 'voucher.key' } } },
    ...overrides,
  };
}

const ENV = { VF_A_PASSWORD: PASSWORD_A };

async function refusal(file: string, env: Record<string, string> = ENV): Promise<ConfigError> {
  const error = await createFromConfig({ path: file, env }).then(
    () => {
      throw new Error('the configuration was accepted');
    },
    (e: unknown) => e,
  );
  expect(ConfigError.is(error)).toBe(true);
  const message = String((error as Error).message);
  for (const secret of [PASSWORD_A, PASSWORD_B, VOUCHER_KEY]) expect(message).not.toContain(secret);
  return error as ConfigError;
}

describe('createFromConfig', () => {
  it('builds the router the file describes: passwords from the environment and a file, the journal beside the file', async () => {
    const file = write(config());
    const secrets: Secret[] = [];
    const runtime = await createFromConfig(
      { path: file, env: ENV },
      { onSecret: (secret) => secrets.push(secret) },
    );
    try {
      expect([...runtime.providers.keys()]).toEqual(['vf-a', 'vf-b']);
      expect(Object.fromEntries(runtime.timeZones)).toEqual({
        'vf-a': 'Asia/Almaty',
        'vf-b': 'Europe/Moscow',
      });
      expect(secrets.map((secret) => secret.reveal()).sort()).toEqual(
        [PASSWORD_A, PASSWORD_B, VOUCHER_KEY].sort(),
      );
      await runtime.router.start();
      const paid = await runtime.router.pay({
        paymentId: 'cfg-1',
        service: 'steam',
        account: 'galek10',
        amount: '100.00',
        currency: 'KZT',
      });
      expect(paid).toMatchObject({ state: 'succeeded', provider: 'vf-a' });
      expect(existsSync(join(folder, 'tolem.db'))).toBe(true);
      expect(await runtime.journal.get('cfg-1')).toMatchObject({ state: 'succeeded' });
    } finally {
      await runtime.close();
    }
  });

  it('a provider option its factory refuses: named providers[N].<option>, with the factory’s own rule; no journal created', async () => {
    const base = config();
    const providers = base.providers as Record<string, unknown>[];
    providers[1] = { ...providers[1], baseUrl: 'http://payments.example.com' };
    const error = await refusal(write({ ...base, providers }));
    expect(error.option).toBe('providers[1].baseUrl');
    expect(error.message).toMatch(/^\/.*tolem\.config\.json: providers\[1\]\.baseUrl: .*https/);
    expect(existsSync(join(folder, 'tolem.db'))).toBe(false);
  });

  it('a router option createRouter refuses: named as in the file; no journal created', async () => {
    let error = await refusal(write(config({ finalizer: { firstDelayMs: 5_000, maxDelayMs: 1_000 } })));
    expect(`${error.option}: ${error.rule}`).toBe('finalizer.maxDelayMs: must be at least firstDelayMs');
    error = await refusal(write(config({ failover: { onReasons: ['provider_technical', 'timeout'] } })));
    expect(error.option).toBe('failover.onReasons[1]');
    expect(error.rule).toMatch(/not a final decline/);
    error = await refusal(write(config({ breaker: { resetTimout: 1 } })));
    expect(error.option).toBe('breaker.resetTimout');
    expect(existsSync(join(folder, 'tolem.db'))).toBe(false);
  });

  it('a secret that is not where the file says: named, and nothing opened', async () => {
    let error = await refusal(write(config()), {});
    expect(`${error.option}: ${error.rule}`).toBe(
      'providers[0].password: the environment variable VF_A_PASSWORD is not set (or empty): export it before starting',
    );
    rmSync(join(folder, 'vf-b.password'));
    error = await refusal(write(config()));
    expect(error.option).toBe('providers[1].password');
    expect(error.rule).toMatch(/^cannot read .*vf-b\.password \(ENOENT\): name a readable file$/);
    writeFileSync(join(folder, 'voucher.key'), 'not-a-key\n');
    writeFileSync(join(folder, 'vf-b.password'), PASSWORD_B);
    error = await refusal(write(config()));
    expect(error.option).toBe('vouchers.keys.k1');
    expect(error.message).not.toContain('not-a-key');
    expect(existsSync(join(folder, 'tolem.db'))).toBe(false);
  });

  it('a journal: its own factory’s rules under `journal`; a postgres password written in the file is refused', async () => {
    let error = await refusal(write(config({ journal: 'sqlite:no/such/folder/tolem.db' })));
    expect(error.option).toBe('journal');
    expect(error.rule).toMatch(/^the folder .*no\/such\/folder does not exist: create it first$/);
    error = await refusal(write(config({ journal: 'postgres://tolem:s3cret-pg@db.internal/tolem' })));
    expect(error.option).toBe('journal');
    expect(error.rule).toMatch(
      /^must not carry the database password \(keep the URL in an environment variable/,
    );
    expect(error.message).not.toContain('s3cret-pg');
    error = await refusal(write(config({ journal: { url: 'sqlite:tolem.db', busyTimeoutMs: -1 } })));
    expect(error.option).toBe('journal.busyTimeoutMs');
    error = await refusal(write(config({ journal: 'mysql://db/tolem' })));
    expect(error.rule).toMatch(/^a journal is sqlite:PATH/);
  });

  it('a provider package registers its own kind', async () => {
    const built: string[] = [];
    const euKind: ProviderKind = {
      kind: 'vectrafin-eu',
      options: vectrafinKind.options,
      secretOptions: ['password'],
      async create(options) {
        built.push(String(options.id));
        return vectrafinKind.create({ ...options, timeZone: 'Europe/Berlin' });
      },
    };
    const base = config();
    const providers = base.providers as Record<string, unknown>[];
    providers[1] = { ...providers[1], kind: 'vectrafin-eu' };
    const file = write({ ...base, providers });
    await expect(createFromConfig({ path: file, env: ENV })).rejects.toThrow(
      /providers\[1\]\.kind: unknown kind "vectrafin-eu" \(known: vectrafin\)/,
    );
    const runtime = await createFromConfig({ path: file, env: ENV }, { kinds: [euKind] });
    try {
      expect(built).toEqual(['vf-b']);
      expect(runtime.timeZones.get('vf-b')).toBe('Europe/Berlin');
    } finally {
      await runtime.close();
    }
  });
});
