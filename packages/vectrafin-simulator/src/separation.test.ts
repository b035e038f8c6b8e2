import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The simulator and the client are kept apart on purpose (README): the simulator is written from the
 * provider's documentation, so that a bug in the client fails a test instead of being served back to
 * it; and the provider does not carry the simulator into production.
 */

const packages = fileURLToPath(new URL('../../', import.meta.url));

function sources(folder: string, withTests: boolean): string[] {
  return readdirSync(join(packages, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && (withTests || !file.endsWith('.test.ts')))
    .map((file) => join(packages, folder, file));
}

/** Every module specifier a file imports or re-exports. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
}

describe('the simulator and the client', () => {
  it('the simulator, tests included, imports nothing of @tolem/provider-vectrafin', () => {
    const files = sources('vectrafin-simulator/src', true);
    expect(files.length).toBeGreaterThan(20);
    const crossing = files.flatMap((file) =>
      imports(file)
        .filter((specifier) => /provider-vectrafin/.test(specifier))
        .map((specifier) => `${relative(packages, file)}: ${specifier}`),
    );
    expect(crossing).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(packages, 'vectrafin-simulator/package.json'), 'utf8'));
    expect(JSON.stringify(manifest)).not.toContain('provider-vectrafin');
  });

  it('the provider takes the simulator for its tests only, never at run time', () => {
    const files = sources('provider-vectrafin/src', false);
    expect(files.length).toBeGreaterThan(10);
    const crossing = files.flatMap((file) =>
      imports(file)
        .filter((specifier) => /vectrafin-simulator/.test(specifier))
        .map((specifier) => `${relative(packages, file)}: ${specifier}`),
    );
    expect(crossing).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(packages, 'provider-vectrafin/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@tolem/vectrafin-simulator');
    expect(Object.keys(manifest.peerDependencies ?? {})).not.toContain('@tolem/vectrafin-simulator');
    expect(Object.keys(manifest.devDependencies ?? {})).toContain('@tolem/vectrafin-simulator');
  });
});
