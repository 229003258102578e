// `asks import <file.csv|file.jsonl>`: streams customer profiles into the table, validating every row. Bad rows are
// reported by line number and field; good rows are still loaded. Re-importing is idempotent and keeps ask history.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse';
import cliProgress from 'cli-progress';
import { openDataTarget, type OpenedTarget } from '../data-target.js';
import { withAwsTarget, type AwsTargetOptions } from '../target.js';
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { SuppressionStore } from '../../adapters/dynamo/suppressions.js';
import { loadKeyring } from '../../adapters/signing-keys.js';
import { normalizeAddress } from '../../core/suppression.js';
import { checkCsvHeader, csvRowToCustomer, jsonToCustomer, type RowResult } from '../../core/import-rows.js';
import type { Customer } from '../../core/schemas/customer.js';
import { CliError, EXIT, err, out, printJson, setExitCode } from '../output.js';

export interface BadRow {
  line: number;
  errors: string[];
}

export interface ImportResult {
  ok: boolean;
  file: string;
  format: 'csv' | 'jsonl';
  dryRun: boolean;
  table?: string;
  rows: number;
  valid: number;
  loaded: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Ids that appeared on more than one line (the last line wins). */
  duplicateIds: number;
  /** Rows loaded with a channel switched off because the address is suppressed (possibly by an erased person's opt-out). */
  suppressed: number;
  bad: BadRow[];
  /** Problems with the file as a whole (unknown columns): nothing was loaded. */
  fileErrors: string[];
}

export interface ImportOptions {
  /** Where to write; omit for a dry run. */
  store?: CustomerStore;
  table?: string;
  /** Called with bytes read so far and the file size. */
  onProgress?: (bytes: number, total: number) => void;
  /** Rows per write batch. */
  batchSize?: number;
  /**
   * Suppression lookup (plain and keyed-hash forms): an imported address that is suppressed, or that an erased person
   * opted out with, is loaded with that channel's consent off (docs/privacy.md).
   */
  suppressions?: { suppressedAmong(addresses: string[]): Promise<Set<string>> };
  /** When the import happens (consent ledger entries); defaults to now. */
  at?: string;
}

type Row = { line: number; result: RowResult };

async function* csvRows(path: string, fileErrors: string[], onBytes: (n: number) => void): AsyncGenerator<Row> {
  let headerChecked = false;
  let headerLength = 0;
  const parser = createReadStream(path).pipe(
    parse({ columns: (header: string[]) => header.map((h) => h.trim()), info: true, relax_column_count: true, skip_empty_lines: true, bom: true }),
  );
  for await (const entry of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; bytes: number; invalid_field_length: number; columns: unknown } }>) {
    const { record, info } = entry;
    if (!headerChecked) {
      headerChecked = true;
      const columns = Object.keys(record);
      headerLength = columns.length;
      fileErrors.push(...checkCsvHeader(columns).map((p) => `line 1: ${p}`));
      if (fileErrors.length > 0) return;
    }
    onBytes(info.bytes);
    const fields = Object.keys(record).length;
    if (info.invalid_field_length > 0 || fields !== headerLength) {
      yield { line: info.lines, result: { ok: false, errors: [`(row): has a different number of fields than the header (${headerLength})`] } };
      continue;
    }
    yield { line: info.lines, result: csvRowToCustomer(record) };
  }
}

async function* jsonlRows(path: string, onBytes: (n: number) => void): AsyncGenerator<Row> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line += 1;
    bytes += Buffer.byteLength(text) + 1;
    onBytes(bytes);
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, result: { ok: false, errors: [`(row): not valid JSON (${(error as Error).message})`] } };
      continue;
    }
    yield { line, result: jsonToCustomer(value) };
  }
}

export function formatOf(path: string): 'csv' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new CliError(`file "${path}": unsupported extension "${ext || '(none)'}" (use .csv or .jsonl)`, EXIT.usage);
}

/** The customers with email / SMS consent off where their address is suppressed; `onChange` per customer changed. */
async function withSuppressedChannelsOff(customers: Customer[], suppressions: NonNullable<ImportOptions['suppressions']>, onChange: () => void): Promise<Customer[]> {
  const found = await suppressions.suppressedAmong(customers.flatMap((c) => [c.email, c.phone].filter((a): a is string => a !== undefined)));
  if (found.size === 0) return customers;
  return customers.map((c) => {
    const email = c.email !== undefined && found.has(normalizeAddress(c.email));
    const sms = c.phone !== undefined && found.has(normalizeAddress(c.phone));
    if (!email && !sms) return c;
    onChange();
    return { ...c, consents: { ...c.consents, ...(email ? { email: false } : {}), ...(sms ? { sms: false } : {}) } };
  });
}

