// Work filed in the due-asks index by hour (deferred asks, budget reservations that expire) is done by the first run
// after its hour, however long no run finished: a schedule that stopped for two days, a campaign paused over a
// weekend, a local user who runs again next week. Runs used to read only the last 24 hours of the index, so a
// deferred ask whose quiet hours ended 25+ hours before the next run was never sent, and an expired reservation was
// never given back to the budget. Real local servers: dynalite, the SES v2 local server, the local interpreter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import type { CampaignRepository } from '../../../core/ports.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import { Customer, type CustomerInput } from '../../../core/schemas/customer.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution, type LocalRunResult } from '../../../local/run-campaign.js';
import { listEmails, startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let dynamo: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let campaign: Campaign;
const definition = definitionFromCdkOut().definition;
const stateDir = mkdtempSync(join(tmpdir(), 'asks-due-gap-'));

beforeAll(async () => {
  dynamo = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(dynamo.endpoint);
  const base = (await new FileCampaignRepository().get('signup-anniversary'))!;
  // Berlin at 06:00 local is inside quiet hours 21:00-08:00 (CEST: they end at 06:00 UTC); nobody held out.
  campaign = {
    ...base,
    schedule: { ...base.schedule, sendHour: 6 },
    eligibility: { ...base.eligibility, holdoutPercent: 0, quietHours: { start: '21:00', end: '08:00' } },
    audience: { ...base.audience, excludeRefundWithinDays: undefined },
  };
});
afterAll(async () => {
  await ses?.stop();
  await dynamo?.stop();
});

const campaigns: CampaignRepository = { get: async (id) => (id === campaign.id ? campaign : undefined), list: async () => [campaign] };

async function setup(): Promise<{ name: string; d: ReturnType<typeof localDeps> }> {
  const name = await freshTable(doc, 'gap');
  const input: CustomerInput = { id: 'ber1', firstName: 'Fber1', email: 'ber1@example.com', timezone: 'Europe/Berlin', signupDate: '2023-06-15', consents: { email: true }, preferredChannel: 'email' };
  await new CustomerStore(doc, name).putMany([Customer.parse(input)]);
  return { name, d: localDeps({ doc, tableName: name, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(stateDir, 'keys.json'), campaigns }) };
}

async function run(d: ReturnType<typeof localDeps>, at: string): Promise<LocalRunResult> {
  const result = await runExecution({ definition, handlers: d.handlers, input: { campaignId: campaign.id, at, mode: 'hour' } });
  expect(result.error).toBeUndefined();
  return result;
}

async function theAsk(name: string): Promise<Record<string, unknown>> {
  const out = await doc.send(new ScanCommand({ TableName: name, FilterExpression: 'entity = :a', ExpressionAttributeValues: { ':a': 'ask' } }));
  return out.Items![0]!;
}

describe('the due-asks index after a gap of more than the 24-hour lookback', () => {
  it('sends a deferred ask at the first run after a two-day stop, once', async () => {
    const { name, d } = await setup();
    expect((await run(d, '2026-06-15T04:00:00Z')).summary!.totals).toEqual({ deferred: 1 });
    expect(await theAsk(name)).toMatchObject({ status: 'deferred', deferredUntil: '2026-06-15T06:00:00.000Z' });

    // The schedule stops for two days; the next run is 50 hours after quiet hours ended.
    const late = await run(d, '2026-06-17T08:00:00Z');
    expect(late.summary!.totals).toEqual({ sent: 1 });
    const sent = await theAsk(name);
    expect(sent).toMatchObject({ status: 'sent', updatedAt: '2026-06-17T08:00:00.000Z' });
    expect((await listEmails(ses.url)).filter((e) => e.messageId === sent.messageId)).toHaveLength(1);
    // Nothing is sent twice by the runs after it.
    expect((await run(d, '2026-06-17T09:00:00Z')).summary!.totals.sent ?? 0).toBe(0);
  });

  it('gives an expired reservation back to the budget when the next run comes days after the window', async () => {
    const { name, d } = await setup();
    await run(d, '2026-06-15T04:00:00Z');
    expect((await run(d, '2026-06-15T06:00:00Z')).summary!.totals).toEqual({ sent: 1 });
    const budget = async () => (await doc.send(new GetCommand({ TableName: name, Key: { PK: `BUDGET#${campaign.id}`, SK: 'BUDGET' } }))).Item!;
    expect((await budget()).reservedMinor).toBeGreaterThan(0);
    // Some run after the send, then none until three days after the attribution window ended (2026-07-15T06).
    await run(d, '2026-06-16T06:00:00Z');
    expect((await run(d, '2026-07-18T06:00:00Z')).summary!.totals).toEqual({ reservation_expired: 1 });
    expect(await budget()).toMatchObject({ reservedMinor: 0, committedMinor: 0 });
  });
});
