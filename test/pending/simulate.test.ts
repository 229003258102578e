// The simulation's invariants in full, including those whose fixes have not landed yet (see
// test/integration/simulate/helpers.ts PENDING_INVARIANTS). Not part of `npm test` until they pass:
// `npm run test:pending`.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../local/simulate.js';
import { describeViolations } from '../integration/simulate/helpers.js';

describe('asks simulate, 14 days, every invariant', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed} with crashes, throttling and kills: zero violations`, { timeout: 240_000 }, async () => {
      const report = await simulate({ days: 14, seed, customers: 14, faults: { crash: 0.3, throttle: 0.3, kill: 0.2 } });
      expect(describeViolations(report.violations)).toBe('');
    });
  }
});
