// How `asks` commands talk to the terminal: one place for stdout/stderr, JSON vs human output and exit codes,
// so `run(argv)` can capture everything in-process (tests) and user mistakes never print a stack trace.

/** Exit codes every command shares. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A user-facing failure: printed as one line (`error: <message>`), exits with `exitCode`. Never a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * Write the file an option names (`--html`, `--out`). Throws CliError (exit 1) naming the option, the file and why
 * ("no such directory", "permission denied", "is a directory") instead of a bare ENOENT or EACCES.
 */
export async function writeOptionFile(flag: string, file: string, data: string, options: { mode?: number } = {}): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(file, data, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code === 'ENOTDIR' ? 'a part of the path is not a directory' : (error as Error).message;
    throw new CliError(`${flag}: cannot write ${file}: ${why}`, EXIT.failure);
  }
}

/** Where output goes. The real process writes to its streams; `run()` swaps in buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Set by commands that finished but failed (e.g. validation problems). */
  exitCode?: number;
}

/**
 * A reader that closed the pipe (`asks report | head`) ends the command quietly with exit 0: nothing more can be
 * shown, so this is not a failure. Without a listener the stream's EPIPE 'error' event crashes with a stack trace.
 * Other stream errors are thrown as before. Installed once per stream, on the first write through the process sink.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  if ((stream as { asksPipeGuard?: boolean }).asksPipeGuard) return;
  (stream as { asksPipeGuard?: boolean }).asksPipeGuard = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') exit(EXIT.ok);
    else throw error;
  });
}

function write(stream: NodeJS.WriteStream, text: string): void {
  endQuietlyOnClosedPipe(stream);
  stream.write(text);
}

const processIo: CliIo = {
  stdout: (text) => write(process.stdout, text),
  stderr: (text) => write(process.stderr, text),
};

let current: CliIo = processIo;

/** Run `fn` with output routed to `io` (used by `run()`; restores the previous sink afterwards). */
export async function withIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  const previous = current;
  current = io;
  try {
    return await fn();
  } finally {
    current = previous;
  }
}

/** The active sink (commander's configureOutput writes through it too). */
export function io(): CliIo {
  return current;
}

/** Print one or more lines to stdout. */
export function out(...lines: string[]): void {
  for (const line of lines) current.stdout(line.endsWith('\n') ? line : `${line}\n`);
}

/** Print one or more lines to stderr. */
export function err(...lines: string[]): void {
  for (const line of lines) current.stderr(line.endsWith('\n') ? line : `${line}\n`);
}

/** Pretty JSON on stdout, for `--json`: a program reads it, so nothing else goes to stdout. */
export function printJson(value: unknown): void {
  current.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Print `result` as JSON when `json` is set, otherwise as the human lines `human` returns. */
export function printResult<T>(result: T, options: { json?: boolean }, human: (result: T) => string | string[]): void {
  if (options.json) {
    printJson(result);
    return;
  }
  const text = human(result);
  out(...(Array.isArray(text) ? text : [text]));
}

/** Mark the command as failed without throwing (it has already printed why). */
export function setExitCode(code: number): void {
  current.exitCode = code;
}