/** Validate (and, with a store, load) every row of a file. Reusable by the local runtime and tests. */
export async function importFile(path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const format = formatOf(path);
  if (!existsSync(path)) throw new CliError(`file "${path}": not found`);
  const total = statSync(path).size;
  const result: ImportResult = {
    ok: true, file: path, format, dryRun: options.store === undefined, ...(options.table ? { table: options.table } : {}),
    rows: 0, valid: 0, loaded: 0, created: 0, updated: 0, unchanged: 0, duplicateIds: 0, suppressed: 0, bad: [], fileErrors: [],
  };
  const seen = new Set<string>();
  const batchSize = options.batchSize ?? 1000;
  let replace: Customer[] = [];
  let preserve: Customer[] = [];
  const flush = async (): Promise<void> => {
    if (!options.store) return;
    const at = options.at ?? new Date().toISOString();
    for (const [batch, counters] of [[replace, 'replace'], [preserve, 'preserve']] as const) {
      if (batch.length === 0) continue;
      const customers = options.suppressions ? await withSuppressedChannelsOff(batch, options.suppressions, () => void (result.suppressed += 1)) : batch;
      const r = await options.store.putMany(customers, { counters, consentLedger: { at, source: 'import' } });
      result.created += r.created;
      result.updated += r.updated;
      result.unchanged += r.unchanged;
      result.loaded += customers.length;
    }
    replace = [];
    preserve = [];
  };
  const onBytes = (n: number): void => options.onProgress?.(Math.min(n, total), total);
  const rows = format === 'csv' ? csvRows(path, result.fileErrors, onBytes) : jsonlRows(path, onBytes);
  for await (const { line, result: row } of rows) {
    result.rows += 1;
    if (!row.ok) {
      result.bad.push({ line, errors: row.errors });
      continue;
    }
    result.valid += 1;
    if (seen.has(row.customer.id)) result.duplicateIds += 1;
    seen.add(row.customer.id);
    (row.hasCounters ? replace : preserve).push(row.customer);
    if (replace.length + preserve.length >= batchSize) await flush();
  }
  await flush();
  options.onProgress?.(total, total);
  result.ok = result.bad.length === 0 && result.fileErrors.length === 0;
  return result;
}

const MAX_PRINTED_BAD_ROWS = 200;

function humanReport(r: ImportResult): string[] {
  const lines: string[] = [];
  if (r.fileErrors.length > 0) {
    lines.push(...r.fileErrors, `✗ ${r.file}: nothing imported: fix the header first`);
    return lines;
  }
  for (const bad of r.bad.slice(0, MAX_PRINTED_BAD_ROWS)) for (const e of bad.errors) lines.push(`line ${bad.line}: ${e}`);
  if (r.bad.length > MAX_PRINTED_BAD_ROWS) lines.push(`… and ${r.bad.length - MAX_PRINTED_BAD_ROWS} more bad rows (use --json for all)`);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (r.dryRun) lines.push(`✓ ${plural(r.valid, 'row')} valid (dry run: nothing written)`);
  else lines.push(`✓ ${plural(r.loaded, 'customer')} loaded into ${r.table ?? 'the table'} (${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged)`);
  if (r.suppressed > 0) lines.push(`  ${plural(r.suppressed, 'customer')} loaded with email/SMS consent off: the address is suppressed (bounce, complaint, STOP or an erased person's opt-out)`);
  if (r.duplicateIds > 0) lines.push(`! ${plural(r.duplicateIds, 'id')} appeared more than once: the last line for each id wins`);
  if (r.bad.length > 0) lines.push(`✗ ${plural(r.bad.length, 'bad row')} skipped${r.dryRun ? '' : ' (the good rows were loaded)'}`);
  return lines;
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('load customer profiles from a CSV or JSONL file (validates every row; re-import is idempotent and keeps ask history)')
    .argument('<file>', 'a .csv (header row, see docs/customers.md) or .jsonl file (one customer object per line)')
    .option('--dry-run', 'validate only; write nothing')
    .option('--json', 'print the result as JSON')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT, DYNAMO_PORT, the engine npm start runs for this checkout, or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .option('--cloud', 'write to the deployed table with your AWS credentials (TABLE_NAME or --table)');
  withAwsTarget(cmd).action(async (file: string, options: { dryRun?: boolean; json?: boolean; endpoint?: string; table?: string; cloud?: boolean } & AwsTargetOptions) => {
      formatOf(file);
      if (!existsSync(file)) throw new CliError(`file "${file}": not found`);
      let store: CustomerStore | undefined;
      let suppressions: SuppressionStore | undefined;
      let table: string | undefined;
      let target: OpenedTarget | undefined;
      if (!options.dryRun) {
        target = await openDataTarget(options);
        store = new CustomerStore(target.doc, target.tableName);
        table = target.tableName;
        // Opt-outs of erased people are kept as keyed hashes: looking them up needs the signing keyring.
        if (!options.cloud || process.env.SIGNING_SECRET_ARN) suppressions = new SuppressionStore(target.doc, target.tableName, () => loadKeyring(process.env));
        else err('note: SIGNING_SECRET_ARN is not set: opt-outs kept as keyed hashes (erased customers) are not checked');
      }
      const bar = !options.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% | {eta_buffer}s left', etaBuffer: 50, stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
      bar?.start(100, 0);
      let result: ImportResult;
      try {
        result = await importFile(file, { store, table, ...(suppressions ? { suppressions } : {}), onProgress: (bytes, total) => bar?.update(total > 0 ? Math.floor((bytes / total) * 100) : 100) });
      } finally {
        bar?.stop();
        await target?.close();
      }
      if (!result.ok) setExitCode(EXIT.failure);
      if (options.json) printJson(result);
      else out(...humanReport(result));
    });
}
