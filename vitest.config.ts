import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every AWS call a function makes during this run is recorded here (adapters/aws-clients.ts), one file per worker;
// the least-privilege project runs after all other tests and compares the record with the synthesized grants.
process.env.AWS_CALL_LOG_DIR ??= mkdtempSync(join(tmpdir(), 'referral-asks-aws-calls-'));
const LAST = ['test/least-privilege/**/*.test.ts'];

// One runner for unit, integration (local servers on 127.0.0.1), infra (synth) and e2e (Chromium) tests.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { AWS_CALL_LOG_DIR: process.env.AWS_CALL_LOG_DIR },
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...LAST, 'node_modules/**'], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'least-privilege', include: LAST, sequence: { groupOrder: 1 } } },
    ],
  },
});
