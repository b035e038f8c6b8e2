/**
 * Copies of the installed better-sqlite3 with a chosen native module (one built for another Node, none,
 * or a damaged one), for the tests of what the journal says when it cannot load SQLite. A process
 * started with `--import better-sqlite3-redirect.mjs` and TOLEM_TEST_BETTER_SQLITE3 uses the copy.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));
/** The installed package (its real folder under node_modules/.pnpm). */
export const INSTALLED = dirname(realpathSync(require.resolve('better-sqlite3/package.json')));
export const REDIRECT = fileURLToPath(new URL('./better-sqlite3-redirect.mjs', import.meta.url));

/** The ABI a native module was built for, from its registration symbol. */
export function moduleAbi(file: string): string | null {
  return /node_register_module_v(\d+)/.exec(readFileSync(file, 'latin1'))?.[1] ?? null;
}

function modulesIn(folder: string, depth: number): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return depth > 0 ? modulesIn(path, depth - 1) : [];
    return entry.name === 'better_sqlite3.node' ? [path] : [];
  });
}

/**
 * A better-sqlite3 native module built for a Node other than this one: one already on disk (the
 * install-time build, the ABI slots and cache of scripts/node-matrix.mjs), or else built now for
 * another Node line by that script (fetched from the npm registry and compiled: minutes, once).
 */
export function foreignModule(): { file: string; abi: string } {
  const candidates = [
    join(INSTALLED, 'build', 'Release', 'better_sqlite3.node'),
    ...modulesIn(join(INSTALLED, 'lib', 'binding'), 1),
    ...modulesIn(join(ROOT, 'node_modules', '.cache', 'tolem-native'), 2),
  ].filter((file) => existsSync(file));
  for (const file of candidates) {
    const abi = moduleAbi(file);
    if (abi !== null && abi !== process.versions.modules) return { file, abi };
  }
  const other = process.versions.node.startsWith('22.') ? '24' : '22';
  const file = execFileSync(process.execPath, [join(ROOT, 'scripts', 'node-matrix.mjs'), 'build', other], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return { file, abi: moduleAbi(file) as string };
}

/**
 * `<dir>/node_modules/better-sqlite3`: the installed package's JavaScript and `native` as its
 * build/Release/better_sqlite3.node (none when null). Returns the package folder.
 */
export function betterSqlite3Copy(dir: string, native: string | Buffer | null): string {
  const modules = join(dir, 'node_modules');
  const copy = join(modules, 'better-sqlite3');
  mkdirSync(copy, { recursive: true });
  cpSync(join(INSTALLED, 'package.json'), join(copy, 'package.json'));
  // Not lib/binding: the ABI slots scripts/node-matrix.mjs fills would let the copy find a working module.
  const slots = join(INSTALLED, 'lib', 'binding');
  cpSync(join(INSTALLED, 'lib'), join(copy, 'lib'), {
    recursive: true,
    filter: (src) => !src.startsWith(slots),
  });
  // Its own dependency, as installed.
  symlinkSync(
    dirname(realpathSync(createRequire(join(INSTALLED, 'package.json')).resolve('bindings'))),
    join(modules, 'bindings'),
  );
  if (native !== null) {
    const release = join(copy, 'build', 'Release');
    mkdirSync(release, { recursive: true });
    if (typeof native === 'string') cpSync(native, join(release, 'better_sqlite3.node'));
    else writeFileSync(join(release, 'better_sqlite3.node'), native);
  }
  return copy;
}
