// `npm run bench`: the numbers the project promises, measured on this machine, written to bench/results.json.
//   eligibility_read_amplification  items read per due customer on 100k demo customers (goal <= 1.05)
//   transitions_per_ask             Step Functions state transitions per sent ask in a local run (goal <= 0.05)
//   orchestration_cost_ratio        Step Functions + Lambda cost per ask / SES cost per ask (goal <= 0.10)
//   max_bundle_kb                   largest Lambda index.mjs, bundled by infra/bundle.ts as infra ships it (goal <= 300)
//   plan_rss_mb_1m                  peak RSS of `asks plan` over a 1M-customer JSONL stream (goal <= 512)
//   click_throughput_ratio          rps of GET /r/{code} / rps of a bare server doing the same one write (goal >= 0.8)
//   clicks_lost                     clicks answered minus clicks stored after a 20k-request run (goal 0)
//   ask_pipeline_ratio              asks/s of the local workflow (send-rate limit lifted) / asks/s of a bare loop doing
//                                   only the essential I/O against the same servers, same run (goal >= 0.5)
// Sub-benchmarks (bench/clicks.ts, when present) add their keys to the same file; `report` (bench/report.ts) times
// `asks report` over a generated 1M-event log, cold (no cache) and in the steady state (cache + 1% appended), against
// reading the same file line by line.
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { generateCustomers } from '../core/seed.js';
import { definitionFromCdkOut, ensureSynth } from '../local/definition.js';
import { localDeps, runExecution } from '../local/run-campaign.js';
import { startDynamo, startSes } from '../local/servers.js';
import { bundleEntry } from '../infra/bundle.js';
import { unboundedBudgets } from './campaigns.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WORK = join(ROOT, 'bench', '.work');
const RESULTS = join(ROOT, 'bench', 'results.json');
const run = promisify(execFile);

type Results = Record<string, number>;
const GOALS: Record<string, { goal: number; lowerIsBetter: boolean }> = {
  eligibility_read_amplification: { goal: 1.05, lowerIsBetter: true },
  transitions_per_ask: { goal: 0.05, lowerIsBetter: true },
  orchestration_cost_ratio: { goal: 0.1, lowerIsBetter: true },
  max_bundle_kb: { goal: 300, lowerIsBetter: true },
  plan_rss_mb_1m: { goal: 512, lowerIsBetter: true },
  click_throughput_ratio: { goal: 0.8, lowerIsBetter: false },
  clicks_lost: { goal: 0, lowerIsBetter: true },
  report_seconds_1m_events: { goal: 5, lowerIsBetter: true },
  report_rss_mb_1m_events: { goal: 512, lowerIsBetter: true },
  report_vs_read_ratio: { goal: 1.5, lowerIsBetter: true },
  ask_pipeline_ratio: { goal: 0.5, lowerIsBetter: false },
  // Not a speed goal: a benchmark run that fails asks measures a broken wiring, not the product.
  bench_asks_failed: { goal: 0, lowerIsBetter: true },
};

// Prices (us-east-1, 2025): Step Functions standard, Lambda arm64, SES outbound email.
const PRICE = { perTransition: 0.025 / 1000, perRequest: 0.2 / 1_000_000, perGbSecond: 0.0000133334, sesPerEmail: 0.1 / 1000 };
// Memory the workflow stack configures per function (infra/workflow-stack.ts): ProcessBatch 1024 MB, others 256 MB.
const MEMORY_GB: Record<string, number> = { LoadCampaign: 0.25, QueryDuePage: 0.25, ProcessBatch: 1, Summarize: 0.25 };

