// `asks seed --customers N`: writes deterministic demo customers (some with a signup anniversary today) to the table.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { openDataTarget } from '../data-target.js';
import { CustomerStore } from '../../adapters/dynamo/customers.js';
import { generateCustomers } from '../../core/seed.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { checkLocalDate } from '../args.js';

export interface SeedResult {
  table: string;
  seed: number;
  today: string;
  customers: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Customers whose signup anniversary is `today` (a demo run finds them). */
  dueToday: number;
  partitions: number;
}

/** Seed `count` customers through `store` (the local runtime calls this too). */
export async function seedCustomers(
  store: CustomerStore,
  options: { count: number; seed: number; today: string; onProgress?: (done: number) => void },
): Promise<Omit<SeedResult, 'table'>> {
  const chunk = 5000;
  const totals = { created: 0, updated: 0, unchanged: 0 };
  let dueToday = 0;
  const partitions = new Set<string>();
  // Generated in one go (cheap) but written in chunks so progress moves and memory for the SDK stays flat.
  const customers = generateCustomers({ count: options.count, seed: options.seed, today: options.today });
  for (let i = 0; i < customers.length; i += chunk) {
    const part = customers.slice(i, i + chunk);
    const r = await store.putMany(part, { onProgress: (done) => options.onProgress?.(i + done) });
    totals.created += r.created;
    totals.updated += r.updated;
    totals.unchanged += r.unchanged;
    for (const c of part) {
      partitions.add(store.partitionOf(c));
      if (c.signupDate.slice(5) === options.today.slice(5)) dueToday += 1;
    }
  }
  return { seed: options.seed, today: options.today, customers: customers.length, ...totals, dueToday, partitions: partitions.size };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new CliError(`--customers: must be a whole number from 1 to 10000000 (got "${value}")`, EXIT.usage);
  return n;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new CliError(`--seed: must be a whole number from 0 to 4294967295 (got "${value}")`, EXIT.usage);
  return n;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('write deterministic demo customers (about 1% have their signup anniversary today); re-seeding is idempotent')
    .option('--customers <n>', 'how many customers', parseCount, 1000)
    .option('--seed <n>', 'PRNG seed: the same seed gives the same customers and ids', parseSeed, 42)
    .option('--today <date>', 'the demo day YYYY-MM-DD (default: today, UTC)')
    .option('--json', 'print the result as JSON')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT, DYNAMO_PORT, the engine npm start runs for this checkout, or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .action(async (options: { customers: number; seed: number; today?: string; json?: boolean; endpoint?: string; table?: string }) => {
      const today = options.today ?? new Date().toISOString().slice(0, 10);
      checkLocalDate('--today', today);
      const target = await openDataTarget(options);
      const store = new CustomerStore(target.doc, target.tableName);
      const bar = !options.json && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'seeding [{bar}] {value}/{total} customers', stream: process.stderr }, cliProgress.Presets.shades_classic) : undefined;
      bar?.start(options.customers, 0);
      let result: SeedResult;
      try {
        result = { table: target.tableName, ...(await seedCustomers(store, { count: options.customers, seed: options.seed, today, onProgress: (n) => bar?.update(n) })) };
      } finally {
        bar?.stop();
        await target.close();
      }
      if (options.json) {
        printJson(result);
        return;
      }
      out(
        `✓ ${result.customers} demo customers in ${result.table} (${result.created} new, ${result.updated} updated, ${result.unchanged} unchanged)`,
        `  seed ${result.seed}: ${result.dueToday} have their signup anniversary on ${today.slice(5)}; ${result.partitions} zone/shard partitions`,
      );
    });
}
