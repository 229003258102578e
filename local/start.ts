// `npm start`: the whole product on this machine, no Docker, no AWS account. Starts DynamoDB (dynalite), SES v2
// (aws-ses-v2-local) and the HTTP API; seeds demo customers when the table is empty; runs every active campaign for
// today through the deployed state machine definition; writes each sent email to .local/mailbox/<messageId>.eml;
// prints the funnel and the URLs to open; keeps serving until Ctrl-C (`npm start -- --no-serve` exits instead).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MilestoneStore } from '../adapters/dynamo/milestones.js';
import { sweepExpired } from '../adapters/dynamo/retention.js';
import { parseRetentionDays } from '../core/privacy.js';
import { generateCustomers } from '../core/seed.js';
import { matchesAll } from '../core/predicates.js';
import type { Customer } from '../core/schemas/customer.js';
import type { Counts, RunInput } from '../core/schemas/workflow.js';
import { dayRunAt } from '../core/workflow/plan.js';
import { loadRunDefinition } from './definition.js';
import { startLocalEnvironment, type LocalEnvironment } from './environment.js';
import { runExecution, type LocalRunResult } from './run-campaign.js';
import { fetchEml, listEmails } from './servers.js';
import { simulateAfterAsks } from './demo.js';
import { localPages } from './http-server.js';
import { asksByCampaignGsi, GSI1_INDEX } from '../adapters/dynamo/keys.js';


function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Seed the demo base once: an empty partition registry means nobody was imported or seeded yet. */
export async function seedIfEmpty(env: LocalEnvironment, day: string, log: (s: string) => void): Promise<number> {
  if ((await env.customers.listPartitions()).length > 0) return 0;
  const started = Date.now();
  // A larger share than `asks seed` so today's demo run has a few dozen people to ask.
  const customers = [...generateCustomers({ count: Number(process.env.DEMO_CUSTOMERS ?? 2000), seed: 42, today: day, dueTodayShare: 0.03 }), ...overseasRegulars(day)];
  // Stated consents go to the consent ledger as an import would (`asks customer <id>` shows them).
  await env.customers.putMany(customers, { consentLedger: { at: new Date().toISOString(), source: 'import' } });
  log(`seeded ${customers.length} demo customers in ${Date.now() - started} ms`);
  const crossed = await replayDemoActivity(env, customers, new Date());
  log(`replayed recent demo activity: ${crossed} threshold milestones due today (10th orders, finished projects)`);
  return customers.length;
}

/** French zones around the world (Réunion, Nouméa, Martinique, Tahiti): at any hour one of them is awake. */
const OVERSEAS_FR = ['Indian/Reunion', 'Pacific/Noumea', 'America/Martinique', 'Pacific/Tahiti'];

/**
 * Regulars in France's overseas departments, one order short of ten, consenting to email: the order-milestone
 * campaign (EU countries, quiet 21:00-08:00) then has someone to ask whatever the hour of the demo, where mainland
 * Europe may be asleep.
 */
export function overseasRegulars(day: string): Customer[] {
  return generateCustomers({ count: 8, seed: 4242, today: day, zones: OVERSEAS_FR }).map((c, i) => {
    const { lastRefundAt: _refund, ...rest } = c;
    return {
      ...rest,
      id: `cus_fr_${String(i).padStart(3, '0')}`,
      email: `client.fr${i}@example.com`,
      country: 'FR',
      locale: 'fr-FR',
      currency: 'EUR',
      counters: { ...c.counters, orders: 9 },
      consents: { ...c.consents, email: true },
      optOut: false,
      doNotAsk: false,
      openSupportTicket: false,
    };
  });
}

/**
 * Recent activity for the demo, through the same code path as `customer.activity` events: customers one order short
 * of ten place an order and some business accounts finish a project, timed so the campaigns' ask delay has just
 * passed. Returns how many milestone records were written.
 */
