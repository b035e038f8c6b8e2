import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources through the `@tolem/source` export condition: no build needed.
export default defineConfig({
  resolve: { conditions: ['@tolem/source'] },
  ssr: { resolve: { conditions: ['@tolem/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'templates/*/src/**/*.test.ts',
      'examples/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
