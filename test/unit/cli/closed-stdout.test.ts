// A reader that closes the pipe early (`asks report | head`) must end the command quietly with exit 0, for every
// command: the shared output sink (cli/output.ts) handles the stream's EPIPE. Real processes, stdout closed before
// the command writes, so the write always meets a closed pipe.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runClosed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout', () => {
  it('ends `asks report` quietly with exit 0 (no EPIPE stack trace)', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'closed-stdout-')), 'events.jsonl');
    writeFileSync(log, `${JSON.stringify({ 'detail-type': 'referral.ask.sent.v1', detail: { occurredAt: '2026-11-02T10:00:00Z', askId: 'a~m', campaignId: 'signup-anniversary', runDate: '2026-11-02', channel: 'email' } })}\n`);
    const r = await runClosed(['report', '--events', log, '--no-cache']);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('ends another command (--help) the same way', async () => {
    const r = await runClosed(['--help']);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.code).toBe(0);
  }, 30_000);
});
