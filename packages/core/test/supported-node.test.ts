import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The Node.js lines tolem supports: 20 is the floor, 22 and 24 are where users are (README). */
const ENGINES = '^20.19.0 || ^22.12.0 || >=24.0.0';
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];

function manifest(folder: string): { name: string; private?: boolean; engines?: { node?: string } } {
  return JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8'));
}

describe('the Node.js this suite runs on', () => {
  it('is the one CI asked for (scripts/node-matrix.mjs sets TOLEM_NODE_MAJOR), and a supported line', () => {
    // Printed so a CI log shows which Node each run really used.
    process.stdout.write(`tests run on Node.js ${process.version} (ABI ${process.versions.modules})\n`);
    const asked = process.env.TOLEM_NODE_MAJOR;
    if (asked !== undefined && asked !== '') expect(major).toBe(Number(asked));
    const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 24;
    expect(supported, `Node.js ${process.version} is outside ${ENGINES}`).toBe(true);
  });

  it('every package, the workspace root and the examples state the same supported versions', () => {
    const folders = [
      '.',
      'examples',
      ...readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}`),
    ];
    const stated = Object.fromEntries(folders.map((folder) => [folder, manifest(folder).engines?.node]));
    expect(stated).toEqual(Object.fromEntries(folders.map((folder) => [folder, ENGINES])));
  });
});
