// `asks simulate`: the hourly schedule of every active campaign over N simulated days on the local stack (in-memory
// dynalite on a random port, the SES v2 local server behind a fault proxy, aws-local-stepfunctions with the
// synthesized definition and the real handlers), with a simulated clock, injected faults (ProcessBatch crashes, SES
// throttling, process kills) and random customer activity, all drawn from one seeded PRNG. The oracle
// (local/sim-oracle.ts) then checks the invariants from the inputs alone.
//
// A `Simulation` is a world you drive step by step (`order`, `project`, `optOut`, `bounce`, `convert`, `runHour`),
// so the random driver here and the fast-check model test drive the same thing.
import './polyfills.js';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeTagValue } from '../core/email-headers.js';
import { DateTime } from 'luxon';
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { MilestoneStore } from '../adapters/dynamo/milestones.js';
import { PreferenceStore } from '../adapters/dynamo/preferences.js';
import { SuppressionStore } from '../adapters/dynamo/suppressions.js';
import { MemoryPublisher } from '../adapters/eventbridge.js';
import { codePointerSk, customerPk, ledgerPk } from '../adapters/dynamo/keys.js';
import { DynamoRunStore } from '../adapters/dynamo/runs.js';
import { recordConversion } from '../core/conversions.js';
import type { CampaignRepository, ChannelSender, Clock } from '../core/ports.js';
import type { Campaign } from '../core/schemas/campaign.js';
import { Customer } from '../core/schemas/customer.js';
import { mulberry32, type Random } from '../core/seed.js';
import { conversionDeps } from '../functions/conversions/wiring.js';
import { loadRunDefinition } from './definition.js';
import { localDeps, runExecution } from './run-campaign.js';
import { startDynamo, startSes, type StartedServer } from './servers.js';
import { checkInvariants, type FaultRecord, type ObservedAsk, type ObservedReward, type ObservedRun, type ObservedSend, type OracleReport, type SimEvent } from './sim-oracle.js';

const HOUR_MS = 3_600_000;
/** Real time one simulated execution may take before the simulation reports it hung. */
const EXECUTION_WATCHDOG_MS = 120_000;

export interface Faults {
  /** Probability that a ProcessBatch invocation crashes part way (the Lambda dies: `Lambda.Unknown`). */
  crash: number;
  /** Probability that one SendEmail call is throttled by SES (429 TooManyRequestsException). */
  throttle: number;
  /** Probability that an execution's process is killed at a random point (the execution is aborted). */
  kill: number;
}

export const NO_FAULTS: Faults = { crash: 0, throttle: 0, kill: 0 };

/**
 * Where a killed execution's process dies (drawn per killed execution, seeded), counted from the execution's start:
 * before its m-th ask claim is written (after the budget reservation), right after it, after the m-th email's send
 * marker (the channel never called), after the provider accepted the m-th email but before anything recorded it, or
 * in Summarize (before or after the run record). From then on nothing of that execution gets an answer: DynamoDB
 * calls and sends in flight may still take effect, but the process never learns, as when a process is killed.
 */
