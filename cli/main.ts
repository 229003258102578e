// The `asks` command: builds the commander program from the registered commands and runs it. `run(argv)` runs
// in-process and returns the exit code and output (tests use it); executed directly it drives the real process.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ZodError } from 'zod';
import { ReferralError } from '../core/errors.js';
import { commands } from './commands/index.js';
import { CliError, EXIT, endQuietlyOnClosedPipe, err, io, withIo, type CliIo } from './output.js';

const VERSION = '0.1.0';

/** A fresh program per run: commander keeps parse state on the instance. */
export function buildProgram(): Command {
  const program = new Command('asks')
    .description('Milestone referral asks: validate, preview, plan and run campaigns that ask happy customers for referrals.')
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io().stdout(text),
      writeErr: (text) => io().stderr(text),
      // commander prints "error: ..." itself; keep it to that one line.
      outputError: (text, write) => write(text),
    });
  for (const register of commands) register(program);
  return program;
}

function describeUnexpected(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Run `asks` with `argv` (arguments after the program name). Never throws; never exits the process. */
export async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  };
  const code = await withIo(sink, () => execute(argv));
  return { code, stdout, stderr };
}

/** Parse and run against the current output sink; returns the exit code. */
export async function execute(argv: string[]): Promise<number> {
  const sink = io();
  sink.exitCode = undefined;
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return sink.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; anything else is a usage mistake (already printed).
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.usage; // bare `asks` printed help to stderr
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      if (error.message) err(`error: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ZodError) {
      const lines = error.issues.map((i) => `error: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      err(...lines);
      return EXIT.failure;
    }
    // A taken port or data directory (local/endpoints.ts): the message says what to do, in one line.
    if (error instanceof Error && error.name === 'LocalEndpointError') {
      err(`error: ${error.message}`);
      return EXIT.failure;
    }
    if (error instanceof ReferralError) {
      err(`error: ${error.message}`);
      if (process.env.DEBUG === '1' && error.stack) err(error.stack);
      return EXIT.failure;
    }
    err(`error: ${describeUnexpected(error)}`);
    if (process.env.DEBUG === '1' && error instanceof Error && error.stack) err(error.stack);
    else err('(set DEBUG=1 for details)');
    return EXIT.failure;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    const real = realpathSync(entry);
    const self = fileURLToPath(import.meta.url);
    return real === self || /[\\/]bin[\\/]asks(\.js)?$/.test(real);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await execute(process.argv.slice(2));
  process.exitCode = code;
  // Every command is one-shot: once its output is flushed the process ends, even when a library left a timer behind
  // (aws-local-stepfunctions keeps a Task's TimeoutSeconds timer, 330 s, for a handler a simulated kill left pending).
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      // A reader that went away (`asks report | head`) ends the command quietly, as for every other write.
      endQuietlyOnClosedPipe(stream);
      stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
