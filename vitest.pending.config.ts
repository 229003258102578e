import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:pending`: the checks whose fixes have not landed yet (kept out of `npm test` until they pass).
export default mergeConfig(base, defineConfig({ test: { include: ['test/pending/**/*.test.ts'], exclude: [] } }));
