// The lines of a local event log that are not events: DuckDB's JSON reader skips them (ignore_errors), so the report
// counts them here and says so. A line is skipped when it is not blank and is not a JSON object with a `detail-type`
// and a `detail.occurredAt` (the rows analytics/views/duckdb-events.sql keeps). Streams the bytes (bounded memory);
// parses lines only when DuckDB kept fewer rows than there are non-blank lines.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Skipped lines: how many, and the 1-based line number of the first (null when none). */
export interface SkippedLines {
  count: number;
  firstLine: number | null;
}

export const NO_SKIPPED: SkippedLines = { count: 0, firstLine: null };

/** Whether `text` (one line, without its newline) is an event line the report reads. */
export function isEventLine(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
    const v = value as { 'detail-type'?: unknown; detail?: { occurredAt?: unknown } | null };
    return typeof v['detail-type'] === 'string' && typeof v.detail === 'object' && v.detail !== null && v.detail.occurredAt !== undefined && v.detail.occurredAt !== null;
  } catch {
    return false;
  }
}

/** Whether `text` is a complete JSON value (a last line without its newline is read when it is). */
export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// Most lines start with '{': only others are decoded to see whether they are blank.
const blank = (line: Buffer): boolean => line.length === 0 || (line[0] !== 0x7b && line.toString('utf8').trim() === '');

/** Call `each(line, index)` for every line of bytes [start, end) of the file (the last one may lack its newline). */
async function forEachLine(source: { path: string } | { fh: FileHandle }, start: number, end: number, each: (line: Buffer, index: number) => void): Promise<void> {
  if (end <= start) return;
  const stream = 'path' in source ? createReadStream(source.path, { start, end: end - 1 }) : source.fh.createReadStream({ start, end: end - 1, autoClose: false });
  let rest: Buffer = Buffer.alloc(0);
  let index = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    for (let nl = buffer.indexOf(0x0a, from); nl >= 0; nl = buffer.indexOf(0x0a, from)) {
      each(buffer.subarray(from, nl), index);
      index += 1;
      from = nl + 1;
    }
    rest = Buffer.from(buffer.subarray(from));
  }
  each(rest, index);
}

/** The newlines and the lines that are not blank among bytes [start, end) of a log. Throws what reading throws. */
export async function countLines(source: { path: string } | { fh: FileHandle }, start: number, end: number): Promise<{ newlines: number; nonBlank: number }> {
  let nonBlank = 0;
  let pieces = 0;
  await forEachLine(source, start, end, (line) => {
    pieces += 1;
    if (!blank(line)) nonBlank += 1;
  });
  return { newlines: Math.max(0, pieces - 1), nonBlank };
}

/**
 * The skipped lines among bytes [start, end) of a log, whose first line is line number `firstLineNumber`, given the
 * number of event rows DuckDB read from them, and the newlines among those bytes (`counted`: countLines of the same
 * bytes, when already taken). Throws what reading the file throws.
 */
export async function scanLines(
  source: { path: string } | { fh: FileHandle },
  start: number,
  end: number,
  firstLineNumber: number,
  rowsRead: number,
  counted?: { newlines: number; nonBlank: number },
): Promise<{ skipped: SkippedLines; newlines: number }> {
  const { newlines, nonBlank } = counted ?? (await countLines(source, start, end));
  if (nonBlank <= rowsRead) return { skipped: NO_SKIPPED, newlines };
  let count = 0;
  let firstLine: number | null = null;
  await forEachLine(source, start, end, (line, index) => {
    if (blank(line) || isEventLine(line.toString('utf8'))) return;
    count += 1;
    firstLine ??= firstLineNumber + index;
  });
  return { skipped: { count, firstLine }, newlines };
}

/** Two counts of disjoint parts of one log. */
export function addSkipped(a: SkippedLines, b: SkippedLines): SkippedLines {
  const lines = [a.firstLine, b.firstLine].filter((x): x is number => x !== null);
  return { count: a.count + b.count, firstLine: lines.length ? Math.min(...lines) : null };
}
