// The click benchmark (`npm run bench -- clicks`): what the real `GET /r/{code}` endpoint costs beyond the one write
// it must make, and whether every click it answered was stored.
//   click_throughput_ratio  rps of the real endpoint (local/http-server.ts, the real router, the click stored before
//                           the answer) / rps of a bare node:http server doing only the same PutItem and a 302
//                           (goal >= 0.8). Same dynalite, same load generator (autocannon), same connections and
//                           duration, on 127.0.0.1; the two sides run interleaved, a few rounds each, medians reported.
//   click_p99_ms            p99 latency of the real endpoint over the 20k-request run.
//   clicks_lost             clicks answered 2xx/3xx minus CLICK items stored after that run (goal 0).
// Every request is a distinct human click: a browser user-agent and no attribution cookie (autocannon keeps none).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { MemoryPublisher } from '../adapters/eventbridge.js';
import { nanoIds, systemClock } from '../adapters/clock.js';
import { generateKeyring } from '../core/links.js';
import { startDynamo } from '../local/servers.js';
import { startHttpServer } from '../local/http-server.js';
import type { HttpDeps } from '../functions/http/deps.js';
import { CLICK_PREFIX, codeKey, codePk } from '../adapters/dynamo/keys.js';
import { ReferralActivityStore } from '../adapters/dynamo/referral-activity.js';

const require = createRequire(import.meta.url);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  duration: number;
  errors: number;
  timeouts: number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

const TABLE = 'bench-clicks';
const CAMPAIGN = 'signup-anniversary';
/** Referral codes (10 chars of the code alphabet): one for the throughput rounds, one for the 20k run, one for the bare side. */
const CODES = { rounds: 'bench23456', lost: 'sent234567', bare: 'bare234567' } as const;
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

const CONNECTIONS = Number(process.env.BENCH_CLICK_CONNECTIONS ?? 16);
const DURATION_S = Number(process.env.BENCH_CLICK_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_CLICK_ROUNDS ?? 7);
const LOST_REQUESTS = Number(process.env.BENCH_CLICK_LOST_REQUESTS ?? 20_000);

const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function load(url: string, opts: { duration?: number; amount?: number }): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    headers: { 'user-agent': USER_AGENT, accept: 'text/html' },
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? DURATION_S }),
  });
}

/** Answered clicks (2xx/3xx); anything else in a run means the bench itself is broken. */
function answered(r: AutocannonResult): number {
  return r['2xx'] + r['3xx'];
}

function rps(r: AutocannonResult): number {
  return answered(r) / r.duration;
}

async function seedCode(doc: DynamoDBDocumentClient, code: string): Promise<void> {
  await doc.send(
    new PutCommand({ TableName: TABLE, Item: { ...codeKey(code), entity: 'code', code, customerId: `adv-${code}`, campaignId: CAMPAIGN, askId: `adv-${code}~signup_anniversary#2026`, firstName: 'Olivia' } }),
  );
}

