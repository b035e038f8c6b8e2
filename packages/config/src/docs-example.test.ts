import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createFromConfig } from './create-from-config.js';

/** docs/configuration.md's complete example is a real configuration: it builds a router as written. */

const DOC = new URL('../../../docs/configuration.md', import.meta.url);
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tolem-config-doc-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function example(): string {
  const text = readFileSync(DOC, 'utf8');
  const block = /## A complete example\s+```json\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (block === undefined) throw new Error('docs/configuration.md has no complete example');
  return block;
}

it('the complete example of docs/configuration.md builds its router (nothing sent: no call is made)', async () => {
  writeFileSync(join(folder, 'tolem.config.json'), example());
  mkdirSync(join(folder, 'secrets'));
  writeFileSync(join(folder, 'secrets', 'vf-backup.password'), 'backup-pw\n');
  writeFileSync(join(folder, 'secrets', 'voucher-k1.key'), `${randomBytes(32).toString('hex')}\n`);
  const runtime = await createFromConfig({
    path: join(folder, 'tolem.config.json'),
    env: { VF_KZT_PASSWORD: 'kzt-pw', TOLEM_VOUCHER_KEY_K2: randomBytes(32).toString('base64') },
  });
  try {
    expect([...runtime.providers.keys()]).toEqual(['vf-kzt', 'vf-backup']);
    expect(runtime.journalDescription).toBe(`sqlite:${join(folder, 'tolem.db')}`);
    const steam = runtime.config.routes.steam;
    const targets = steam === undefined ? [] : Array.isArray(steam) ? steam : steam.targets;
    expect(targets.map((target) => target.provider)).toEqual(['vf-kzt', 'vf-backup']);
    expect(Array.isArray(steam) ? 'ordered' : steam?.strategy).toBe('weighted');
  } finally {
    await runtime.close();
  }
});
