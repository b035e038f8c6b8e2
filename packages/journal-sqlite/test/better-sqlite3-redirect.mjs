/**
 * `node --import ./better-sqlite3-redirect.mjs …`: the process imports better-sqlite3 from the folder
 * in TOLEM_TEST_BETTER_SQLITE3 (a copy made by better-sqlite3-copy.ts) instead of the installed one,
 * so a test can run the real journal code on a native module built for another Node, or on none.
 */
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const folder = process.env.TOLEM_TEST_BETTER_SQLITE3;
if (folder === undefined || folder === '') throw new Error('TOLEM_TEST_BETTER_SQLITE3 is not set');
const entry = pathToFileURL(join(folder, 'lib', 'index.js')).href;
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === 'better-sqlite3') return { url: ${JSON.stringify(entry)}, shortCircuit: true };
      return next(specifier, context);
    }`)}`,
);