export const KILL_POINTS = ['before_claim', 'after_claim', 'after_marker', 'after_send', 'summarize'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

/** `crash=0.1,throttle=0.3,kill=0.05` -> Faults; throws a message naming the bad part. */
export function parseFaults(text: string): Faults {
  const faults = { ...NO_FAULTS };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (!key || !(key in faults) || value === undefined || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--faults: "${part}" is not one of crash=P, throttle=P, kill=P with 0 <= P <= 1`);
    faults[key as keyof Faults] = n;
  }
  return faults;
}

export interface SimulateOptions {
  days: number;
  seed: number;
  faults?: Faults;
  /** Customers generated (default 60). */
  customers?: number;
  /** First simulated day, UTC (default 2026-03-01: both 2026 DST changes of Europe and the US are in March). */
  startDate?: string;
  /** Multiply every campaign's budget (tight budgets exercise the budget rule). */
  budgetScale?: number;
  /** Relative weights of the kill points a killed execution draws from (default: all 1). */
  killWeights?: Partial<Record<KillPoint, number>>;
  /** Daily probabilities per customer of the random activity. */
  rates?: Partial<Rates>;
  log?: (line: string) => void;
}

export interface Rates {
  order: number;
  project: number;
  optOut: number;
  bounce: number;
  conversion: number;
}

const DEFAULT_RATES: Rates = { order: 0.35, project: 0.08, optOut: 0.004, bounce: 0.004, conversion: 0.05 };

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata'];
const COUNTRIES = ['DE', 'FR', 'NL', 'AT', 'US', 'GB'];
const PLANS = ['consumer', 'business', 'enterprise'];

export interface SimulationReport extends OracleReport {
  seed: number;
  days: number;
  customers: number;
  faults: Faults;
  executions: number;
  injected: { crash: number; throttle: number; kill: number };
  /** Kills by the point the process died at. */
  kills: Partial<Record<KillPoint, number>>;
  sent: number;
  events: Record<string, number>;
  durationMs: number;
}

const pick = <T>(rand: Random, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A kill point drawn by weight. */
function weighted(rand: Random, weights: Record<KillPoint, number>): KillPoint {
  const total = KILL_POINTS.reduce((n, p) => n + Math.max(0, weights[p]), 0);
  let r = rand() * total;
  for (const p of KILL_POINTS) {
    r -= Math.max(0, weights[p]);
    if (r < 0) return p;
  }
  return KILL_POINTS[KILL_POINTS.length - 1]!;
}

/** Customers whose milestones fall inside the window: anniversaries within it, orders near a threshold, B2B plans. */
export function generateSimCustomers(rand: Random, count: number, startDate: string, days: number): Customer[] {
  const start = DateTime.fromISO(startDate, { zone: 'utc' });
  return Array.from({ length: count }, (_, i) => {
    const id = `sim-${String(i).padStart(4, '0')}`;
    const zone = pick(rand, ZONES);
    const years = 1 + Math.floor(rand() * 7);
    const inWindow = rand() < 0.7;
    const signup = start.plus({ days: inWindow ? Math.floor(rand() * days) : days + 1 + Math.floor(rand() * 300) }).minus({ years });
    const hasEmail = rand() < 0.9;
    const phone = rand() < 0.4 ? `+49151${String(1_000_000 + Math.floor(rand() * 8_999_999))}` : undefined;
    const consents: Record<string, boolean> = { email: hasEmail && rand() < 0.85, ...(phone ? { sms: rand() < 0.6 } : {}) };
    return Customer.parse({
      id,
      firstName: `Sim${i}`,
      ...(hasEmail ? { email: `${id}@example.com` } : {}),
      ...(phone ? { phone } : {}),
      timezone: zone,
      country: pick(rand, COUNTRIES),
      signupDate: signup.toFormat('yyyy-MM-dd'),
      plan: pick(rand, PLANS),
      consents,
      counters: { orders: Math.floor(rand() * 12), projectsCompleted: Math.floor(rand() * 3), lifetimeSpendMinor: 0, successfulReferrals: 0 },
      optOut: rand() < 0.03,
      doNotAsk: rand() < 0.02,
      openSupportTicket: rand() < 0.05,
    });
  });
}

/** What the SES server accepted (the message went out), from the request's email tags and the answer. */
export interface AcceptedEmail {
  askId: string;
  campaignId: string;
  customerId: string;
  messageId: string;
}

/**
 * The execution's hooks into the proxy: `beforeForward` may hold a send (the process died before calling the provider:
 * true = never forwarded, never answered); `afterAccepted` sees each accepted email and may hold its answer (true).
 */
interface ProxyHooks {
  beforeForward?: (tags: Record<string, string>) => boolean;
  afterAccepted?: (email: AcceptedEmail) => boolean;
}

/** An HTTP proxy in front of the SES server: throttles calls with a probability, records what SES accepted, and holds calls of a dead process. */
class SesFaultProxy {
  private server: Server;
  url = '';
  throttled = 0;
  hooks: ProxyHooks = {};
  /**
   * The execution whose process may call through now: each execution's SES client has its own path prefix
   * (`/x/<n>`), and a call of an earlier execution's process (one that was killed: an SDK retry in flight) is held.
   */
  current = 0;
  private held: ServerResponse[] = [];

  constructor(
    private readonly target: string,
    private readonly rand: Random,
    public throttle: number,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', () => ok()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const prefix = /^\/x\/(\d+)(\/.*)?$/.exec(req.url ?? '');
      const path = prefix ? (prefix[2] ?? '/') : (req.url ?? '/');
      const isSend = req.method === 'POST' && path.includes('/outbound-emails');
      const body = Buffer.concat(chunks);
      const tags = isSend ? emailTags(body) : {};
      const hooks = this.hooks;
      const stale = prefix !== null && Number(prefix[1]) !== this.current;
      if (isSend && (stale || hooks.beforeForward?.(tags))) {
        this.held.push(res);
        return;
      }
      if (isSend && this.throttle > 0 && this.rand() < this.throttle) {
        this.throttled += 1;
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      const url = new URL(path, this.target);
      const fwd = httpRequest(url, { method: req.method, headers: req.headers }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          const text = Buffer.concat(answer);
          if (isSend && (up.statusCode ?? 500) < 300) {
            const messageId = (JSON.parse(text.toString('utf8') || '{}') as { MessageId?: string }).MessageId ?? '';
            const email = { askId: tags.askId ?? '', campaignId: tags.campaignId ?? '', customerId: tags.customerId ?? '', messageId };
            if (hooks.afterAccepted?.(email)) {
              this.held.push(res);
              return;
            }
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(text);
        });
      });
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(body);
    });
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    await new Promise<void>((ok) => {
      this.server.closeAllConnections();
      this.server.close(() => ok());
    });
  }
}

/** The SES v2 SendEmail request's email tags (askId, campaignId, customerId), decoded. */
function emailTags(body: Buffer): Record<string, string> {
  try {
    const input = JSON.parse(body.toString('utf8')) as { EmailTags?: Array<{ Name: string; Value: string }> };
    return Object.fromEntries((input.EmailTags ?? []).map((t) => [t.Name, decodeTagValue(t.Value) ?? t.Value]));
  } catch {
    return {};
  }
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * The table as one execution's process sees it: once `dead()`, no call gets an answer (a call in flight may still take
 * effect). `before(command)` may kill before a command goes out, `after(command)` right after it took effect.
 */
function killableDoc(doc: DynamoDBDocumentClient, dead: () => boolean, before: (command: unknown) => void, after: (command: unknown) => void): DynamoDBDocumentClient {
  const send = async (command: unknown): Promise<unknown> => {
    if (dead()) return never();
    before(command);
    if (dead()) return never();
    let result: unknown;
    try {
      result = await (doc.send as (c: unknown) => Promise<unknown>)(command);
    } catch (error) {
      if (dead()) return never();
      throw error;
    }
    after(command);
    if (dead()) return never();
    return result;
  };
  return new Proxy(doc, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

/** The simulated world: local servers, the table, the clock, the inputs so far and what the system did. */
export class Simulation {
  readonly inputs: { customers: Customer[]; events: SimEvent[] } = { customers: [], events: [] };
  readonly sends: ObservedSend[] = [];
  readonly faultLog: FaultRecord[] = [];
  readonly injected = { crash: 0, throttle: 0, kill: 0 };
  readonly kills: Partial<Record<KillPoint, number>> = {};
  /** The scheduled hour being run (messages the SES proxy sees belong to it). */
  private currentHour = '';
  executions = 0;
  /** Hours from the start up to the last scheduled fire run (the oracle's window). */
  hoursRun = 0;
  private nowMs: number;
  private ticks = 0;
  readonly clock: Clock = { now: () => new Date(this.nowMs + (this.ticks += 1)) };
  private codes = new Map<string, string>();
  private readonly publisher = new MemoryPublisher();

  private constructor(
    readonly options: Required<Pick<SimulateOptions, 'seed' | 'days' | 'startDate'>> & { faults: Faults; rates: Rates; budgetScale: number; killWeights: Record<KillPoint, number> },
    readonly rand: Random,
    private readonly dynamo: StartedServer,
    private readonly ses: StartedServer,
    private readonly proxy: SesFaultProxy,
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly campaigns: Campaign[],
    private readonly repo: CampaignRepository,
    private readonly definition: Record<string, unknown>,
    private readonly stateDir: string,
  ) {
    this.nowMs = Date.parse(`${options.startDate}T00:00:00Z`);
  }

  /** Start the local servers and an empty table. */
  static async start(options: Omit<SimulateOptions, 'customers' | 'log'>): Promise<Simulation> {
    const rand = mulberry32(options.seed);
    const faults = options.faults ?? NO_FAULTS;
    // Before any server starts (a failed synth must not leave them running): synthesizes first when cdk.out is
    // missing or stale (a fresh clone), like npm start and asks run.
    const { definition } = await loadRunDefinition();
    const dynamo = await startDynamo({ port: 0, dataDir: null });
    const ses = await startSes({ port: 0 });
    const proxy = new SesFaultProxy(ses.url, mulberry32(options.seed ^ 0x5e5), faults.throttle);
    await proxy.start();
    const doc = createDocumentClient({ endpoint: dynamo.url });
    const tableName = 'simulation';
    await ensureTable(doc, tableName);
    const files = new FileCampaignRepository();
    const scale = options.budgetScale ?? 1;
    const campaigns = (await files.list())
      .filter((c) => c.status === 'active')
      .map((c) => (scale === 1 ? c : { ...c, budget: { ...c.budget, amountMinor: Math.round(c.budget.amountMinor * scale) } }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const byId = new Map(campaigns.map((c) => [c.id, c]));
    const repo: CampaignRepository = { get: async (id) => byId.get(id) ?? (await files.get(id)), list: async () => campaigns } as CampaignRepository;
    const stateDir = mkdtempSync(join(tmpdir(), 'asks-sim-'));
    return new Simulation(
      { seed: options.seed, days: options.days, startDate: options.startDate ?? '2026-03-01', faults, rates: { ...DEFAULT_RATES, ...options.rates }, budgetScale: scale, killWeights: { ...Object.fromEntries(KILL_POINTS.map((p) => [p, 1])), ...options.killWeights } as Record<KillPoint, number> },
      rand,
      dynamo,
      ses,
      proxy,
      doc,
      tableName,
      campaigns,
      repo,
      definition,
      stateDir,
    );
  }

  /** Change the fault probabilities from the next execution on. */
  setFaults(faults: Faults): void {
    this.options.faults = faults;
    this.proxy.throttle = faults.throttle;
  }

  /** The current simulated instant. */
  get now(): Date {
    return new Date(this.nowMs);
  }

  setTime(ms: number): void {
    this.nowMs = ms;
    this.ticks = 0;
  }

  async addCustomers(customers: Customer[]): Promise<void> {
    this.inputs.customers.push(...customers);
    await new CustomerStore(this.doc, this.tableName).putMany(customers);
  }

  private async activity(event: SimEvent & { type: 'order' | 'project' }): Promise<void> {
    this.inputs.events.push(event);
    const milestones = new MilestoneStore(this.doc, this.tableName);
    const activity =
      event.type === 'order'
        ? { type: 'order_completed' as const, customerId: event.customerId, orderId: event.orderId, amountMinor: event.amountMinor, currency: 'EUR' as const, at: event.at }
        : { type: 'project_completed' as const, customerId: event.customerId, projectId: event.projectId, at: event.at };
    await milestones.applyActivity(activity, this.campaigns, event.at);
  }

  async order(customerId: string, at: string): Promise<void> {
    await this.activity({ type: 'order', customerId, at, orderId: `o-${customerId}-${this.inputs.events.length}`, amountMinor: 2500 });
  }

  async project(customerId: string, at: string): Promise<void> {
    await this.activity({ type: 'project', customerId, at, projectId: `p-${customerId}-${this.inputs.events.length}` });
  }

  /** The customer unsubscribes from everything and asks not to be asked again (the unsubscribe page's update). */
  async optOut(customerId: string, at: string): Promise<void> {
    this.inputs.events.push({ type: 'opt_out', customerId, at });
    await new PreferenceStore(this.doc, this.tableName).apply(customerId, { consents: { email: false, sms: false, in_app: false }, doNotAsk: true }, at);
  }

  /** A hard bounce of the customer's email address (the SES event handler's suppression). */
  async bounce(customerId: string, at: string): Promise<void> {
    const customer = this.inputs.customers.find((c) => c.id === customerId);
    if (!customer?.email) return;
    this.inputs.events.push({ type: 'bounce', customerId, at, address: customer.email });
    await new SuppressionStore(this.doc, this.tableName).suppress({ address: customer.email, reason: 'hard_bounce', at, source: 'ses' } as never);
  }

  /** A friend buys with the advocate's typed referral code (when the advocate has one). */
  async convert(customerId: string, at: string): Promise<void> {
    const entry = [...this.codes.entries()].find(([key]) => key.startsWith(`${customerId}|`));
    if (!entry) return;
    const [key, code] = entry;
    const campaignId = key.split('|')[1]!;
    const friendId = `friend-${customerId}-${this.inputs.events.length}`;
    this.inputs.events.push({ type: 'conversion', customerId, at, code, friendId, amountMinor: 6000 });
    const deps = conversionDeps({ doc: this.doc, tableName: this.tableName, campaigns: this.repo, publisher: this.publisher });
    await recordConversion(
      { ...deps, disposableDomains: new Set<string>() } as never,
      { type: 'purchase', idempotencyKey: `conv-${friendId}`, externalCustomerId: friendId, email: `${friendId}@example.org`, referralCode: code, codeSource: 'typed', campaignId, amountMinor: 6000, currency: 'EUR', occurredAt: at },
      new Date(at),
    );
  }

  /** A message the provider accepted (email: seen at the SES proxy; other channels: when the sender returned). */
  private recordSend(m: { campaignId: string; customerId: string; askId: string; channel: string; messageId: string }): void {
    const occurrenceId = m.askId.slice(m.customerId.length + 1);
    this.sends.push({ hour: this.currentHour, campaignId: m.campaignId, customerId: m.customerId, askId: m.askId, occurrenceId, channel: m.channel, at: this.clock.now().toISOString(), messageId: m.messageId });
  }

  /** Wrap the channel senders: a dead process's sends never return; messages of channels other than email are recorded here. */
  private observe(dead: () => boolean) {
    return (senders: Partial<Record<string, ChannelSender>>) => {
      const out: Partial<Record<string, ChannelSender>> = {};
      for (const [channel, sender] of Object.entries(senders)) {
        if (!sender) continue;
        out[channel] = {
          send: async (message) => {
            if (dead()) return never();
            const result = await sender.send(message);
            if (channel !== 'email') this.recordSend({ ...message, channel, messageId: result.messageId });
            if (dead()) return never();
            return result;
          },
        };
      }
      return out as never;
    };
  }

  /** One scheduled fire of every active campaign at `hourMs`, with faults drawn from the PRNG. */
  async runHour(hourMs: number): Promise<void> {
    const hour = new Date(hourMs).toISOString();
    this.currentHour = hour;
    this.hoursRun = Math.max(this.hoursRun, Math.floor((hourMs - Date.parse(`${this.options.startDate}T00:00:00Z`)) / HOUR_MS) + 1);
    for (const campaign of this.campaigns) {
      this.setTime(hourMs);
      this.executions += 1;
      const { faults } = this.options;
      const controller = new AbortController();
      // Killed or not, where and at which occurrence of that point: drawn at the execution's start.
      // Mostly the first occurrence of the point, sometimes the second or third (a later ask of the same execution).
      const plan = faults.kill > 0 && this.rand() < faults.kill ? { point: weighted(this.rand, this.options.killWeights), nth: [1, 1, 1, 1, 2, 3][Math.floor(this.rand() * 6)]! } : undefined;
      const seen: Partial<Record<KillPoint, number>> = {};
      let killed: KillPoint | undefined;
      const dead = () => killed !== undefined;
      /** The process reaches `point`: true when it dies here. */
      const reach = (point: KillPoint): boolean => {
        if (!plan || killed || plan.point !== point) return false;
        seen[point] = (seen[point] ?? 0) + 1;
        if (seen[point] !== plan.nth) return false;
        killed = point;
        controller.abort();
        return true;
      };
      const isClaim = (command: unknown): boolean => command instanceof PutCommand && (command.input.Item as { entity?: string } | undefined)?.entity === 'ask' && Boolean(command.input.ConditionExpression);
      const doc = killableDoc(
        this.doc,
        dead,
        (command) => isClaim(command) && reach('before_claim'),
        // The claim was written (taken or refused); the process dies before it hears back.
        (command) => isClaim(command) && reach('after_claim'),
      );
      this.proxy.current = this.executions;
      this.proxy.hooks = {
        beforeForward: () => dead() || reach('after_marker'),
        afterAccepted: (email) => {
          this.recordSend({ ...email, channel: 'email' });
          return dead() || reach('after_send');
        },
      };
      let crashed = false;
      let crashAt = -1;
      const throttledBefore = this.proxy.throttled;
      const deps = localDeps({
        doc,
        tableName: this.tableName,
        sesUrl: `${this.proxy.url}/x/${this.executions}`,
        publicBaseUrl: 'http://localhost:3000',
        keysFile: join(this.stateDir, 'keys.json'),
        smsOutboxFile: join(this.stateDir, 'sms.jsonl'),
        campaigns: this.repo,
        wrapSenders: this.observe(dead),
        process: {
          clock: this.clock,
          // One customer at a time: a seed replays the same kills and crashes at the same asks.
          concurrency: 1,
          beforeCustomer: (_id, index) => {
            if (dead()) return never();
            if (index === 0) crashAt = faults.crash > 0 && this.rand() < faults.crash ? Math.floor(this.rand() * 4) : -1;
            if (index === crashAt) {
              crashed = true;
              throw Object.assign(new Error('simulated crash: the Lambda runtime exited'), { name: 'Lambda.Unknown' });
            }
            return undefined;
          },
        },
      });
      // A killed process's invocations end as failed ones (the execution is aborted anyway): nothing of the
      // interpreter waits on them (its task timers end).
      const killedSignal = new Promise<never>((_, fail) => controller.signal.addEventListener('abort', () => fail(Object.assign(new Error('simulated kill: the process is gone'), { name: 'Lambda.Unknown' }))));
      killedSignal.catch(() => undefined);
      const orKilled =
        <T>(fn: (event: unknown) => Promise<T>) =>
        (event: unknown): Promise<T> =>
          Promise.race([fn(event), killedSignal]);
      const summarize = deps.handlers.summarize;
      const handlers = {
        loadCampaign: orKilled(deps.handlers.loadCampaign),
        queryDuePage: orKilled(deps.handlers.queryDuePage),
        processBatch: orKilled(deps.handlers.processBatch),
        // Mid-Summarize: before the run record (half the time) or after it, before the execution completes.
        summarize: orKilled(async (event: unknown) => {
          if (plan?.point === 'summarize' && this.rand() < 0.5 && reach('summarize')) return never();
          const out = await summarize(event);
          if (reach('summarize')) return never();
          return out;
        }),
      } as typeof deps.handlers;
      // A hung execution is a finding, not a wait: it fails the simulation naming the hour and the kill plan.
      let watchdog: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        runExecution({ definition: this.definition, handlers, input: { campaignId: campaign.id, at: hour, mode: 'hour' }, signal: controller.signal, retryIntervalMs: 1 }),
        new Promise<never>((_, fail) => {
          watchdog = setTimeout(() => fail(new Error(`simulate: the ${campaign.id} execution at ${hour} did not finish in ${EXECUTION_WATCHDOG_MS / 1000} s (kill plan ${JSON.stringify(plan ?? null)}, killed ${killed ?? 'no'})`)), EXECUTION_WATCHDOG_MS);
        }),
      ]).finally(() => clearTimeout(watchdog));
      this.proxy.hooks = {};
      const throttled = this.proxy.throttled - throttledBefore;
      if (crashed) this.injected.crash += 1;
      if (killed) {
        this.injected.kill += 1;
        this.kills[killed] = (this.kills[killed] ?? 0) + 1;
      }
      this.injected.throttle += throttled;
      const failed = Boolean(result.error) || (result.summary?.totals.batch_failed ?? 0) > 0;
      if (crashed) this.faultLog.push({ campaignId: campaign.id, hour, kind: 'crash' });
      if (killed) this.faultLog.push({ campaignId: campaign.id, hour, kind: 'kill', point: killed });
      if (throttled > 0) this.faultLog.push({ campaignId: campaign.id, hour, kind: 'throttle' });
      if (failed && !crashed && !killed) this.faultLog.push({ campaignId: campaign.id, hour, kind: 'failed' });
    }
  }

  private async scan(filter: string, values: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({ TableName: this.tableName, FilterExpression: filter, ExpressionAttributeValues: values, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Referral codes minted so far (advocate|campaign -> code), for conversions. The simulator may Scan: it is a test harness. */
  async refreshCodes(): Promise<void> {
    const [pk, sk] = [customerPk(''), codePointerSk('')];
    for (const item of await this.scan('begins_with(SK, :c) AND begins_with(PK, :p)', { ':c': sk, ':p': pk })) {
      this.codes.set(`${String(item.PK).slice(pk.length)}|${String(item.SK).slice(sk.length)}`, String(item.code));
    }
  }

  /** What the system recorded: asks, run records and the reward ledger. */
  async observed(): Promise<{ asks: ObservedAsk[]; runs: ObservedRun[]; rewards: ObservedReward[] }> {
    const asks = (await this.scan('entity = :e', { ':e': 'ask' })).map((a) => {
      const quote = (a.quote ?? a.rewardQuote) as { advocateMinor?: number; advocateAmountMinor?: number } | undefined;
      const quoted = quote?.advocateMinor ?? quote?.advocateAmountMinor;
      return {
        askId: String(a.askId),
        customerId: String(a.customerId),
        campaignId: String(a.campaignId),
        occurrenceId: String((a.milestone as { occurrenceId: string }).occurrenceId),
        status: String(a.status),
        ...(a.skipReason ? { skipReason: String(a.skipReason) } : {}),
        ...(a.error ? { error: String(a.error) } : {}),
        runId: String(a.runId),
        updatedAt: String(a.updatedAt),
        ...(typeof quoted === 'number' ? { quotedAdvocateMinor: quoted } : {}),
      };
    });
    // The run records exactly as `asks runs` reads them (every execution, killed ones included).
    const store = new DynamoRunStore(this.doc, this.tableName);
    const runs: ObservedRun[] = [];
    for (const c of this.campaigns) {
      for (const r of await store.list(c.id, Number.MAX_SAFE_INTEGER)) runs.push({ campaignId: c.id, runId: r.run.runId, ...(r.executionId ? { executionId: r.executionId } : {}), status: r.status, totals: r.totals });
    }
    const ledger = await this.scan('begins_with(PK, :l)', { ':l': ledgerPk('') });
    const latest = new Map<string, Record<string, unknown>>();
    // A reward flagged overrun on any of its entries (the ledger is append-only: later states are new entries).
    const overrun = new Set(ledger.filter((e) => e.overrun === true).map((e) => String(e.rewardId)));
    for (const e of ledger) {
      const seen = latest.get(String(e.rewardId));
      if (!seen || Number(e.seq) > Number(seen.seq)) latest.set(String(e.rewardId), e);
    }
    const rewards = [...latest.values()].map((e) => ({
      campaignId: String(e.campaignId),
      advocateId: String(e.advocateId),
      beneficiary: e.beneficiary as 'advocate' | 'friend',
      amountMinor: Number(e.amountMinor),
      state: String(e.state),
      ...(e.referralCode ? { referralCode: String(e.referralCode) } : {}),
      ...(overrun.has(String(e.rewardId)) ? { overrun: true } : {}),
    }));
    return { asks, runs, rewards };
  }

  async check(): Promise<OracleReport> {
    const observed = await this.observed();
    return checkInvariants({
      start: `${this.options.startDate}T00:00:00.000Z`,
      hours: this.hoursRun,
      campaigns: this.campaigns,
      customers: this.inputs.customers,
      events: this.inputs.events,
      sends: this.sends,
      faults: this.faultLog,
      ...observed,
    });
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    this.doc.destroy();
    await this.ses.stop();
    await this.dynamo.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Random activity of one hour (times inside the hour, after the hour's runs). */
async function randomActivity(sim: Simulation, hourMs: number, counts: Record<string, number>): Promise<void> {
  const { rates } = sim.options;
  const perHour = (daily: number) => daily / 24;
  const at = () => new Date(hourMs + 1000 + Math.floor(sim.rand() * (HOUR_MS - 2000))).toISOString();
  for (const c of sim.inputs.customers) {
    if (sim.rand() < perHour(rates.order)) {
      counts.order = (counts.order ?? 0) + 1;
      await sim.order(c.id, at());
    }
    if (c.plan !== 'consumer' && sim.rand() < perHour(rates.project)) {
      counts.project = (counts.project ?? 0) + 1;
      await sim.project(c.id, at());
    }
    if (sim.rand() < perHour(rates.optOut)) {
      counts.opt_out = (counts.opt_out ?? 0) + 1;
      await sim.optOut(c.id, at());
    }
    if (sim.rand() < perHour(rates.bounce)) {
      counts.bounce = (counts.bounce ?? 0) + 1;
      await sim.bounce(c.id, at());
    }
    if (sim.rand() < perHour(rates.conversion)) {
      counts.conversion = (counts.conversion ?? 0) + 1;
      await sim.convert(c.id, at());
    }
  }
}

/** Run a whole simulation and check it. */
export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const sim = await Simulation.start(options);
  try {
    const customers = generateSimCustomers(sim.rand, options.customers ?? 60, sim.options.startDate, options.days);
    await sim.addCustomers(customers);
    const first = Date.parse(`${sim.options.startDate}T00:00:00Z`);
    const counts: Record<string, number> = {};
    for (let h = 0; h < options.days * 24; h += 1) {
      const hourMs = first + h * HOUR_MS;
      await sim.runHour(hourMs);
      if (h % 24 === 23) {
        await sim.refreshCodes();
        log(`day ${Math.floor(h / 24) + 1}/${options.days}: ${sim.sends.length} messages so far`);
      }
      await randomActivity(sim, hourMs, counts);
    }
    const report = await sim.check();
    return {
      ...report,
      seed: options.seed,
      days: options.days,
      customers: customers.length,
      faults: sim.options.faults,
      executions: sim.executions,
      injected: { ...sim.injected },
      kills: { ...sim.kills },
      sent: sim.sends.length,
      events: counts,
      durationMs: Date.now() - started,
    };
  } finally {
    await sim.stop();
  }
}
