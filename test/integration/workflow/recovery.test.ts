// Recovery by design in hour mode, on the real local servers (dynalite, the SES v2 local server, aws-local-stepfunctions
// running the synthesized definition with the real handlers): deferred asks go out at quiet-hours end (also across the
// New York spring-forward gap), a crashed batch's customers are asked by the next hourly run, and an execution killed
// while sending leaves no ask counted already_asked without a message; the next run settles every stuck claim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { AskSendMarkers } from '../../../adapters/dynamo/ask-send-markers.js';
import type { CampaignRepository, ChannelSender } from '../../../core/ports.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import type { CustomerInput } from '../../../core/schemas/customer.js';
import { Customer } from '../../../core/schemas/customer.js';
import type { RunInput } from '../../../core/schemas/workflow.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution, type LocalRunResult } from '../../../local/run-campaign.js';
import { listEmails, startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let dynamo: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let base: Campaign;
const definition = definitionFromCdkOut().definition;
const stateDir = mkdtempSync(join(tmpdir(), 'asks-recovery-'));

beforeAll(async () => {
  dynamo = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(dynamo.endpoint);
  base = (await new FileCampaignRepository().get('signup-anniversary'))!;
});
afterAll(async () => {
  await ses?.stop();
  await dynamo?.stop();
});

/** The signup anniversary campaign with another schedule and quiet hours, nobody held out. */
function campaignWith(changes: { sendHour: number; quietHours?: { start: string; end: string } }): CampaignRepository {
  const campaign: Campaign = {
    ...base,
    schedule: { ...base.schedule, sendHour: changes.sendHour },
    eligibility: { ...base.eligibility, holdoutPercent: 0, ...(changes.quietHours ? { quietHours: changes.quietHours } : {}) },
    audience: { ...base.audience, excludeRefundWithinDays: undefined },
  };
  return { get: async (id) => (id === campaign.id ? campaign : undefined), list: async () => [campaign] };
}

function customer(id: string, timezone: string, signupDate: string): Customer {
  const input: CustomerInput = { id, firstName: `F${id}`, email: `${id}@example.com`, timezone, signupDate, consents: { email: true }, preferredChannel: 'email' };
  return Customer.parse(input);
}

async function table(customers: Customer[]): Promise<string> {
  const name = await freshTable(doc, 'rec');
  await new CustomerStore(doc, name).putMany(customers);
  return name;
}

async function asks(name: string): Promise<Array<Record<string, unknown>>> {
  const out = await doc.send(new ScanCommand({ TableName: name, FilterExpression: 'entity = :a', ExpressionAttributeValues: { ':a': 'ask' } }));
  return out.Items ?? [];
}

function wiring(name: string, campaigns: CampaignRepository, extra: Partial<Parameters<typeof localDeps>[0]> = {}) {
  return localDeps({ doc, tableName: name, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(stateDir, 'keys.json'), campaigns, ...extra });
}

const hour = (at: string): RunInput => ({ campaignId: 'signup-anniversary', at, mode: 'hour' });

async function run(d: ReturnType<typeof wiring>, at: string): Promise<LocalRunResult> {
  const result = await runExecution({ definition, handlers: d.handlers, input: hour(at) });
  expect(result.error).toBeUndefined();
  return result;
}

async function emailsFor(messageIds: unknown[]): Promise<number> {
  const ids = new Set(messageIds.map(String));
  return (await listEmails(ses.url)).filter((e) => ids.has(e.messageId)).length;
}

describe('a deferred date milestone in hour mode', () => {
  it('is sent by the run at quiet-hours end, not before, with the run clock on every write', async () => {
    // Prepare: Berlin at 06:00 (CEST) is inside quiet hours 21:00-08:00, which end at 06:00 UTC.
    const name = await table([customer('ber1', 'Europe/Berlin', '2023-06-15')]);
    const d = wiring(name, campaignWith({ sendHour: 6, quietHours: { start: '21:00', end: '08:00' } }));

    // Act
    const first = await run(d, '2026-06-15T04:00:00Z');
    const deferred = (await asks(name))[0]!;
    const between = await run(d, '2026-06-15T05:00:00Z');
    const atEnd = await run(d, '2026-06-15T06:00:00Z');

    // Assess
    expect(first.summary!.totals).toEqual({ deferred: 1 });
    expect(deferred).toMatchObject({ status: 'deferred', deferredUntil: '2026-06-15T06:00:00.000Z', createdAt: '2026-06-15T04:00:00.000Z' });
    expect(between.summary!.totals.sent ?? 0).toBe(0);
    expect(atEnd.summary!.totals).toEqual({ sent: 1 });
    const sent = (await asks(name))[0]!;
    expect(sent).toMatchObject({ status: 'sent', updatedAt: '2026-06-15T06:00:00.000Z' });
    // Its budget reservation stays open for the attribution window (30 days) after the send, filed for that hour.
    expect(sent).toMatchObject({ reservation: 'open', reservationExpiresAt: '2026-07-15T06:00:00.000Z', askDueHour: 'signup-anniversary#2026-07-15T06' });
    expect(await emailsFor([sent.messageId])).toBe(1);
    const profile = (await doc.send(new GetCommand({ TableName: name, Key: { PK: 'C#ber1', SK: 'PROFILE' } }))).Item!;
    expect(profile.lastAskAt).toBe('2026-06-15T06:00:00.000Z');
    expect(profile.recentAskAts).toEqual(['2026-06-15T06:00:00.000Z']);

    // No conversion came: the first run after the window gives the reservation back, once.
    const budgetOf = async () => (await doc.send(new GetCommand({ TableName: name, Key: { PK: 'BUDGET#signup-anniversary', SK: 'BUDGET' } }))).Item!;
    const reservedBefore = (await budgetOf()).reservedMinor as number;
    const beforeWindow = await run(d, '2026-07-15T05:00:00Z');
    const windowEnd = await run(d, '2026-07-15T06:00:00Z');
    const afterwards = await run(d, '2026-07-15T07:00:00Z');
    expect(reservedBefore).toBeGreaterThan(0);
    expect(beforeWindow.summary!.totals.reservation_expired ?? 0).toBe(0);
    expect(windowEnd.summary!.totals).toEqual({ reservation_expired: 1 });
    expect(afterwards.summary!.totals.reservation_expired ?? 0).toBe(0);
    expect(await budgetOf()).toMatchObject({ reservedMinor: 0, committedMinor: 0 });
    const expired = (await asks(name))[0]!;
    expect(expired).toMatchObject({ status: 'sent', reservation: 'expired' });
    expect(expired.askDueHour).toBeUndefined();
  });

  it('is sent at quiet-hours end across the New York spring-forward gap (02:30 does not exist: 03:30 EDT)', async () => {
    // Prepare: 2026-03-08 01:00 EST = 06:00 UTC is the send hour; quiet hours 23:00-02:30 end in the gap, so at 03:30 EDT = 07:30 UTC.
    const name = await table([customer('ny1', 'America/New_York', '2024-03-08')]);
    const d = wiring(name, campaignWith({ sendHour: 1, quietHours: { start: '23:00', end: '02:30' } }));

    // Act
    const first = await run(d, '2026-03-08T06:00:00Z');
    const deferred = (await asks(name))[0]!;
    const early = await run(d, '2026-03-08T07:00:00Z');
    const after = await run(d, '2026-03-08T08:00:00Z');

    // Assess
    expect(first.summary!.totals).toEqual({ deferred: 1 });
    expect(deferred.deferredUntil).toBe('2026-03-08T07:30:00.000Z');
    expect(early.summary!.totals.sent ?? 0).toBe(0);
    expect(after.summary!.totals).toEqual({ sent: 1 });
    const sent = (await asks(name))[0]!;
    expect(sent).toMatchObject({ status: 'sent', updatedAt: '2026-03-08T08:00:00.000Z' });
    expect(await emailsFor([sent.messageId])).toBe(1);
  });
});

describe('a batch that crashes in hour mode', () => {
  it('leaves its partitions open, and the next hourly run asks the rest with no re-fire and no duplicate', async () => {
    // Prepare: 20 customers due at 10:00 UTC, batches of 5 customers, the 7th customer handled crashes its batch.
    const due = Array.from({ length: 20 }, (_, i) => customer(`u${String(i).padStart(2, '0')}`, 'UTC', '2024-07-01'));
    const name = await table([...due, customer('other', 'UTC', '2024-07-02')]);
    const campaigns = campaignWith({ sendHour: 10 });
    let handled = 0;
    const crashing = wiring(name, campaigns, {
      plan: { limit: 5 },
      process: {
        beforeCustomer: () => {
          handled += 1;
          if (handled === 7) throw Object.assign(new Error('simulated Lambda crash'), { name: 'SimulatedCrash' });
        },
      },
    });

    // Act
    const first = await run(crashing, '2026-07-01T10:00:00Z');
    const afterCrash = await asks(name);
    const second = await run(wiring(name, campaigns, { plan: { limit: 5 } }), '2026-07-01T11:00:00Z');
    const third = await run(wiring(name, campaigns, { plan: { limit: 5 } }), '2026-07-01T12:00:00Z');

    // Assess
    expect(first.summary!.totals.batch_failed).toBe(1);
    expect(afterCrash.length).toBeLessThan(due.length);
    expect(second.summary!.totals.sent).toBe(due.length - afterCrash.length);
    expect(third.summary!.totals.sent ?? 0).toBe(0);
    const stored = await asks(name);
    expect(stored.map((a) => a.customerId).sort()).toEqual(due.map((c) => c.id));
    expect(stored.every((a) => a.status === 'sent')).toBe(true);
    expect(await emailsFor(stored.map((a) => a.messageId))).toBe(due.length);
    const progress = await crashing.stores.progress.list('signup-anniversary');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.status === 'done')).toBe(true);
  });
});

