// The `asks` program: help lists every command, usage mistakes exit 2 with one clean line.
import { describe, expect, it } from 'vitest';
import { commands } from '../../../cli/commands/index.js';
import { buildProgram, run } from '../../../cli/main.js';

describe('asks', () => {
  it('lists every registered command in --help', async () => {
    const names = buildProgram().commands.map((c) => c.name());
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(names.length).toBe(commands.length);
    for (const name of names) expect(result.stdout).toContain(name);
  });

  it('prints the version', async () => {
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('exits 2 with one line for an unknown command', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^error: unknown command 'frobnicate'/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for an unknown option', async () => {
    const result = await run(['validate', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--nope'/);
  });
});
