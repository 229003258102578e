// EventBridge Scheduler cron bodies: what the validator accepts and what it explains.
import { describe, expect, it } from 'vitest';
import { validateEventBridgeCron } from '../../../adapters/campaign-files.js';

describe('validateEventBridgeCron', () => {
  it.each([
    '0 * * * ? *',
    '0 9 ? * MON-FRI *',
    '0/15 * * * ? *',
    '0 10 L * ? *',
    '0 10 ? * 6#3 *',
    'cron(0 10 1,15 * ? 2026)',
    '30 8 ? JAN-MAR SUN *',
  ])('accepts %s', (expression) => {
    expect(validateEventBridgeCron(expression)).toBeUndefined();
  });

  it.each([
    ['0 10 * * *', /six fields/],
    ['0 10 ? * ? *', /can't both be "\?"/],
    ['61 * * * ? *', /minutes "61" is out of range/],
    ['0 * * 13 ? *', /month "13" is out of range/],
    ['0 * * * FUNDAY *', /day-of-week "FUNDAY"/],
    ['? * * * * *', /only allowed in day-of-month or day-of-week/],
  ])('rejects %s', (expression, message) => {
    expect(validateEventBridgeCron(expression)).toMatch(message);
  });
});
