import { defineConfig } from 'vitest/config';

// `npm run test:pending`: the checks whose fixes have not landed yet (kept out of `npm test` until they pass).
export default defineConfig({
  test: {
    include: ['test/pending/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