describe('an hourly fire that never came', () => {
  it('is planned by the next run (the customers of the missed hour are asked once), but a first run catches up nothing', async () => {
    // Prepare: send hour 10 local; London (BST) reaches it at 09:00 UTC, UTC customers at 10:00 UTC.
    const london = [customer('ldn1', 'Europe/London', '2024-07-01'), customer('ldn2', 'Europe/London', '2023-07-01')];
    const utc = [customer('utc1', 'UTC', '2024-07-01')];
    const campaigns = campaignWith({ sendHour: 10 });
    const name = await table([...london, ...utc]);
    const fresh = await table([...london.map((c) => ({ ...c, id: `${c.id}f` })), ...utc.map((c) => ({ ...c, id: `${c.id}f` }))]);

    // Act: 08:00 fires, 09:00 never does (an outage, or the hour a fall-back does not repeat), 10:00 and 11:00 fire.
    const eight = await run(wiring(name, campaigns), '2026-07-01T08:00:00Z');
    const ten = await run(wiring(name, campaigns), '2026-07-01T10:00:00Z');
    const eleven = await run(wiring(name, campaigns), '2026-07-01T11:00:00Z');
    const firstEver = await run(wiring(fresh, campaigns), '2026-07-01T10:00:00Z');

    // Assess
    expect(eight.summary!.totals.sent ?? 0).toBe(0);
    expect(ten.summary!.totals).toEqual({ sent: 3 });
    expect(eleven.summary!.totals.sent ?? 0).toBe(0);
    const stored = await asks(name);
    expect(stored.map((a) => a.customerId).sort()).toEqual(['ldn1', 'ldn2', 'utc1']);
    expect(stored.every((a) => a.status === 'sent' && a.createdAt === '2026-07-01T10:00:00.000Z')).toBe(true);
    expect(await emailsFor(stored.map((a) => a.messageId))).toBe(3);
    // A campaign's first run owes nothing before it: only the UTC customer, whose send hour it is.
    expect(firstEver.summary!.totals).toEqual({ sent: 1 });
    expect((await asks(fresh)).map((a) => a.customerId)).toEqual(['utc1f']);
  });
});

