#!/usr/bin/env node
/**
 * The packages as a user gets them from the registry, checked before they are published:
 *
 *   1. pack every package under packages/ (pnpm pack: `workspace:` ranges become versions);
 *   2. look inside each tarball: LICENSE, README and dist present; no build cache (.tsbuildinfo), no
 *      test, fixture or test-support file; no `workspace:` left in package.json;
 *   3. lint each tarball with publint (warnings fail too) and @arethetypeswrong/cli;
 *   4. install the tarballs with npm into a scratch project in a temporary folder outside the
 *      workspace (third-party dependencies from npm's cache, else the registry), then from there:
 *      compile examples/quick-start against the installed types and run it on the simulator, and run
 *      `tolem demo` through the installed bin, on each Node given (default: this one).
 *
 *   node scripts/check-packages.mjs [--nodes 20,22,24] [--keep]
 *
 * Needs the workspace installed and built (`pnpm install` builds). For --nodes beyond this Node, the
 * builds of scripts/node-matrix.mjs are reused (`prepare` runs first if they are missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PNPM = ['-y', 'pnpm@10.34.9'];
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const nodesFlag = args.indexOf('--nodes');
const floor = process.versions.node.split('.')[0];
const nodes = nodesFlag === -1 ? [floor] : (args[nodesFlag + 1] ?? '').split(',').filter(Boolean);

const problems = [];
function problem(message) {
  problems.push(message);
  process.stderr.write(`check-packages: ✗ ${message}\n`);
}
function step(message) {
  process.stderr.write(`check-packages: ${message}\n`);
}
function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', ...options });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, error: result.error };
}

const packages = readdirSync(join(ROOT, 'packages'))
  .map((folder) => ({
    folder,
    manifest: JSON.parse(readFileSync(join(ROOT, 'packages', folder, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => manifest.private !== true);
for (const { folder } of packages) {
  if (!existsSync(join(ROOT, 'packages', folder, 'dist', 'index.js'))) {
    throw new Error(`packages/${folder}/dist is missing: build first (npx -y pnpm@10.34.9 run build)`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'tolem-packages-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);

// 1. Pack.
step(`packing ${packages.length} packages into ${tarballs}`);
execFileSync('npx', [...PNPM, '-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const files = readdirSync(tarballs).filter((name) => name.endsWith('.tgz'));
if (files.length !== packages.length)
  problem(`expected ${packages.length} tarballs, got ${files.join(', ')}`);

// 2. Contents.
const FORBIDDEN = [
  [/\.tsbuildinfo$/, 'a TypeScript build cache'],
  [/\.(test|spec|bench)\.[cm]?[jt]s$|\.(test|spec)\.d\.[cm]?ts$|\.test\.ya?ml$/, 'a test file'],
  [
    /\/(test|tests|__tests__|test-support|fixtures|coverage|\.cache|node_modules)\//,
    'a test, fixture or cache folder',
  ],
];
for (const file of files) {
  const tarball = join(tarballs, file);
  const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const entry of entries) {
    for (const [pattern, what] of FORBIDDEN) if (pattern.test(entry)) problem(`${file}: ${entry} is ${what}`);
  }
  for (const required of [
    'package/LICENSE',
    'package/README.md',
    'package/package.json',
    'package/dist/index.js',
  ]) {
    if (!entries.includes(required)) problem(`${file}: ${required} is missing`);
  }
  const manifestText = execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' });
  if (manifestText.includes('workspace:')) problem(`${file}: package.json still has a workspace: range`);
  const manifest = JSON.parse(manifestText);
  if (manifest.license !== 'MIT') problem(`${file}: license is ${manifest.license}, not MIT`);
  if (entries.includes('package/LICENSE')) {
    const licence = execFileSync('tar', ['xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' });
    if (licence !== readFileSync(join(ROOT, 'LICENSE'), 'utf8'))
      problem(`${file}: LICENSE differs from the root's`);
  }
  step(`${file}: ${entries.length} files, contents clean`);

  // 3. Lint. publint --strict: its warnings fail too.
  const publint = run(join(ROOT, 'node_modules', '.bin', 'publint'), ['run', tarball, '--strict']);
  if (publint.code !== 0) problem(`${file}: publint:\n${publint.output}`);
  // ESM-only on purpose: the esm-only profile leaves out the node10 and require-from-CommonJS
  // resolutions, which no ESM-only package can satisfy (Node 20.19+ can still require() it).
  const attw = run(join(ROOT, 'node_modules', '.bin', 'attw'), [
    tarball,
    '--profile',
    'esm-only',
    '--format',
    'table',
    '--no-emoji',
    '--no-color',
  ]);
  if (attw.code !== 0) problem(`${file}: @arethetypeswrong/cli:\n${attw.output}`);
}

// 4. A user's project, outside the workspace.
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(
  join(project, 'package.json'),
  `${JSON.stringify({ name: 'tolem-user', private: true, type: 'module' }, null, 2)}\n`,
);
const typesNode = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies['@types/node'];
step(`installing the tarballs into ${project} (npm, third-party packages from its cache first)`);
const nodePrefix = dirname(dirname(process.execPath));
const install = run(
  'npm',
  [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    ...files.map((file) => join(tarballs, file)),
    `@types/node@${typesNode}`,
  ],
  {
    cwd: project,
    env: {
      ...process.env,
      // better-sqlite3 compiles here; the prebuilt download it tries first needs GitHub. The headers
      // are those of the Node running this script (its install prefix), so nothing is downloaded.
      npm_config_build_from_source: 'true',
      npm_config_nodedir: nodePrefix,
    },
  },
);
if (install.code !== 0) throw new Error(`npm install failed:\n${install.output}`);

for (const folder of readdirSync(join(project, 'node_modules', '@tolem'))) {
  const text = readFileSync(join(project, 'node_modules', '@tolem', folder, 'package.json'), 'utf8');
  if (text.includes('workspace:')) problem(`installed @tolem/${folder} has a workspace: range`);
}

// The quick start, type-checked against the installed declarations (strict, library checks on), then
// run; beside it every public entry point, so each package's declarations compile with the
// dependencies it declares (a types package left in devDependencies fails here).
cpSync(join(ROOT, 'examples', 'quick-start', 'quick-start.ts'), join(project, 'quick-start.ts'));
const entryPoints = packages.flatMap(({ manifest }) =>
  Object.entries(manifest.exports ?? {})
    .filter(([subpath, target]) => !subpath.includes('*') && typeof target === 'object')
    .map(([subpath]) => `${manifest.name}${subpath.slice(1)}`),
);
writeFileSync(
  join(project, 'entry-points.ts'),
  `${entryPoints.map((name, i) => `import type * as entry${i} from '${name}';`).join('\n')}\nexport type Entries = [${entryPoints.map((_, i) => `typeof entry${i}`).join(', ')}];\n`,
);
writeFileSync(
  join(project, 'tsconfig.json'),
  `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        types: ['node'],
        outDir: 'out',
      },
      files: ['quick-start.ts', 'entry-points.ts'],
    },
    null,
    2,
  )}\n`,
);
const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project]);
if (tsc.code !== 0)
  problem(`the quick start does not compile against the installed packages:\n${tsc.output}`);

if (nodes.some((major) => major !== floor)) {
  const betterSqlite3 = join(project, 'node_modules', 'better-sqlite3');
  execFileSync(
    process.execPath,
    [join(ROOT, 'scripts', 'node-matrix.mjs'), 'place', betterSqlite3, ...nodes],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

for (const major of nodes) {
  const node =
    major === floor
      ? process.execPath
      : execFileSync(process.execPath, [join(ROOT, 'scripts', 'node-matrix.mjs'), 'node', major], {
          encoding: 'utf8',
        }).trim();
  const env = { PATH: `${dirname(node)}:${process.env.PATH}`, HOME: process.env.HOME ?? '' };
  const quick = run(node, [join(project, 'out', 'quick-start.js')], { cwd: project, env });
  const last = quick.output.trim().split('\n').at(-1) ?? '';
  if (quick.code !== 0 || !last.includes('"state":"succeeded"')) {
    problem(`Node ${major}: the quick start did not succeed (exit ${quick.code}):\n${quick.output}`);
  } else step(`Node ${major}: quick start from the installed packages: ${last}`);

  // The bin as a user's shell runs it: its `#!/usr/bin/env node` finds this Node first on PATH.
  const demo = run(join(project, 'node_modules', '.bin', 'tolem'), ['demo'], { cwd: project, env });
  if (demo.code !== 0 || !demo.output.includes('Every payment reached the state it should')) {
    problem(
      `Node ${major}: \`tolem demo\` from the installed bin failed (exit ${demo.code}):\n${demo.output}`,
    );
  } else step(`Node ${major}: \`tolem demo\` from the installed bin: exit 0, every payment as expected`);
}

if (keep) step(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (problems.length > 0) {
  process.stderr.write(`check-packages: ${problems.length} problem(s)\n`);
  process.exit(1);
}
step('the packages install and run as a user gets them');