const log = (s: string) => process.stderr.write(`${s}\n`);
// The SDK's notice that its 2027 releases need Node 22 (the lockfile pins releases that run on 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function workflowBench(count: number): Promise<Results> {
  const today = new Date().toISOString().slice(0, 10);
  const dynamo = await startDynamo({ port: 0, dataDir: null });
  const ses = await startSes({ port: 0 });
  const doc = createDocumentClient({ endpoint: dynamo.url });
  try {
    const table = 'bench-asks';
    await ensureTable(doc, table);
    const seedStarted = Date.now();
    const customers = generateCustomers({ count, seed: 4242, today });
    // Brand-new items go in with BatchWrite (CustomerStore.putMany checks with one BatchGet per 100 first).
    await new CustomerStore(doc, table).putMany(customers, { concurrency: 8 });
    const seedMs = Date.now() - seedStarted;
    customers.length = 0;
    log(`seeded ${count} customers in ${(seedMs / 1000).toFixed(1)} s`);

    const campaigns = unboundedBudgets();
    const deps = localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(WORK, 'keys.json'), smsOutboxFile: join(WORK, 'sms-outbox.jsonl'), campaigns });
    const { definition } = definitionFromCdkOut();
    const result = await runExecution({ definition, handlers: deps.handlers, input: { campaignId: 'signup-anniversary', at: `${today}T00:00:00Z`, mode: 'day', runDate: today } });
    if (result.error || !result.summary) throw new Error(`bench run failed: ${result.error}`);
    const totals = result.summary.totals;
    const due = Object.entries(totals).filter(([k]) => k !== 'not_due' && k !== 'batch_failed' && k !== 'invalid_customer').reduce((s, [, n]) => s + n, 0);
    const s = deps.stores;
    const itemsRead = [s.customers, s.asks, s.codes, s.budget, s.pending, s.loadCustomers].reduce((sum, st) => sum + st.readStats.itemsRead, 0);
    const sent = totals.sent ?? 0;
    const invocations = Object.values(result.invocations).reduce((n, i) => n + i.count, 0);
    const gbSeconds = Object.entries(result.invocations).reduce((sum, [name, i]) => sum + (i.totalMs / 1000) * (MEMORY_GB[name] ?? 0.25), 0);
    const perAsk = (result.transitions * PRICE.perTransition + invocations * PRICE.perRequest + gbSeconds * PRICE.perGbSecond) / Math.max(sent, 1);
    log(`run: ${JSON.stringify(totals)}; ${result.transitions} transitions, ${invocations} invocations, ${gbSeconds.toFixed(2)} GB-s, ${result.durationMs} ms`);
    return {
      eligibility_read_amplification: round(itemsRead / Math.max(due, 1), 4),
      transitions_per_ask: round(result.transitions / Math.max(sent, 1), 4),
      orchestration_cost_ratio: round(perAsk / PRICE.sesPerEmail, 4),
      bench_customers: count,
      bench_due_customers: due,
      bench_asks_sent: sent,
      bench_asks_failed: (totals.failed ?? 0) + (totals.batch_failed ?? 0),
      bench_state_transitions: result.transitions,
      bench_lambda_invocations: invocations,
      bench_seed_seconds: round(seedMs / 1000, 1),
      bench_run_seconds: round(result.durationMs / 1000, 2),
      suppression_keys_per_due: round(s.asks.suppressionKeysRequested / Math.max(due, 1), 3),
      orchestration_usd_per_1m_asks: round(perAsk * 1_000_000, 2),
    };
  } finally {
    doc.destroy();
    await ses.stop();
    await dynamo.stop();
  }
}

/** Every Lambda entry infra deploys: the `functions/...ts` literals in infra/*.ts (ProjectFunction entries). */
async function lambdaEntries(): Promise<string[]> {
  const entries = new Set<string>();
  for (const file of await readdir(join(ROOT, 'infra'))) {
    if (!file.endsWith('.ts') || file === 'lambda.ts') continue;
    for (const m of (await readFile(join(ROOT, 'infra', file), 'utf8')).matchAll(/'(functions\/[\w./-]+\.ts)'/g)) entries.add(m[1]!);
  }
  if (entries.size === 0) throw new Error('no Lambda entries found in infra/*.ts');
  return [...entries].sort();
}

