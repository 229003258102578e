// The report's columnar cache of a local event log: the log's complete lines, parsed once into the `events` table of a
// DuckDB database file beside the log (`<log>.report-cache.duckdb`), the derived tables the queries read (fact-tables.ts:
// only the rows whose keys appended events touch are computed again), the byte offset consumed and a fingerprint of
// the log in the same database (written in the same transaction as the rows, so a crash leaves either all or
// none). Each report then parses only the lines appended since; a last line without its newline is read when it is
// complete JSON (as a report without the cache reads it), otherwise it waits for the next report and is counted as
// skipped, like every line that is not an event (the count is kept with the rows). The cache is deleted and built again from the whole log when the log was truncated (shorter than the
// offset), replaced (another inode or device), rewritten (sampled bytes of the consumed part or, with nothing
// appended, its modification time changed), or when the campaign timezones, the cache format or the DuckDB version
// changed. Rebuilding deletes the database file itself, never rows in it, so nothing removed from the log (an erasure,
// docs/privacy.md) survives in free pages of the old file. Another process holding the cache (a concurrent report)
// makes this one fall back to reading the log without it.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, version as duckdbVersion, type DuckDBConnection } from '@duckdb/node-api';
import { createFacts, refreshFacts, type Relation } from './fact-tables.js';
import { addSkipped, countLines, isCompleteJson, NO_SKIPPED, scanLines, type SkippedLines } from './log-lines.js';

/** Bumped whenever the `events` columns or their encoding change: an older cache is rebuilt. */
export const CACHE_FORMAT = 4;

const BLOCK = 4096;
const SAMPLES = 16;

/** Why a cache was built from the whole log. */
export type RebuildReason = 'new' | 'format' | 'zones' | 'replaced' | 'truncated' | 'rewritten' | 'unreadable';

/** What opening the cache did: built from the whole log, appended new lines, or found it current. */
export type CacheOutcome =
  | { state: 'built'; reason: RebuildReason; consumed: number; ingestedBytes: number }
  | { state: 'appended'; consumed: number; ingestedBytes: number }
  | { state: 'current'; consumed: number; ingestedBytes: 0 };

interface Meta {
  format: number;
  engine: string;
  zones: string;
  /** sha256 of the derived relations' SQL (fact-tables.ts): another definition rebuilds the cache. */
  facts: string;
  dev: string;
  ino: string;
  /** Bytes of the log in the cache: just past a newline, or past a last line without one that is complete JSON. */
  consumed: number;
  /** The consumed bytes end inside a line (a complete JSON last line without its newline). */
  open: boolean;
  /** Newlines among the consumed bytes (the next line's number is this + 1). */
  newlines: number;
  /** Lines among the consumed bytes that are not events (skipped by the reader). */
  skipped: SkippedLines;
  /** The log's size and modification time when it was last ingested. */
  size: number;
  mtimeMs: number;
  /** sha256 over the first and last 4 KiB of the consumed bytes and 16 evenly spaced 4 KiB blocks between. */
  sample: string;
}

export interface EventCacheOptions {
  /** A key of everything besides the log that the stored rows depend on (the campaign timezones of `day`). */
  zones: string;
  /** SQL run once on the fresh connection before anything else (settings). */
  settings: string;
  /** The SELECT producing `events` rows from a file of complete log lines (views/duckdb-events.sql). */
  eventsSelect: (file: string) => string;
  /** The derived relations kept beside `events` (fact-tables.ts), built with it and brought up to date with appends. */
  relations: readonly Relation[];
  /** Called with each ingest statement's seconds (ANALYTICS_DEBUG). */
  debug?: (line: string) => void;
}

export interface OpenedCache {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  outcome: CacheOutcome;
  /** Lines of the log that are not events: in the cache, plus an incomplete last line waiting for its end. */
  skipped: SkippedLines;
  /** Call after closing the connection and the instance: another report in this process may open the cache again. */
  release: () => void;
}

// DuckDB's file lock keeps other processes out, not a second instance in this one: caches open in this process.
const openHere = new Set<string>();

/** The cache database of a log: `<log>.report-cache.duckdb` (DuckDB keeps its write-ahead log beside it as `.wal`). */
export function cachePathFor(logFile: string): string {
  return `${logFile}.report-cache.duckdb`;
}