async function countClicks(doc: DynamoDBDocumentClient, code: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': codePk(code), ':p': CLICK_PREFIX },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The baseline: a bare node:http server that makes the same single PutItem of a click and answers 302. */
async function startBareServer(doc: DynamoDBDocumentClient, location: string): Promise<{ url: string; close(): Promise<void> }> {
  const activity = new ReferralActivityStore(doc, TABLE);
  const server: Server = createServer((req, res) => {
    const clickId = nanoIds.id(16);
    const at = new Date().toISOString();
    // The same adapter and item schema as the click route: only the route's own work differs.
    activity
      .putClick({ clickId, visitorId: nanoIds.id(16), referralCode: CODES.bare, campaignId: CAMPAIGN, advocateId: `adv-${CODES.bare}`, at })
      .then(() => {
        res.writeHead(302, { location: `${location}&click=${clickId}` });
        res.end();
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export async function runClickBench(): Promise<Record<string, number>> {
  const dynamo = await startDynamo({ port: 0, dataDir: null });
  // Each side gets its own document client, configured the same way.
  const seedDoc = createDocumentClient({ endpoint: dynamo.url });
  const realDoc = createDocumentClient({ endpoint: dynamo.url });
  const bareDoc = createDocumentClient({ endpoint: dynamo.url });
  let real: { url: string; close(): Promise<void> } | undefined;
  let bare: { url: string; close(): Promise<void> } | undefined;
  try {
    await ensureTable(seedDoc, TABLE);
    for (const code of Object.values(CODES)) await seedCode(seedDoc, code);
    const deps: HttpDeps = {
      doc: realDoc,
      tableName: TABLE,
      keyring: generateKeyring(randomBytes, 'bench'),
      clock: systemClock,
      ids: nanoIds,
      baseUrl: 'http://localhost:3000',
      campaigns: new FileCampaignRepository(),
      publisher: new MemoryPublisher(),
      insecureCookies: true,
    };
    real = await startHttpServer({ port: 0, deps });
    bare = await startBareServer(bareDoc, `http://localhost:3000/l/${CAMPAIGN}?ref=${CODES.bare}`);
    const realUrl = `${real.url}/r/${CODES.rounds}`;
    const bareUrl = bare.url;

    // Sanity: the real endpoint answers a human click with the redirect, not the 404 page.
    const probe = await fetch(realUrl, { redirect: 'manual', headers: { 'user-agent': USER_AGENT } });
    if (probe.status !== 302) throw new Error(`click endpoint answered ${probe.status}, expected 302`);

    log(`  warm-up (${CONNECTIONS} connections)`);
    await load(realUrl, { duration: 3 });
    await load(bareUrl, { duration: 3 });

    const realRps: number[] = [];
    const bareRps: number[] = [];
    // CPU time of this process per answered request: unlike rps, barely moved by other load on the machine.
    const realCpu: number[] = [];
    const bareCpu: number[] = [];
    const realP99: number[] = [];
    const bareP99: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      // Alternate which side goes first so drift (other load on the machine, a growing table) hits both alike.
      const order = i % 2 === 0 ? (['real', 'bare'] as const) : (['bare', 'real'] as const);
      for (const side of order) {
        const cpu0 = process.cpuUsage();
        const r = await load(side === 'real' ? realUrl : bareUrl, { duration: DURATION_S });
        const cpu = process.cpuUsage(cpu0);
        (side === 'real' ? realCpu : bareCpu).push((cpu.user + cpu.system) / Math.max(answered(r), 1));
        const bad = r.non2xx - r['3xx'] + r.errors + r.timeouts;
        if (bad > 0) throw new Error(`${side} round ${i + 1}: ${bad} requests failed (${JSON.stringify({ '4xx': r['4xx'], '5xx': r['5xx'], errors: r.errors, timeouts: r.timeouts })})`);
        (side === 'real' ? realRps : bareRps).push(rps(r));
        (side === 'real' ? realP99 : bareP99).push(r.latency.p99);
        log(`  round ${i + 1} ${side}: ${rps(r).toFixed(0)} rps, p99 ${r.latency.p99} ms, ${((cpu.user + cpu.system) / Math.max(answered(r), 1)).toFixed(0)} µs CPU/request`);
      }
    }

    log(`  ${LOST_REQUESTS} clicks to the real endpoint`);
    const lostRun = await load(`${real.url}/r/${CODES.lost}`, { amount: LOST_REQUESTS });
    const sent = answered(lostRun);
    const stored = await countClicks(seedDoc, CODES.lost);
    log(`  sent ${sent} (errors ${lostRun.errors}, timeouts ${lostRun.timeouts}, 4xx ${lostRun['4xx']}, 5xx ${lostRun['5xx']}), stored ${stored}, p99 ${lostRun.latency.p99} ms`);

    const realMedian = median(realRps);
    const bareMedian = median(bareRps);
    return {
      click_throughput_ratio: round(realMedian / bareMedian, 3),
      click_p99_ms: lostRun.latency.p99,
      clicks_lost: sent - stored,
      clicks_sent: sent,
      clicks_stored: stored,
      click_rps_real: round(realMedian, 0),
      click_rps_bare: round(bareMedian, 0),
      click_rps_real_20k_run: round(rps(lostRun), 0),
      click_p99_ms_rounds_real: median(realP99),
      click_p99_ms_rounds_bare: median(bareP99),
      // Diagnostics: the same comparison in CPU time per request (this process: server, dynalite and load generator).
      click_cpu_us_per_request_real: round(median(realCpu), 0),
      click_cpu_us_per_request_bare: round(median(bareCpu), 0),
      click_cpu_ratio: round(median(bareCpu) / median(realCpu), 3),
      click_bench_connections: CONNECTIONS,
      click_bench_rounds: ROUNDS,
    };
  } finally {
    await real?.close();
    await bare?.close();
    for (const d of [seedDoc, realDoc, bareDoc]) d.destroy();
    await dynamo.stop();
  }
}
