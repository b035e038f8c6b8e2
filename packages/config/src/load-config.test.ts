import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@tolem/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigFileError } from './config-error.js';
import { findConfigPath } from './config-paths.js';
import { loadTolemConfig, parseTolemConfig } from './load-config.js';

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tolem-config-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** A complete, valid configuration: each test breaks one thing. */
function valid(): Record<string, unknown> {
  return {
    journal: 'sqlite:./tolem.db',
    providers: [
      {
        id: 'vf-a',
        kind: 'vectrafin',
        baseUrl: 'https://processing.vectrafin.ru',
        agentId: '901',
        password: { env: 'VF_A_PASSWORD' },
        timeZone: 'Asia/Almaty',
      },
      {
        id: 'vf-b',
        kind: 'vectrafin',
        baseUrl: 'https://processing.vectrafin.ru',
        agentId: '902',
        password: { file: 'secrets/vf-b.password' },
      },
    ],
    routes: {
      steam: [
        { provider: 'vf-a', serviceId: '7' },
        { provider: 'vf-b', serviceId: '7' },
      ],
    },
    finalizer: { escalateAfterMs: 1_800_000 },
  };
}

function refusal(value: unknown): ConfigFileError {
  try {
    parseTolemConfig(value, { file: '/etc/tolem/tolem.config.json' });
  } catch (error) {
    expect(ConfigError.is(error)).toBe(true);
    return error as ConfigFileError;
  }
  throw new Error('the configuration was accepted');
}

describe('findConfigPath: --config, else TOLEM_CONFIG, else ./tolem.config.json', () => {
  it('takes the explicit path first, relative to the working folder, whether or not it exists', () => {
    expect(findConfigPath({ path: 'ops/a.json', env: { TOLEM_CONFIG: '/x/b.json' }, cwd: folder })).toEqual({
      path: join(folder, 'ops/a.json'),
      source: 'option',
    });
  });

  it('then TOLEM_CONFIG, then ./tolem.config.json when it exists, else null', () => {
    expect(findConfigPath({ env: { TOLEM_CONFIG: 'b.json' }, cwd: folder })).toEqual({
      path: join(folder, 'b.json'),
      source: 'env',
    });
    expect(findConfigPath({ env: { TOLEM_CONFIG: ' ' }, cwd: folder })).toBeNull();
    writeFileSync(join(folder, 'tolem.config.json'), '{}');
    expect(findConfigPath({ env: {}, cwd: folder })).toEqual({
      path: join(folder, 'tolem.config.json'),
      source: 'default',
    });
  });
});