describe('a Lambda crash the state machine retries', () => {
  it('is retried within the same run (Lambda.Unknown), with no batch recorded failed and nobody asked twice', async () => {
    // Prepare: the first ProcessBatch invocation dies like an out-of-memory Lambda after its third customer.
    const due = Array.from({ length: 6 }, (_, i) => customer(`r${i}`, 'UTC', '2024-09-01'));
    const name = await table(due);
    let handled = 0;
    const d = wiring(name, campaignWith({ sendHour: 10 }), {
      process: {
        concurrency: 1,
        beforeCustomer: () => {
          handled += 1;
          if (handled === 4) throw Object.assign(new Error('Runtime exited with error: signal: killed'), { name: 'Lambda.Unknown' });
        },
      },
    });

    // Act
    const result = await run(d, '2026-09-01T10:00:00Z');

    // Assess
    expect(result.summary!.totals.batch_failed ?? 0).toBe(0);
    // The crashed attempt's three sends are this execution's own: counted sent, not already asked.
    expect(result.summary!.totals).toEqual({ sent: 6 });
    const stored = await asks(name);
    expect(stored.filter((a) => a.status === 'sent').length).toBe(6);
    expect(await emailsFor(stored.map((a) => a.messageId))).toBe(6);
  });
});

describe('an execution killed while sending', () => {
  it('counts no already_asked without a message, and the next hourly run settles every stuck claim', async () => {
    // Prepare: 8 customers due at 10:00 UTC. Two sends never finish: `wait` hangs in the rate-limit wait (before
    // its send marker), `lost` hangs inside the channel call (after its marker). The execution is then killed.
    const ids = ['ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6', 'wait', 'lost'];
    const name = await table(ids.map((id) => customer(id, 'UTC', '2024-08-03')));
    const campaigns = campaignWith({ sendHour: 10 });
    const healthy = wiring(name, campaigns);
    const hang = new Promise<never>(() => undefined);
    const senders = await buildSenders(name);
    const realEmail = senders.email!;
    const killing: ChannelSender = {
      send: async (message) => {
        if (message.customerId === 'wait') return hang; // killed before the marker: the channel was never called
        if (message.customerId === 'lost') {
          // The marker (on the ask) is written, as the channel guard does just before calling SES.
          expect(await new AskSendMarkers(doc, name).begin(message, 't', '2026-08-03T10:00:00.000Z')).toBe(true);
          return hang; // killed inside the channel call: outcome unknown
        }
        return realEmail.send(message);
      },
    };
    const first = wiring(name, campaigns, { process: { senders: { ...senders, email: killing }, concurrency: 8 } });
    const controller = new AbortController();

    // Act
    const killed = runExecution({ definition, handlers: first.handlers, input: hour('2026-08-03T10:00:00Z'), signal: controller.signal });
    for (let i = 0; i < 100 && (await asks(name)).filter((a) => a.status === 'sent').length < 6; i += 1) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const killedResult = await killed;
    const stuck = await asks(name);
    const rerun = await run(wiring(name, campaigns), '2026-08-03T10:00:00Z'); // the same hour fired again at once
    const next = await run(wiring(name, campaigns), '2026-08-03T11:00:00Z');

    // Assess
    expect(killedResult.aborted).toBe(true);
    expect(stuck.filter((a) => a.status === 'claimed').map((a) => a.customerId).sort()).toEqual(['lost', 'wait']);
    // The six whose message went out are already asked; the two live claims are in flight, not "already asked".
    expect(rerun.summary!.totals).toEqual({ 'skipped:already_asked': 6, in_flight: 2 });
    const settled = await asks(name);
    const byId = new Map(settled.map((a) => [a.customerId, a]));
    expect(byId.get('wait')).toMatchObject({ status: 'sent' });
    expect(byId.get('lost')).toMatchObject({ status: 'failed' });
    expect(String(byId.get('lost')!.error)).toMatch(/outcome unknown/);
    expect(next.summary!.totals.sent).toBe(1);
    expect(next.summary!.totals.failed).toBe(1);
    const sent = settled.filter((a) => a.status === 'sent');
    expect(sent.length).toBe(7);
    expect(await emailsFor(sent.map((a) => a.messageId))).toBe(7);
    // One record per execution; the killed one kept its own (still running), none counts already_asked beyond the 6.
    const records = await healthy.stores.runs.list('signup-anniversary');
    expect(records.length).toBe(3);
    expect(records.filter((r) => r.status === 'running').length).toBe(1);
    for (const r of records) expect(r.totals['skipped:already_asked'] ?? 0).toBeLessThanOrEqual(6);
    // The killed batch never counted itself: the 11:00 run counted its six sends from its journal onto its own record;
    // the two stuck claims are counted by the run that settled them. Every sent ask is in exactly one record.
    const killedRecord = records.find((r) => r.status === 'running')!;
    expect(killedRecord).toMatchObject({ totals: { sent: 6 }, reconciledBatches: 1 });
    expect(records.reduce((n, r) => n + (r.totals.sent ?? 0), 0)).toBe(7);
  });
});

async function buildSenders(name: string) {
  const { buildProcessDeps } = await import('../../../functions/workflow/process-deps.js');
  const { MemoryPublisher } = await import('../../../adapters/eventbridge.js');
  return buildProcessDeps({ doc, tableName: name, sesEndpoint: ses.url, publicBaseUrl: 'http://localhost:3000', events: new MemoryPublisher(), keyring: async () => ({ currentKid: 'k', keys: { k: 'a'.repeat(43) } }) }).senders;
}
