// A day-mode run dates its events with its own runDate (the run record's), also for customers whose local send hour
// falls on another UTC date (Kiritimati, UTC+14: 10:00 local on the 14th is 20:00 UTC on the 13th).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { DynamoRunStore } from '../../../adapters/dynamo/runs.js';
import { Customer } from '../../../core/schemas/customer.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import { startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-03-14';
let db: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(db.endpoint);
  table = await freshTable(doc, 'dayevents');
  const zones = ['Pacific/Kiritimati', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin'];
  await new CustomerStore(doc, table).putMany(zones.map((timezone, i) => Customer.parse({ id: `de-${i}`, firstName: 'Ada', email: `de-${i}@example.com`, timezone, signupDate: '2023-03-14', consents: { email: true } })));
});
afterAll(async () => {
  await ses?.stop();
  await db?.stop();
});

describe('day-mode run events', () => {
  it('carry the run record\'s runDate', async () => {
    const events = new MemoryPublisher();
    const deps = localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(mkdtempSync(join(tmpdir(), 'de-')), 'keys.json'), events });
    await runExecution({ definition: definitionFromCdkOut().definition, handlers: deps.handlers, input: { campaignId: 'signup-anniversary', at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY } });

    const [record] = await new DynamoRunStore(doc, table).list('signup-anniversary');
    expect(record!.run.runDate).toBe(DAY);
    const askEvents = events.events.filter((e) => e.detailType.startsWith('referral.ask.'));
    expect(askEvents.length).toBe(4);
    expect(new Set(askEvents.map((e) => (e.detail as { runDate?: string }).runDate))).toEqual(new Set([DAY]));
  });
});
