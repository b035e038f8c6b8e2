#!/usr/bin/env node
/**
 * A new provider package from the template (docs/writing-a-provider.md):
 *
 *   node scripts/new-provider.mjs NAME            (or: npx -y pnpm@10.34.9 run new:provider NAME)
 *
 * copies templates/provider-acme — a complete provider for the made-up Acme API that passes core's
 * conformance suite — to packages/provider-NAME with Acme's names replaced (`acme` → NAME in files,
 * ids and text, `Acme` → its PascalCase, `ACME` → its UPPER_SNAKE_CASE), makes it publishable (no
 * `private`), points its tsconfig at packages/core, and adds it to the root tsconfig's references: the
 * one line outside the folder a new provider needs. Then `pnpm install` links it, `tsc -b` builds it and
 * `vitest run packages/provider-NAME` runs its tests.
 *
 * NAME: lower-case letters and digits, words joined by "-" ("zenith", "kaspi-pay"). A bad or taken
 * name exits 2 with one line and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE = join(ROOT, 'templates', 'provider-acme');
const SKIPPED = new Set(['node_modules', 'dist']);

function refuse(message) {
  process.stderr.write(`new-provider: ${message}\n`);
  process.exit(2);
}

const [name, ...extra] = process.argv.slice(2).filter((arg) => arg !== '--');
if (name === undefined || extra.length > 0) refuse('usage: node scripts/new-provider.mjs NAME (e.g. zenith)');
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 40) {
  refuse(
    `${JSON.stringify(name.slice(0, 40))} is not a name: lower-case letters and digits, words joined by "-" (e.g. zenith, kaspi-pay)`,
  );
}
if (name === 'acme') refuse("acme is the template's own name: give your provider's");
const target = join(ROOT, 'packages', `provider-${name}`);
if (existsSync(target)) refuse(`packages/provider-${name} already exists`);

const words = name.split('-');
const pascal = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
const camel = pascal[0].toLowerCase() + pascal.slice(1);
const upper = words.map((word) => word.toUpperCase()).join('_');

/** Acme's names in a file's text or path, replaced by the new provider's. */
function rename(text) {
  return text
    .replaceAll('ACME', upper)
    .replaceAll('Acme', pascal)
    .replace(/acme(?=[A-Z])/g, camel) // identifiers: acmeModule
    .replace(/(?<![-./@\w])acme(?![-\w])/g, camel) // an identifier of its own: const acme = …; acme.call(…)
    .replaceAll('acme', name); // files, packages, ids, hosts: acme-server.ts, provider-acme, acme-kzt
}

/** What changes besides the names, per file of the template. */
function adapt(file, text) {
  if (file === 'package.json') {
    const manifest = JSON.parse(text);
    delete manifest.private;
    manifest.description = `tolem provider for the ${pascal} API`;
    return `${JSON.stringify(manifest, null, 2)}\n`;
  }
  if (file === 'tsconfig.json') return text.replace('"path": "../../packages/core"', '"path": "../core"');
  if (file === 'README.md')
    return text.replace(/<!-- template-only -->[\s\S]*?<!-- \/template-only -->\n\n?/, '');
  return text;
}

function copy(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
    const source = join(from, entry.name);
    const destination = join(to, rename(entry.name));
    if (entry.isDirectory()) {
      mkdirSync(destination, { recursive: true });
      copy(source, destination);
    } else {
      const file = relative(TEMPLATE, source);
      writeFileSync(destination, rename(adapt(file, readFileSync(source, 'utf8'))));
    }
  }
}

const rootConfigPath = join(ROOT, 'tsconfig.json');
const rootConfig = JSON.parse(readFileSync(rootConfigPath, 'utf8'));
try {
  mkdirSync(target, { recursive: true });
  copy(TEMPLATE, target);
  rootConfig.references.push({ path: `packages/provider-${name}` });
  writeFileSync(rootConfigPath, `${JSON.stringify(rootConfig, null, 2)}\n`);
} catch (error) {
  rmSync(target, { recursive: true, force: true });
  throw error;
}

// The new names sort and wrap differently: let the repository's formatter put the files in order.
const biome = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const formatted =
  existsSync(biome) &&
  spawnSync(process.execPath, [biome, 'check', '--write', target], { cwd: ROOT, stdio: 'ignore' }).status ===
    0;

const shown = relative(process.cwd(), target) || '.';
const steps = [
  ['npx -y pnpm@10.34.9 install', 'links the new package'],
  [
    `npx tsc -b packages/provider-${name}`,
    'builds it (src only: its tests and fake server stay out of dist)',
  ],
  [
    `npx vitest run packages/provider-${name}`,
    `the conformance suite and its own tests, against the fake ${pascal}`,
  ],
];
const width = Math.max(...steps.map(([command]) => command.length));
const nextSteps = steps.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`).join('\n');
process.stdout.write(`created ${shown} (@tolem/provider-${name}) from ${relative(ROOT, TEMPLATE)}, and added it to tsconfig.json
${formatted ? '' : `(not formatted: run npx biome check --write ${shown} after the install)\n`}
next:
${nextSteps}
then make it speak ${pascal}'s real API, file by file: docs/writing-a-provider.md
`);
