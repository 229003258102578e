// One rule for dates and instants in every command's arguments: an impossible calendar date (2026-02-30, 2026-11-31)
// or instant exits 2 naming the option, whichever command it is given to.
import { describe, expect, it } from 'vitest';
import { checkInstant, checkLocalDate } from '../../../cli/args.js';
import { run } from '../../../cli/main.js';
import { CliError } from '../../../cli/output.js';

describe('checkLocalDate and checkInstant', () => {
  it('accept real calendar dates and instants, instants normalised to UTC', () => {
    expect(checkLocalDate('--date', '2028-02-29')).toBe('2028-02-29');
    expect(checkInstant('--at', '2026-03-08T01:30:00+01:00')).toBe('2026-03-08T00:30:00.000Z');
  });

  it('refuse impossible or malformed values with a usage error naming the option', () => {
    for (const bad of ['2026-02-29', '2026-11-31', '2026-13-01', '14.03.2026', '2026-3-1']) {
      expect(() => checkLocalDate('--from', bad)).toThrow(CliError);
      expect(() => checkLocalDate('--from', bad)).toThrow(/^--from: /);
    }
    for (const bad of ['2026-02-30T00:00:00Z', '2026-03-08T25:00:00Z', '2026-03-08T10:00:00', 'yesterday']) expect(() => checkInstant('--at', bad)).toThrow(/^--at: /);
  });
});

describe('every command refuses an impossible date with exit 2, naming the option', () => {
  const cases: Array<[string[], string]> = [
    [['plan', 'signup-anniversary', '--date', '2026-02-30'], '--date'],
    [['explain', 'cx-1', 'signup-anniversary', '--date', '2026-02-31'], '--date'],
    [['run', 'signup-anniversary', '--date', '2026-11-31'], '--date'],
    [['run', 'signup-anniversary', '--from', '2026-02-30T00:00:00Z', '--to', '2026-03-02T00:00:00Z'], '--from'],
    [['preview', 'signup-anniversary', '--date', '2026-02-29'], '--date'],
    [['seed', '--today', '2026-04-31'], '--today'],
    [['simulate', '--start', '2026-06-31'], '--start'],
    [['rewards', 'approve-due', '--at', '2026-02-30T10:00:00Z'], '--at'],
    [['report', '--from', '2026-11-31'], '--from'],
    [['report', '--to', '2026-02-29'], '--to'],
  ];
  it.each(cases)('%j', async (argv, flag) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${flag}: must be`);
  });
});

describe('an unknown campaign is not found (exit 1, naming it), not a usage error', () => {
  const cases: string[][] = [
    ['plan', 'nope', '--date', '2026-03-14'],
    ['explain', 'cx-1', 'nope', '--date', '2026-03-14'],
    ['preview', 'nope'],
    ['report', 'nope'],
    ['report', 'nope', '--json'],
    ['runs', 'nope'],
  ];
  it.each(cases)('%j', async (...argv) => {
    const result = await run(argv);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/campaign "nope"/);
  });
});
