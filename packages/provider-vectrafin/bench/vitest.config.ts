import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm --filter @tolem/provider-vectrafin bench`: the codec benchmark, on the sources like the tests.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  resolve: { conditions: ['@tolem/source'] },
  ssr: { resolve: { conditions: ['@tolem/source'] } },
  test: {
    include: [],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    pool: 'forks',
  },
});
