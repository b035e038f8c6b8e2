import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { betterSqlite3Copy, foreignModule, REDIRECT } from '../test/better-sqlite3-copy.js';

// The child runs the TypeScript sources through tsx (installed for the examples workspace package).
const tsxLoader = pathToFileURL(
  createRequire(new URL('../../../examples/package.json', import.meta.url)).resolve('tsx'),
).href;
const child = fileURLToPath(new URL('../test/open-journal.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tolem-journal-unavailable-'));
// Another user may have to reach into it (the read-only tests under root).
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Opened {
  opened?: true;
  name?: string;
  code?: string;
  reason?: string;
  option?: string;
  message?: string;
}

/**
 * Opens a journal at `path` in a process of its own and returns what it printed. `betterSqlite3` puts
 * that copy in place of the installed package; `unprivileged` runs it as `nobody` (root ignores
 * file modes, so a read-only folder is read-only only to another user).
 */
function openInChild(
  path: string,
  options: { betterSqlite3?: string; unprivileged?: boolean } = {},
): Promise<Opened & { stderr: string }> {
  const args = ['--conditions=@tolem/source', '--import', tsxLoader];
  if (options.betterSqlite3 !== undefined) args.push('--import', pathToFileURL(REDIRECT).href);
  const env = { ...process.env, TOLEM_TEST_BETTER_SQLITE3: options.betterSqlite3 ?? '' };
  const asNobody = options.unprivileged === true && process.getuid?.() === 0;
  const proc = spawn(process.execPath, [...args, child, path], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr}`));
      resolve({ ...(JSON.parse(stdout) as Opened), stderr });
    });
  });
}

let copies = 0;
function copyWith(native: string | Buffer | null): string {
  return betterSqlite3Copy(join(dir, `copy-${copies++}`), native);
}

describe('a better-sqlite3 native module this Node cannot use', () => {
  it('built for another Node.js: JournalUnavailableError native_module_other_node, one line naming both ABIs and the rebuild', async () => {
    const foreign = foreignModule();
    expect(foreign.abi).not.toBe(process.versions.modules);
    const path = join(dir, 'other-node.db');
    const result = await openInChild(path, { betterSqlite3: copyWith(foreign.file) });
    expect(result).toMatchObject({
      name: 'JournalUnavailableError',
      code: 'TOLEM_JOURNAL_UNAVAILABLE',
      reason: 'native_module_other_node',
    });
    expect(result.message).toBe(
      `better-sqlite3's native module was built for another Node.js (ABI ${foreign.abi}; Node.js ${process.version} needs ${process.versions.modules}): rebuild it for this Node.js with \`npm rebuild better-sqlite3\` (pnpm: \`pnpm rebuild better-sqlite3\`)`,
    );
    // Not blamed on the path any more, and nothing was created.
    expect(result.message).not.toContain(path);
    expect(existsSync(path)).toBe(false);
  }, 600_000);

  it('never built (no toolchain at install): native_module_missing, saying what the build needs and how to run it', async () => {
    const path = join(dir, 'missing.db');
    const result = await openInChild(path, { betterSqlite3: copyWith(null) });
    expect(result).toMatchObject({
      name: 'JournalUnavailableError',
      code: 'TOLEM_JOURNAL_UNAVAILABLE',
      reason: 'native_module_missing',
    });
    expect(result.message).toBe(
      `better-sqlite3's native module was never built for Node.js ${process.version} (its install script needs python3, make and a C++ compiler, and pnpm 10 runs it only once allowed by \`pnpm approve-builds\`): install those, then \`npm rebuild better-sqlite3\` (pnpm: \`pnpm rebuild better-sqlite3\`)`,
    );
    expect(existsSync(path)).toBe(false);
  });

  it('damaged (not a shared library): native_module_unloadable, with the loader’s own reason on the same line', async () => {
    const result = await openInChild(join(dir, 'damaged.db'), {
      betterSqlite3: copyWith(Buffer.from('not a shared library, only text\n')),
    });
    expect(result).toMatchObject({ name: 'JournalUnavailableError', reason: 'native_module_unloadable' });
    expect(result.message).toMatch(
      /^better-sqlite3's native module cannot be loaded by Node\.js v[\d.]+ on linux-x64 \(.*better_sqlite3\.node: (invalid ELF header|file too short)\): reinstall it here with `npm rebuild better-sqlite3`/,
    );
    expect(result.message).not.toContain('\n');
  });

  it('the installed one loads: the same child opens a journal (the copies above are what fails)', async () => {
    const path = join(dir, 'installed.db');
    expect(await openInChild(path)).toMatchObject({ opened: true });
    expect(existsSync(path)).toBe(true);
  });
});

describe('a journal folder the process cannot write', () => {
  it('a read-only folder: ConfigError on path saying so and what to do, before SQLite tries', async () => {
    const folder = join(dir, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    const result = await openInChild(join(folder, 'tolem.db'), { unprivileged: true });
    expect(result).toMatchObject({ name: 'ConfigError', code: 'TOLEM_CONFIG', option: 'path' });
    expect(result.message).toBe(
      `path: the folder ${folder} is read-only (EACCES): give this process write access to it, or choose a path in a writable folder`,
    );
    expect(existsSync(join(folder, 'tolem.db'))).toBe(false);
  });

  it('a read-only journal file in a writable folder: ConfigError on path naming the file', async () => {
    const folder = join(dir, 'writable');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const file = join(folder, 'tolem.db');
    writeFileSync(file, '');
    chmodSync(file, 0o444);
    const result = await openInChild(file, { unprivileged: true });
    expect(result).toMatchObject({ name: 'ConfigError', option: 'path' });
    expect(result.message).toBe(
      `path: ${file} is read-only (EACCES): give this process write access to it, or choose a path in a writable folder`,
    );
  });

  it('the same folder made writable: the journal opens (the rights were the cause)', async () => {
    const folder = join(dir, 'made-writable');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    expect(await openInChild(join(folder, 'tolem.db'), { unprivileged: true })).toMatchObject({
      opened: true,
    });
  });
});