describe('loadTolemConfig', () => {
  it('reads and checks a file without reading any secret; relative paths belong to the file’s folder', async () => {
    mkdirSync(join(folder, 'etc'));
    writeFileSync(join(folder, 'etc', 'tolem.config.json'), JSON.stringify(valid()));
    const config = await loadTolemConfig({ path: 'etc/tolem.config.json', cwd: folder, env: {} });
    expect(config.file).toBe(join(folder, 'etc', 'tolem.config.json'));
    expect(config.folder).toBe(join(folder, 'etc'));
    expect(config.journal).toEqual({ url: 'sqlite:./tolem.db', options: {} });
    expect(config.providers.map((p) => [p.id, p.kind.kind, p.secrets])).toEqual([
      ['vf-a', 'vectrafin', { password: { env: 'VF_A_PASSWORD' } }],
      ['vf-b', 'vectrafin', { password: { file: 'secrets/vf-b.password' } }],
    ]);
    expect(config.providers[0]?.options).not.toHaveProperty('password');
    expect(config.router).toEqual({ finalizer: { escalateAfterMs: 1_800_000 } });
  });

  it('no file anywhere: says the three ways to name one', async () => {
    await expect(loadTolemConfig({ cwd: folder, env: {} })).rejects.toThrow(
      'config: no configuration file: pass --config PATH, set TOLEM_CONFIG, or create ./tolem.config.json',
    );
  });

  it('a file that cannot be read names it and who named it', async () => {
    await expect(loadTolemConfig({ cwd: folder, env: { TOLEM_CONFIG: 'gone.json' } })).rejects.toThrow(
      `config: cannot read ${join(folder, 'gone.json')} (named by TOLEM_CONFIG) (ENOENT)`,
    );
  });

  it('broken JSON, or a key written twice: the line and column', async () => {
    const file = join(folder, 'tolem.config.json');
    writeFileSync(file, '{\n  "journal": "sqlite:x.db",\n  "providers": [,]\n}\n');
    const error = await loadTolemConfig({ cwd: folder, env: {} }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(
      `${file}: (file): not valid JSON at line 3, column 17: Array item expected but got ','`,
    );
    writeFileSync(file, '{ "journal": "sqlite:a.db", "journal": "sqlite:b.db" }');
    await expect(loadTolemConfig({ cwd: folder, env: {} })).rejects.toThrow(
      `${file}: (file): not valid JSON at line 1, column 30: Duplicate key 'journal'`,
    );
  });
});

describe('parseTolemConfig: every refusal names its path in the file', () => {
  it.each<[string, (config: Record<string, unknown>) => void, string, RegExp]>([
    [
      'an inline password',
      (c) => {
        (c.providers as Record<string, unknown>[])[1] = {
          ...(c.providers as Record<string, unknown>[])[1],
          password: 'hunter2-inline',
        };
      },
      'providers[1].password',
      /^an inline password is refused \(a configuration file is copied, committed and pasted into tickets\): name where it is kept instead, \{ "env": "VARIABLE" \} or \{ "file": "path\/to\/file" \}$/,
    ],
    [
      'a missing password',
      (c) => {
        delete (c.providers as Record<string, unknown>[])[0]?.password;
      },
      'providers[0].password',
      /^is required: \{ "env": "VARIABLE" \} or \{ "file": "path\/to\/file" \} \(never the password itself\)$/,
    ],
    [
      'a password source with both env and file',
      (c) => {
        ((c.providers as Record<string, unknown>[])[0] as Record<string, unknown>).password = {
          env: 'A',
          file: 'b',
        };
      },
      'providers[0].password',
      /^exactly one of/,
    ],
    [
      'a bad environment variable name',
      (c) => {
        ((c.providers as Record<string, unknown>[])[0] as Record<string, unknown>).password = {
          env: '1-bad',
        };
      },
      'providers[0].password.env',
      /environment variable name/,
    ],
    [
      'an unknown kind',
      (c) => {
        ((c.providers as Record<string, unknown>[])[1] as Record<string, unknown>).kind = 'acme';
      },
      'providers[1].kind',
      /^unknown kind "acme" \(known: vectrafin\)/,
    ],
    [
      'a misspelt provider option',
      (c) => {
        ((c.providers as Record<string, unknown>[])[0] as Record<string, unknown>).timeoutMS = 5000;
      },
      'providers[0].timeoutMS',
      /^unknown option of a vectrafin provider \(misspelt\?\); known: baseUrl, agentId/,
    ],
    [
      'an option only code can give',
      (c) => {
        ((c.providers as Record<string, unknown>[])[0] as Record<string, unknown>).dispatcher = {};
      },
      'providers[0].dispatcher',
      /^unknown option of a vectrafin provider/,
    ],
    [
      'a duplicate provider id',
      (c) => {
        ((c.providers as Record<string, unknown>[])[1] as Record<string, unknown>).id = 'vf-a';
      },
      'providers[1].id',
      /^duplicate provider id "vf-a"$/,
    ],
    [
      'a provider without an id',
      (c) => {
        delete (c.providers as Record<string, unknown>[])[1]?.id;
      },
      'providers[1].id',
      /^a provider id such as "vf-a" is required$/,
    ],
    [
      'a route to an unknown provider',
      (c) => {
        (c.routes as Record<string, unknown>)['gift.kz'] = [{ provider: 'vf-z', serviceId: '1549' }];
      },
      'routes["gift.kz"][0].provider',
      /^unknown provider "vf-z" \(known: vf-a, vf-b\)$/,
    ],
    [
      'a provider twice in a route',
      (c) => {
        (c.routes as Record<string, unknown>).steam = [
          { provider: 'vf-a', serviceId: '7' },
          { provider: 'vf-a', serviceId: '8' },
        ];
      },
      'routes.steam[1].provider',
      /appears twice in the route/,
    ],
    [
      "a misspelt field of a strategy route's target",
      (c) => {
        (c.routes as Record<string, unknown>).steam = {
          strategy: 'weighted',
          targets: [{ provider: 'vf-a', serviceId: '7', wieght: 2 }],
        };
      },
      'routes.steam.targets[0].wieght',
      /unknown option/,
    ],
    [
      'a strategy route without targets',
      (c) => {
        (c.routes as Record<string, unknown>).steam = { strategy: 'weighted' };
      },
      'routes.steam.targets',
      /an array of/,
    ],
    [
      'a numeric service id',
      (c) => {
        (c.routes as Record<string, unknown>).steam = [{ provider: 'vf-a', serviceId: 7 }];
      },
      'routes.steam[0].serviceId',
      /as a string such as "7"/,
    ],
    [
      'a misspelt section',
      (c) => {
        c.finaliser = {};
      },
      'finaliser',
      /^unknown option \(misspelt\?\)$/,
    ],
    [
      'an instance id, which each process needs its own of',
      (c) => {
        c.instanceId = 'router-1';
      },
      'instanceId',
      /^not a setting of the file: each process needs its own/,
    ],
    [
      'no journal',
      (c) => {
        delete c.journal;
      },
      'journal',
      /^a journal is required/,
    ],
    [
      'a journal object with a stray option',
      (c) => {
        c.journal = { url: 'sqlite:x.db', readonly: true };
      },
      'journal.readonly',
      /^unknown option \(misspelt\?\); known: url, busyTimeoutMs, schema, poolSize$/,
    ],
    [
      'an inline voucher key',
      (c) => {
        c.vouchers = { current: 'k1', keys: { k1: `${'c0ffee'.repeat(10)}beef` } };
      },
      'vouchers.keys.k1',
      /^an inline voucher key is refused/,
    ],
    [
      'no providers',
      (c) => {
        c.providers = [];
      },
      'providers',
      /^at least one provider is required$/,
    ],
  ])('%s', (_, breakIt, path, rule) => {
    const config = valid();
    breakIt(config);
    const error = refusal(config);
    expect(error.option).toBe(path);
    expect(error.rule).toMatch(rule);
    expect(error.message).toBe(`/etc/tolem/tolem.config.json: ${path}: ${error.rule}`);
    // A refused secret is never quoted back.
    expect(error.message).not.toContain('hunter2-inline');
    expect(error.message).not.toContain('c0ffeec0ffee');
  });

  it('a file that is not an object', () => {
    expect(refusal([]).rule).toMatch(/^the file must hold one JSON object/);
  });

  it('accepts "$schema", vouchers: false, an empty routes object, and a journal object', () => {
    const config = parseTolemConfig(
      {
        ...valid(),
        $schema: './tolem.config.schema.json',
        routes: {},
        vouchers: false,
        journal: { url: { env: 'TOLEM_JOURNAL_URL' }, schema: 'payments', poolSize: 4 },
      },
      { folder },
    );
    expect(config.routes).toEqual({});
    expect(config.vouchers).toBe(false);
    expect(config.journal).toEqual({
      url: { env: 'TOLEM_JOURNAL_URL' },
      options: { schema: 'payments', poolSize: 4 },
    });
    expect(config.folder).toBe(folder);
  });
});