/** Delete a log's report cache (database and write-ahead log), if any. Safe to call when there is none. */
export async function dropReportCache(logFile: string): Promise<void> {
  const path = cachePathFor(logFile);
  await Promise.all([rm(path, { force: true }), rm(`${path}.wal`, { force: true }), rm(`${path}.tmp`, { force: true, recursive: true })]);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** The sampled fingerprint of the first `consumed` bytes. */
async function sampleOf(fh: FileHandle, consumed: number): Promise<string> {
  const hash = createHash('sha256');
  hash.update(String(consumed));
  const offsets = new Set<number>([0, Math.max(0, consumed - BLOCK)]);
  for (let i = 1; i < SAMPLES; i += 1) offsets.add(Math.floor((consumed * i) / SAMPLES));
  for (const offset of [...offsets].sort((a, b) => a - b)) hash.update(await readAt(fh, offset, Math.min(BLOCK, consumed - offset)));
  return hash.digest('hex');
}

/** The offset just past the last newline in [from, size), or `from` when there is none. */
async function completeUpTo(fh: FileHandle, from: number, size: number): Promise<number> {
  const chunk = 64 * 1024;
  for (let end = size; end > from; end -= chunk) {
    const start = Math.max(from, end - chunk);
    const buffer = await readAt(fh, start, end - start);
    const i = buffer.lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
  }
  return from;
}

async function countEvents(connection: DuckDBConnection, table: string): Promise<number> {
  return Number((await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjectsJS()[0]?.n ?? 0);
}

async function readMeta(connection: DuckDBConnection): Promise<Meta | undefined> {
  try {
    const reader = await connection.runAndReadAll('SELECT meta FROM cache_meta');
    const text = reader.getRowObjectsJS()[0]?.meta;
    return typeof text === 'string' ? (JSON.parse(text) as Meta) : undefined;
  } catch {
    return undefined;
  }
}

const isLockError = (error: unknown): boolean => /could not set lock|conflicting lock/i.test(String((error as Error)?.message ?? error));

async function connect(path: string, settings: string): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  // A report appends a little: its rows stay in the write-ahead log (replayed on the next open) until that passes
  // DuckDB's checkpoint threshold, instead of every report rewriting row groups when it closes.
  await connection.run(`${settings}; PRAGMA disable_checkpoint_on_shutdown`);
  return { instance, connection };
}

/**
 * Open the cache of `logFile` and bring it up to date with the log's complete lines. Returns undefined when another
 * process, or another report in this one, holds the cache (the caller reads the log without it). Throws what the file
 * system or DuckDB throw otherwise (a missing log: ENOENT).
 */
export async function openEventCache(logFile: string, options: EventCacheOptions): Promise<OpenedCache | undefined> {
  const path = cachePathFor(logFile);
  const engine = duckdbVersion();
  const facts = createHash('sha256').update(JSON.stringify(options.relations)).digest('hex');
  if (openHere.has(path)) return undefined;
  openHere.add(path);
  const release = () => void openHere.delete(path);
  let db: { instance: DuckDBInstance; connection: DuckDBConnection };
  try {
    db = await connect(path, options.settings);
  } catch (error) {
    release();
    if (isLockError(error)) return undefined;
    // Not a database we can open (a torn or foreign file): start again.
    await dropReportCache(logFile);
    openHere.add(path);
    db = await connect(path, options.settings).catch((e: unknown) => {
      release();
      throw e;
    });
  }
  const close = () => {
    db.connection.closeSync();
    db.instance.closeSync();
  };
  try {
    for (let attempt = 0; ; attempt += 1) {
      const fh = await open(logFile, 'r');
      try {
        const st = await fh.stat({ bigint: true });
        const size = Number(st.size);
        const here = { dev: String(st.dev), ino: String(st.ino) };
        const meta = await readMeta(db.connection);
        let reason: RebuildReason | undefined;
        if (!meta) reason = (await db.connection.runAndReadAll("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'events'")).getRowObjectsJS()[0]?.n ? 'unreadable' : 'new';
        else if (meta.format !== CACHE_FORMAT || meta.engine !== engine) reason = 'format';
        else if (meta.zones !== options.zones) reason = 'zones';
        else if (meta.facts !== facts) reason = 'format';
        else if (meta.dev !== here.dev || meta.ino !== here.ino) reason = 'replaced';
        else if (size < meta.consumed) reason = 'truncated';
        // A last line read without its newline was continued (not by a newline): that line changed.
        else if (meta.open && size > meta.consumed && (await readAt(fh, meta.consumed, 1))[0] !== 0x0a) reason = 'rewritten';
        else if ((size === meta.size && Number(st.mtimeMs) !== meta.mtimeMs) || (await sampleOf(fh, meta.consumed)) !== meta.sample) reason = 'rewritten';
        if (reason && reason !== 'new') {
          // Delete the file, not the rows: freed pages of the old database would still hold what the log no longer does.
          close();
          await dropReportCache(logFile);
          db = await connect(path, options.settings);
        }
        const from = reason ? 0 : meta!.consumed;
        const before = { newlines: reason ? 0 : meta!.newlines, skipped: reason ? NO_SKIPPED : meta!.skipped };
        let end = await completeUpTo(fh, from, size);
        // A last line without its newline: read when it is complete JSON (as `--no-cache` does); otherwise (a writer in
        // the middle of an append, or a torn line) it waits, counted as skipped in this report as `--no-cache` counts it.
        let open = !reason && end === from ? meta!.open : false;
        let pending = false;
        if (end < size) {
          const tail = (await readAt(fh, end, size - end)).toString('utf8');
          if (tail.trim() !== '' && size - end <= 16 * 1024 * 1024 && isCompleteJson(tail)) {
            end = size;
            open = true;
          } else pending = tail.trim() !== '';
        }
        const tailSkipped = (newlines: number): SkippedLines => (pending ? { count: 1, firstLine: newlines + 1 } : NO_SKIPPED);
        const record = async (consumed: number, counted: { newlines: number; skipped: SkippedLines }) => {
          const next: Meta = { format: CACHE_FORMAT, engine, zones: options.zones, facts, ...here, consumed, open, ...counted, size, mtimeMs: Number(st.mtimeMs), sample: await sampleOf(fh, consumed) };
          await db.connection.run(`CREATE TABLE IF NOT EXISTS cache_meta (meta VARCHAR); DELETE FROM cache_meta; INSERT INTO cache_meta VALUES ('${JSON.stringify(next).replaceAll("'", "''")}')`);
        };
        if (!reason && end === from) {
          if (size !== meta!.size || Number(st.mtimeMs) !== meta!.mtimeMs) await record(from, before);
          return { ...db, outcome: { state: 'current', consumed: from, ingestedBytes: 0 }, skipped: addSkipped(before.skipped, tailSkipped(before.newlines)), release };
        }
        // The whole log in one go when it ends with a newline (DuckDB reads it in parallel); otherwise, and for appended
        // lines, a copy of exactly the complete lines [from, end) taken through this handle.
        const direct = from === 0 && end === size && attempt === 0;
        const source = direct ? logFile : `${path}.ingest-${process.pid}.jsonl`;
        let counted: { newlines: number; skipped: SkippedLines } = before;
        try {
          if (!direct && end > from) await pipeline(fh.createReadStream({ start: from, end: end - 1, autoClose: false }), createWriteStream(source));
          else if (!direct) await writeFile(source, '');
          const t0 = performance.now();
          // The lines are counted in this thread while DuckDB parses them in its own.
          const counting = countLines({ fh }, from, end);
          counting.catch(() => undefined);
          await db.connection.run('BEGIN TRANSACTION');
          try {
            let rows: number;
            if (reason) {
              await db.connection.run(`CREATE TABLE events AS ${options.eventsSelect(source)}`);
              if (direct) {
                const after = await stat(logFile, { bigint: true });
                // It grew (or was replaced) while DuckDB read it: DuckDB may have read past `end`. Read a copy instead.
                if (after.size !== st.size || after.ino !== st.ino) {
                  await db.connection.run('ROLLBACK');
                  continue;
                }
              }
              rows = await countEvents(db.connection, 'events');
              await createFacts(db.connection, options.relations, options.debug ? { debug: options.debug } : {});
            } else {
              // The appended rows once, then into `events` and the derived tables (only the keys they touch).
              await db.connection.run(`CREATE OR REPLACE TEMP TABLE fresh_events AS ${options.eventsSelect(source)}`);
              rows = await countEvents(db.connection, 'fresh_events');
              await db.connection.run('INSERT INTO events SELECT * FROM fresh_events');
              await refreshFacts(db.connection, options.relations, 'fresh_events', options.debug);
              await db.connection.run('DROP TABLE fresh_events');
            }
            const scan = await scanLines({ fh }, from, end, before.newlines + 1, rows, await counting);
            counted = { newlines: before.newlines + scan.newlines, skipped: addSkipped(before.skipped, scan.skipped) };
            await record(end, counted);
            await db.connection.run('COMMIT');
          } catch (error) {
            await db.connection.run('ROLLBACK').catch(() => undefined);
            throw error;
          }
          options.debug?.(`${((performance.now() - t0) / 1000).toFixed(2)} s  cache ${reason ? `built (${reason})` : 'appended'}: ${end - from} bytes`);
        } finally {
          if (!direct) await rm(source, { force: true });
        }
        const skipped = addSkipped(counted.skipped, tailSkipped(counted.newlines));
        return { ...db, outcome: reason ? { state: 'built', reason, consumed: end, ingestedBytes: end - from } : { state: 'appended', consumed: end, ingestedBytes: end - from }, skipped, release };
      } finally {
        await fh.close();
      }
    }
  } catch (error) {
    close();
    release();
    throw error;
  }
}
