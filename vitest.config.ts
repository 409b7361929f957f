import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src/cache.cts (CommonJS, shared by the bin and the command line) is TypeScript too.
  oxc: { include: /\.[cm]?tsx?$/ },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
