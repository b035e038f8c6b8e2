import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `scripts/new-provider.mjs`, followed as docs/writing-a-provider.md says, in a temporary copy of the
 * workspace (deleted afterwards): install, scaffold `packages/provider-zenith-pay`, install again,
 * build it with `tsc -b` (src only: no test, no fake server in dist), type-check and lint its tests,
 * and run them with vitest — core's provider conformance suite among them. The packages come from
 * pnpm's store (`--prefer-offline`: only the registry's metadata of a dependency the store has never
 * resolved is fetched).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PNPM = ['-y', 'pnpm@10.34.9'];
const NAME = 'zenith-pay';
const PACKAGE = `packages/provider-${NAME}`;
/** Not copied: installs, builds and the repository's history. */
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', '.tmp', 'coverage']);

let workspace: string;

function run(command: string, args: readonly string[], cwd = workspace) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Runs a Node script of the copy's own install (typescript, vitest, biome). */
function node(script: string, args: readonly string[]) {
  return run(process.execPath, [join(workspace, script), ...args]);
}

function expectOk(result: { code: number | null; output: string }, what: string): string {
  if (result.code !== 0)
    throw new Error(`${what} failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
  return result.output;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'tolem-new-provider-'));
  cpSync(ROOT, workspace, {
    recursive: true,
    filter: (source) => {
      const name = source.slice(source.lastIndexOf('/') + 1);
      return !LEFT_OUT.has(name) && !name.endsWith('.tsbuildinfo');
    },
  });
  // A clone, installed as the README says (from the lockfile; the scripts' builds are not needed here).
  expectOk(
    run('npx', [...PNPM, 'install', '--frozen-lockfile', '--offline', '--ignore-scripts']),
    'the first install',
  );
}, 300_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('scripts/new-provider.mjs', () => {
  it.each([
    [[], /usage: node scripts\/new-provider\.mjs NAME/],
    [['Zenith'], /"Zenith" is not a name/],
    [['zenith_pay'], /"zenith_pay" is not a name/],
    [['acme'], /acme is the template's own name/],
    [['vectrafin'], /packages\/provider-vectrafin already exists/],
    [['a', 'b'], /usage:/],
  ])('%o: exit 2, one line, nothing written', (args, message) => {
    const before = readFileSync(join(workspace, 'tsconfig.json'), 'utf8');
    const folders = readdirSync(join(workspace, 'packages'));
    const result = run(process.execPath, ['scripts/new-provider.mjs', ...args]);
    expect(result.code).toBe(2);
    expect(result.output.trim().split('\n')).toHaveLength(1);
    expect(result.output).toMatch(message);
    expect(readFileSync(join(workspace, 'tsconfig.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(workspace, 'packages'))).toEqual(folders);
  });

  it('scaffolds a provider package that installs, builds without its tests, and passes the conformance suite', () => {
    const created = expectOk(run(process.execPath, ['scripts/new-provider.mjs', NAME]), 'the scaffold');
    expect(created).toContain(`created ${PACKAGE} (@tolem/provider-${NAME})`);
    expect(created).not.toContain('not formatted');

    // Everything under the new names; nothing of Acme left.
    const folder = join(workspace, PACKAGE);
    const files = filesUnder(folder).sort();
    expect(files).toContain('src/status-table.ts');
    expect(files).toContain(`test/${NAME}-server.ts`);
    for (const file of files) {
      expect(file).not.toMatch(/acme/i);
      expect(readFileSync(join(folder, file), 'utf8'), file).not.toMatch(/acme/i);
    }
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: `@tolem/provider-${NAME}`,
      exports: { '.': { '@tolem/source': './src/index.ts' } },
    });
    expect(manifest.private).toBeUndefined();
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).not.toContain('template');
    const references = JSON.parse(readFileSync(join(workspace, 'tsconfig.json'), 'utf8')).references;
    expect(references).toContainEqual({ path: PACKAGE });
    const source = readFileSync(join(folder, 'src', 'index.ts'), 'utf8');
    for (const name of ['createZenithPayProvider', 'zenithPayModule', 'ZENITH_PAY_STATUS_TABLE']) {
      expect(source).toContain(name);
    }

    expectOk(
      run('npx', [...PNPM, 'install', '--no-frozen-lockfile', '--prefer-offline', '--ignore-scripts']),
      'the install of the new package',
    );
    expect(readFileSync(join(workspace, 'pnpm-lock.yaml'), 'utf8')).toContain(`  ${PACKAGE}:`);

    expectOk(node('node_modules/typescript/bin/tsc', ['-b', PACKAGE]), 'tsc -b');
    const built = filesUnder(join(folder, 'dist'));
    expect(built).toContain('index.js');
    expect(built).toContain('index.d.ts');
    for (const file of built) {
      expect(file, 'dist holds the sources only').not.toMatch(/test|server/);
      expect(readFileSync(join(folder, 'dist', file), 'utf8'), file).not.toContain('startZenithPayServer');
    }

    writeFileSync(
      join(workspace, 'tsconfig.scaffold.json'),
      JSON.stringify({
        extends: './tsconfig.test.json',
        include: [`${PACKAGE}/src/**/*.test.ts`, `${PACKAGE}/test/**/*.ts`],
      }),
    );
    expectOk(
      node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.scaffold.json']),
      'type-checking its tests',
    );
    expectOk(node('node_modules/@biomejs/biome/bin/biome', ['check', PACKAGE]), 'biome');

    const report = join(workspace, 'vitest-report.json');
    expectOk(
      node('node_modules/vitest/vitest.mjs', ['run', PACKAGE, '--reporter=json', `--outputFile=${report}`]),
      'its tests',
    );
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      numPendingTests: number;
      testResults: { assertionResults: { fullName: string; status: string }[] }[];
    };
    const tests = results.testResults.flatMap((file) => file.assertionResults);
    expect(results.numFailedTests).toBe(0);
    expect(results.numPendingTests).toBe(0);
    const conformance = tests.filter((test) => test.fullName.includes('PaymentProvider conformance'));
    expect(conformance.length).toBeGreaterThan(20);
    expect(conformance.every((test) => test.status === 'passed')).toBe(true);
    expect(existsSync(join(folder, 'node_modules', '@tolem', 'core'))).toBe(true);
  }, 300_000);
});
