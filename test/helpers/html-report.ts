// What the HTML report tests share: write event lines to a fresh log and render `asks report --no-cache --html` of it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run } from '../../cli/main.js';

/** One event line as the publisher writes it (`<name>.v1`, version 1). */
export const eventLine = (name: string, detail: Record<string, unknown>): string => JSON.stringify({ source: 'milestone-referral-asks', 'detail-type': `${name}.v1`, detail: { version: 1, ...detail } });

/** The HTML `asks report --no-cache --html` writes for a log of `lines`; fails the test on any stderr or exit code. */
export async function htmlReportOf(lines: readonly string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out = join(dir, 'report.html');
  const result = await run(['report', '--events', file, '--no-cache', '--html', out]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return readFileSync(out, 'utf8');
}