export async function replayDemoActivity(env: LocalEnvironment, customers: readonly Customer[], now: Date): Promise<number> {
  const campaigns = (await env.deps.campaigns.list()).filter((c) => c.status === 'active');
  const delayOf = (kind: string) => campaigns.find((c) => c.milestone.kind === kind)?.milestone.askDelayHours ?? 0;
  // Due a few minutes ago, but never before today's midnight UTC (the run reads today's pending milestones).
  const due = Math.max(now.getTime() - 5 * 60_000, Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`));
  const at = (kind: string) => new Date(due - delayOf(kind) * 3_600_000).toISOString();
  const store = new MilestoneStore(env.doc, env.tableName);
  let written = 0;
  // One order short of ten, and inside the order-milestone campaign's audience (its countries).
  const nth = campaigns.find((c) => c.milestone.kind === 'nth_purchase');
  const fitting = customers.filter((c) => c.counters.orders === 9 && (!nth || matchesAll(nth.audience.all, c)));
  const orders = [...fitting.filter((c) => c.id.startsWith('cus_fr_')), ...fitting.filter((c) => !c.id.startsWith('cus_fr_'))].slice(0, 40);
  const projects = customers.filter((c) => c.plan === 'business' || c.plan === 'enterprise').slice(0, 15);
  for (const c of orders) {
    const r = await store.applyActivity({ type: 'order_completed', customerId: c.id, orderId: `demo-${c.id}`, amountMinor: 4200, currency: c.currency ?? 'EUR', at: at('nth_purchase') }, campaigns, now.toISOString());
    written += r.milestones.filter((m) => m.written).length;
  }
  for (const c of projects) {
    const r = await store.applyActivity({ type: 'project_completed', customerId: c.id, projectId: `demo-${c.id}`, at: at('project_completed') }, campaigns, now.toISOString());
    written += r.milestones.filter((m) => m.written).length;
  }
  return written;
}

/**
 * The report over the local event log: the funnel through rewards for the terminal, and the HTML report written to
 * .local/report.html and served at /report by the local HTTP server.
 */
export async function writeDemoReport(env: LocalEnvironment): Promise<{ file: string; lines: string[] }> {
  const { localReport } = await import('../adapters/analytics/local-report.js');
  const { renderReportHtml } = await import('../adapters/analytics/report-html.js');
  const { reportLines } = await import('../cli/commands/report.js');
  const report = await localReport({ eventsFile: join(env.stateDir, 'events.jsonl'), campaigns: env.deps.campaigns });
  const file = join(env.stateDir, 'report.html');
  await writeFile(file, renderReportHtml(report, { note: 'Includes demo data: simulated friends (demo-friend-*) and orders (demo-order-*).' }));
  localPages.set('/report', () => readFile(file, 'utf8'));
  const all = reportLines(report);
  const end = all.indexOf('', 3);
  return { file, lines: all.slice(2, end === -1 ? undefined : end) };
}

/** Run one campaign for a local date; the progress bar moves per batch. */
export async function runDay(env: LocalEnvironment, definition: Record<string, unknown>, campaignId: string, day: string, options: { progress?: boolean } = {}): Promise<LocalRunResult> {
  // The run's clock: now for today, else the campaign's send hour on that day (core/workflow/plan.ts dayRunAt).
  const campaign = await env.deps.campaigns.get(campaignId);
  const input: RunInput = { campaignId, at: dayRunAt(campaign, day, new Date()), mode: 'day', runDate: day };
  const bar = options.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: `${campaignId.padEnd(24)} [{bar}] {value} batches | {sent} sent`, stream: process.stderr, clearOnComplete: false }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(1, 0, { sent: 0 });
  try {
    return await runExecution({
      definition,
      handlers: env.deps.handlers,
      input,
      onProgress: (p) => {
        bar?.setTotal(Math.max(p.batchesDone, 1));
        bar?.update(p.batchesDone, { sent: p.counts.sent ?? 0 });
      },
    });
  } finally {
    bar?.stop();
  }
}

/** Write every email the SES server holds as .local/mailbox/<messageId>.eml; returns the files written. */
export async function exportMailbox(env: LocalEnvironment): Promise<string[]> {
  const dir = join(env.stateDir, 'mailbox');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const email of await listEmails(env.ses.url)) {
    const eml = await fetchEml(env.ses.url, email.messageId, { listed: true });
    if (eml === undefined) continue;
    const file = join(dir, `${email.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
    await writeFile(file, eml);
    files.push(file);
  }
  return files;
}

/** The share page and status page links in a raw message (quoted-printable soft breaks undone). */
function askLinks(eml: string | undefined): { share?: string; status?: string } {
  const text = eml?.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const link = (path: string) => text?.match(new RegExp(`https?://[^\\s"'<>]+/${path}/[A-Za-z0-9_.=-]+`))?.[0];
  const share = link('s');
  const status = link('me');
  return { ...(share ? { share } : {}), ...(status ? { status } : {}) };
}

/**
 * The share page and status page URLs of one email ask: from today's run, or (when everybody due was asked by an
 * earlier start) from a message kept in the mailbox folder.
 */
async function oneAskLinks(env: LocalEnvironment, campaignIds: string[], mailbox: string[]): Promise<{ share?: string; status?: string }> {
  for (const id of campaignIds) {
    const out = await env.doc.send(new QueryCommand({ TableName: env.tableName, IndexName: GSI1_INDEX, KeyConditionExpression: 'GSI1PK = :p', ExpressionAttributeValues: { ':p': asksByCampaignGsi(id) }, Limit: 200 }));
    const sent = (out.Items ?? []).find((i) => i.status === 'sent' && i.channel === 'email');
    if (!sent) continue;
    const links = askLinks(await fetchEml(env.ses.url, String(sent.messageId)));
    if (links.share) return links;
  }
  for (const file of mailbox) {
    const links = askLinks(await readFile(file, 'utf8'));
    if (links.share) return links;
  }
  return {};
}

/** Counts of the run itself, not of customers: batches that failed, a campaign found inactive. */
const RUN_LEVEL_COUNTS = new Set(['batch_failed', 'campaign_inactive']);
/** The headline outcomes, always shown (0 too); any other count follows them by name. */
const HEADLINE: Array<[key: string, label: string]> = [
  ['sent', 'asked'],
  ['held_out', 'held out'],
  ['skipped', 'skipped'],
  ['deferred', 'deferred'],
  ['failed', 'failed'],
];

/**
 * A run's summary, printed by `asks run` and `npm start`: every counted outcome and reason appears, so the customer
 * counts add up to the customers the run read (`N counted`): the headline outcomes, then every other outcome by name
 * (already_held_out, in_flight, not_due, ...), then one line per skip reason; run-level counts (batches failed) after.
 */
export function funnelLines(campaignId: string, totals: Counts): string[] {
  const skipped = Object.entries(totals).filter(([k, n]) => k.startsWith('skipped:') && n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const byOutcome: Record<string, number> = { skipped: skipped.reduce((s, [, n]) => s + n, 0) };
  for (const [k, n] of Object.entries(totals)) if (!k.startsWith('skipped:') && !RUN_LEVEL_COUNTS.has(k)) byOutcome[k] = (byOutcome[k] ?? 0) + n;
  const counted = Object.values(byOutcome).reduce((s, n) => s + n, 0);
  const headline = HEADLINE.map(([k, label]) => `${byOutcome[k] ?? 0} ${label}`);
  const others = Object.entries(byOutcome)
    .filter(([k, n]) => n > 0 && !HEADLINE.some(([h]) => h === k))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} ${k}`);
  const runLevel = [...RUN_LEVEL_COUNTS].filter((k) => (totals[k] ?? 0) > 0).map((k) => `${totals[k]} ${k === 'batch_failed' ? 'batches failed' : 'campaign inactive'}`);
  const lines = [`  ${campaignId}: ${counted} counted: ${[...headline, ...others].join(', ')}${runLevel.length ? `; ${runLevel.join(', ')}` : ''}`];
  for (const [k, n] of skipped) lines.push(`      skipped ${k.slice('skipped:'.length).padEnd(22)} ${n}`);
  return lines;
}

/**
 * `npm start` without the servers' lifecycle (tests call it on an environment of their own): seed when empty, run every
 * active campaign for `day`, simulate the friends and the orders after the asks made since `since`, write the report.
 */
export async function runDemo(env: LocalEnvironment, definition: Record<string, unknown>, day: string, log: (...s: string[]) => void, since: string) {
  await seedIfEmpty(env, day, log);
  // dynalite has no TTL: clicks (with visitor ids) and leads past the retention period go here (docs/privacy.md).
  const swept = await sweepExpired(env.doc, env.tableName, new Date(), parseRetentionDays(process.env.RETENTION_DAYS));
  const sweptTotal = Object.values(swept.deleted).reduce((a, b) => a + b, 0);
  if (sweptTotal > 0) log(`retention: deleted ${sweptTotal} expired items (${Object.entries(swept.deleted).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const campaigns = (await env.deps.campaigns.list()).filter((c) => c.status === 'active');
  log(`running ${campaigns.length} active campaigns for ${day}`);
  const lines: string[] = [];
  let failed = false;
  for (const campaign of campaigns) {
    const result = await runDay(env, definition, campaign.id, day, { progress: true });
    if (result.error || !result.summary) {
      failed = true;
      lines.push(`  ${campaign.id}: run failed: ${result.error ?? 'no summary'}`);
      continue;
    }
    lines.push(...funnelLines(campaign.id, result.summary.totals));
  }
  await exportMailbox(env);
  const demo = env.http ? await simulateAfterAsks(env, env.http.url, since) : undefined;
  const report = await writeDemoReport(env);
  return { campaigns, lines, failed, demo, report };
}

/**
 * Where to look after `npm start`. Serving: the URLs to open (share and status page, mailbox, report, HTTP API) and
 * the files. With --no-serve the servers stop when the command ends, so only the files (report, mailbox folder, events)
 * and a note that the URLs need `npm start` without --no-serve.
 */
export function whereLines(w: { serve: boolean; stateDir: string; emlFiles: number; reportFile: string; sesUrl: string; httpUrl?: string; share?: string; status?: string }): string[] {
  const files = [`  mailbox folder    ${join(w.stateDir, 'mailbox')} (${w.emlFiles} .eml files)`, `  events            ${join(w.stateDir, 'events.jsonl')}`];
  if (!w.serve) {
    return ['Files:', `  the report        ${w.reportFile}`, ...files, 'The share and status pages, the mailbox viewer, the report page and the HTTP API are served only while `npm start` runs without --no-serve.'];
  }
  return [
    'Open:',
    ...(w.share ? [`  a share page      ${w.share}`] : []),
    ...(w.status ? [`  its status page   ${w.status}`] : []),
    `  the mailbox       ${w.sesUrl}`,
    ...files,
    `  the report        ${w.httpUrl ? `${w.httpUrl}/report` : w.reportFile} (${w.reportFile})`,
    ...(w.httpUrl ? [`  HTTP API          ${w.httpUrl}`, `  webhook secret    ${join(w.stateDir, 'webhook-secret')} (POST /conversions, see docs/http.md)`] : []),
  ];
}

async function main(): Promise<void> {
  const serve = !process.argv.includes('--no-serve');
  const log = (...s: string[]) => void process.stdout.write(`${s.join("\n")}\n`);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // The SDK's notice that its 2027 releases need Node 22 (the lockfile pins releases that run on 20): noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  const { definition, synthMs } = await loadRunDefinition({ log });
  if (synthMs) log(`cdk synth took ${(synthMs / 1000).toFixed(1)} s`);
  const env = await startLocalEnvironment({ http: true });
  log(`DynamoDB ${env.dynamo.url}${env.dynamo.reused ? ' (already running)' : ''} · SES ${env.ses.url}${env.ses.reused ? ' (already running)' : ''} · table ${env.tableName}`);
  if (env.httpNote) log(env.httpNote);
  const { campaigns, lines, failed, demo, report } = await runDemo(env, definition, today(), log, new Date(started).toISOString());
  const mailboxDir = join(env.stateDir, 'mailbox');
  const files = (await readdir(mailboxDir)).filter((f) => f.endsWith('.eml')).map((f) => join(mailboxDir, f));
  const links = await oneAskLinks(env, campaigns.map((c) => c.id), files);
  log('', 'Runs', ...lines, '');
  if (demo) log(`Demo (simulated through the real handlers; friends are demo-friend-*): ${demo.delivered} emails delivered, ${demo.bounced} bounced, ${demo.complained} complained, ${demo.visits} share-page visits, ${demo.shares} shares, ${demo.clicks} clicks, ${demo.leads} leads, ${demo.signups} signups, ${demo.purchases} purchases; ${demo.orders} customer orders (asked, held out, organic)`, '');
  log(...report.lines, '');
  log(...whereLines({ serve, stateDir: env.stateDir, emlFiles: files.length, reportFile: report.file, sesUrl: env.ses.url, ...(env.http ? { httpUrl: env.http.url } : {}), ...links }));
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!serve) {
    await env.stop();
    process.exit(failed ? 1 : 0);
  }
  log('serving; Ctrl-C to stop');
  const stop = async () => {
    await env.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
