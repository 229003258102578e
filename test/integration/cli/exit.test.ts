// A one-shot `asks` command ends its process when its work is done, even when a library left a timer behind (the
// local Step Functions interpreter keeps a Task's 330 s timeout timer for a handler a simulated kill left pending).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs bin/asks.js with a preloaded 10-minute timer; resolves with the exit code and the milliseconds taken. */
function runWithDanglingTimer(args: string[]): Promise<{ code: number | null; ms: number; stdout: string }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'data:text/javascript,setTimeout(() => {}, 600000)', 'bin/asks.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('asks did not exit within 90 s: a dangling timer kept the process alive'));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, ms: Date.now() - started, stdout });
    });
  });
}

describe('asks exits when its work is done', () => {
  it('with its exit code and all its output, though a timer is still pending', async () => {
    const ok = await runWithDanglingTimer(['validate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/program file valid/);
    const usage = await runWithDanglingTimer(['validate', '--no-such-option']);
    expect(usage.code).toBe(2);
  }, 120_000);
});
