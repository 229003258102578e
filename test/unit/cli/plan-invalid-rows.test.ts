// `asks plan --customers <export.jsonl>` names the rows it could not use, by line and field, as `asks import` does; it
// used to say only "2 rows were not valid customers and were ignored".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

describe('asks plan --customers with bad rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asks-plan-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'customers.jsonl');
  writeFileSync(
    file,
    [
      JSON.stringify({ id: 'p1', firstName: 'Ada', email: 'ada@example.com', timezone: 'UTC', country: 'DE', signupDate: '2025-12-01', consents: { email: true } }),
      '',
      JSON.stringify({ id: 'p2', firstName: 'Bo', timezone: 'Mars/Base', signupDate: '2025-12-01' }),
      'not json',
      '[1, 2]',
    ].join('\n'),
  );

  it('lists each bad row by line with the field and problem, still plans the good ones', async () => {
    const r = await run(['plan', 'signup-anniversary', '--customers', file, '--date', '2026-12-01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 would be asked/);
    expect(r.stdout).toContain('3 rows were not valid customers and ignored:');
    expect(r.stdout).toMatch(/^ {2}line 3: timezone: /m);
    expect(r.stdout).toMatch(/^ {2}line 4: \(row\): not JSON/m);
    expect(r.stdout).toMatch(/^ {2}line 5: \(row\): must be a JSON object/m);
  });

  it('gives them to programs in --json', async () => {
    const r = await run(['plan', 'signup-anniversary', '--customers', file, '--date', '2026-12-01', '--json']);
    const plan = JSON.parse(r.stdout) as { invalidRows: number; invalid: Array<{ line: number; errors: string[] }> };
    expect(plan.invalidRows).toBe(3);
    expect(plan.invalid.map((x) => x.line)).toEqual([3, 4, 5]);
    expect(plan.invalid[0]!.errors).toEqual([expect.stringMatching(/^timezone: /)]);
  });
});
