import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm --filter @tolem/metrics bench`: the benchmark runs on the sources, like the tests, but alone.
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  resolve: { conditions: ['@tolem/source'] },
  ssr: { resolve: { conditions: ['@tolem/source'] } },
  test: {
    include: ['packages/metrics/bench/**/*.bench.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