/** index.mjs of every Lambda exactly as infra/lambda.ts ships it (infra/bundle.ts), and with the SDK bundled too. */
async function bundleBench(): Promise<Results> {
  const kb = (b: { code: Uint8Array }) => b.code.byteLength / 1024;
  const sizes: Array<{ entry: string; shipped: number; sdkBundled: number; noPlugins: number }> = [];
  for (const entry of await lambdaEntries()) {
    sizes.push({ entry, shipped: kb(await bundleEntry(entry)), sdkBundled: kb(await bundleEntry(entry, { sdkBundled: true })), noPlugins: kb(await bundleEntry(entry, { noPlugins: true })) });
  }
  sizes.sort((a, b) => b.shipped - a.shipped);
  log(`bundles (KB, shipped / sdk bundled): ${sizes.map((s) => `${s.entry.replace('functions/', '')} ${s.shipped.toFixed(0)}/${s.sdkBundled.toFixed(0)}`).join(', ')}`);
  const max = (pick: (s: (typeof sizes)[number]) => number) => round(Math.max(...sizes.map(pick)), 1);
  return { max_bundle_kb: max((s) => s.shipped), max_bundle_kb_sdk_bundled: max((s) => s.sdkBundled), max_bundle_kb_no_plugins: max((s) => s.noPlugins) };
}

/** A 1M-line JSONL export (50k generated customers, repeated with distinct ids), then `asks plan` over it in a child. */
async function planBench(lines: number): Promise<Results> {
  const file = join(WORK, `customers-${lines}.jsonl`);
  if (!existsSync(file) || statSync(file).size < 1000) {
    const base = generateCustomers({ count: 50_000, seed: 99, today: new Date().toISOString().slice(0, 10) }).map((c) => JSON.stringify(c));
    const out = createWriteStream(file);
    for (let i = 0; i < lines; i += 1) {
      const row = base[i % base.length]!.replace(/"id":"cus_99_/, `"id":"cus_99_${Math.floor(i / base.length)}_`);
      if (!out.write(`${row}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  const started = Date.now();
  const { stderr } = await run('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', join(ROOT, 'cli/main.ts'), 'plan', 'signup-anniversary', '--customers', file, '--days', '7', '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { plan_rss_mb_1m: round(kb / 1024, 1), plan_seconds_1m: round((Date.now() - started) / 1000, 1) };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main(): Promise<void> {
  await mkdir(WORK, { recursive: true });
  // A fresh clone has no cdk.out: the workflow step runs the synthesized state machine, so synthesize it first
  // (also when infra/ or campaigns/ changed since the last synth).
  const synthMs = await ensureSynth({ log });
  if (synthMs) log(`cdk synth took ${(synthMs / 1000).toFixed(1)} s`);
  const only = process.argv.slice(2);
  const want = (name: string) => only.length === 0 || only.includes(name);
  let results: Results = existsSync(RESULTS) ? (JSON.parse(await readFile(RESULTS, 'utf8')) as Results) : {};
  const step = async (name: string, fn: () => Promise<Results>) => {
    if (!want(name)) return;
    const t0 = Date.now();
    log(`▶ ${name}`);
    results = { ...results, ...(await fn()) };
    log(`  ${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  await step('workflow', () => workflowBench(Number(process.env.BENCH_CUSTOMERS ?? 100_000)));
  await step('pipeline', async () => (await import('./pipeline.js')).runPipelineBench({ workDir: WORK }));
  await step('bundles', bundleBench);
  await step('plan', () => planBench(Number(process.env.BENCH_PLAN_LINES ?? 1_000_000)));
  if (want('clicks') && existsSync(join(ROOT, 'bench', 'clicks.ts'))) {
    await step('clicks', async () => {
      const mod = (await import(['.', 'clicks.js'].join('/'))) as { runClickBench?: () => Promise<Results> };
      return mod.runClickBench ? mod.runClickBench() : {};
    });
  }
  await step('report', async () => (await import('./report.js')).runReportBench(ROOT, WORK));
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([key, value]) => {
    const g = GOALS[key];
    const pass = g ? (g.lowerIsBetter ? value <= g.goal : value >= g.goal) : undefined;
    return [key, String(value), g ? `${g.lowerIsBetter ? '<=' : '>='} ${g.goal}` : '', pass === undefined ? '' : pass ? 'pass' : 'FAIL'];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['key', 'value', 'goal', 'pass'][i]!.length));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${[line(['key', 'value', 'goal', 'pass']), ...rows.map(line)].join('\n')}\n`);
  await rm(join(WORK, 'keys.json'), { force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
