// Exactly-once asks against real local servers: dynalite, the SES v2 local server and aws-local-stepfunctions running
// the state machine definition from the synthesized template, with the real handlers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { generateCustomers } from '../../../core/seed.js';
import { dateMilestoneOn, type DateTrigger } from '../../../core/milestones.js';
import type { RunInput } from '../../../core/schemas/workflow.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import { listEmails, startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-03-14';
const input: RunInput = { campaignId: 'signup-anniversary', at: `${DAY}T12:00:00Z`, mode: 'day', runDate: DAY };
const trigger: DateTrigger = { kind: 'signup_anniversary', minYears: 1, askDelayHours: 0 };

let dynamo: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
const definition = definitionFromCdkOut().definition;
const stateDir = mkdtempSync(join(tmpdir(), 'asks-wf-'));

beforeAll(async () => {
  dynamo = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => {
  await ses?.stop();
  await dynamo?.stop();
});

async function seededTable(count: number): Promise<{ table: string; due: string[] }> {
  const table = await freshTable(doc, 'wf');
  const customers = generateCustomers({ count, seed: 7, today: DAY, dueTodayShare: 0.2 });
  await new CustomerStore(doc, table).putMany(customers);
  return { table, due: customers.filter((c) => dateMilestoneOn(c, trigger, DAY) !== null).map((c) => c.id).sort() };
}

async function asks(table: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: table, FilterExpression: 'entity = :a', ExpressionAttributeValues: { ':a': 'ask' }, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

function deps(table: string, beforeCustomer?: (id: string, i: number) => void) {
  return localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(stateDir, 'keys.json'), ...(beforeCustomer ? { process: { beforeCustomer } } : {}) });
}

async function emailsTo(messageIds: Set<string>): Promise<number> {
  return (await listEmails(ses.url)).filter((e) => messageIds.has(e.messageId)).length;
}

describe('a day run three times', () => {
  it('leaves every due customer exactly one ask and SES exactly one email per sent ask', async () => {
    // Prepare
    const { table, due } = await seededTable(300);
    const before = new Set((await listEmails(ses.url)).map((e) => e.messageId));
    const d = deps(table);

    // Act
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await runExecution({ definition, handlers: d.handlers, input }));

    // Assess
    expect(results.every((r) => r.error === undefined)).toBe(true);
    const stored = await asks(table);
    expect(stored.map((a) => a.customerId).sort()).toEqual(due);
    for (const a of stored) expect(['sent', 'held_out', 'skipped', 'failed']).toContain(a.status);
    expect(stored.filter((a) => a.status === 'skipped').every((a) => typeof a.skipReason === 'string')).toBe(true);
    const sentEmail = stored.filter((a) => a.status === 'sent' && a.channel === 'email');
    expect(sentEmail.length).toBeGreaterThan(10);
    const newEmails = (await listEmails(ses.url)).filter((e) => !before.has(e.messageId));
    expect(newEmails.length).toBe(sentEmail.length);
    expect(await emailsTo(new Set(sentEmail.map((a) => String(a.messageId))))).toBe(sentEmail.length);
    expect(results[0]!.summary!.totals.sent).toBe(stored.filter((a) => a.status === 'sent').length);
    expect(results[1]!.summary!.totals.sent ?? 0).toBe(0);
    expect(results[2]!.summary!.totals.sent ?? 0).toBe(0);
  });
});

describe('a run that crashes half way, then runs again', () => {
  it('finishes the rest with one ask per due customer and no duplicate email', async () => {
    // Prepare
    const { table, due } = await seededTable(300);
    const before = new Set((await listEmails(ses.url)).map((e) => e.messageId));
    let handled = 0;
    const crashing = deps(table, () => {
      handled += 1;
      if (handled > due.length / 2) throw Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' });
    });

    // Act
    const first = await runExecution({ definition, handlers: crashing.handlers, input });
    const afterCrash = await asks(table);
    const second = await runExecution({ definition, handlers: deps(table).handlers, input });

    // Assess
    expect(first.summary?.totals.batch_failed ?? 0).toBeGreaterThan(0);
    expect(afterCrash.length).toBeLessThan(due.length);
    expect(second.error).toBeUndefined();
    const stored = await asks(table);
    expect(stored.map((a) => a.customerId).sort()).toEqual(due);
    const sentEmail = stored.filter((a) => a.status === 'sent' && a.channel === 'email');
    const newEmails = (await listEmails(ses.url)).filter((e) => !before.has(e.messageId));
    expect(newEmails.length).toBe(sentEmail.length);
    expect(new Set(newEmails.map((e) => e.messageId)).size).toBe(newEmails.length);
  });

  it('an aborted execution is completed by the next run without duplicates', async () => {
    // Prepare
    const { table, due } = await seededTable(300);
    const before = new Set((await listEmails(ses.url)).map((e) => e.messageId));
    const d = deps(table);

    // Act
    const first = await runExecution({ definition, handlers: d.handlers, input, abortWhen: (p) => p.batchesDone >= 2 });
    await new Promise((r) => setTimeout(r, 300)); // batches in flight when the execution was aborted finish
    const second = await runExecution({ definition, handlers: d.handlers, input });
    // Sends the killed execution had in flight finish on their own (the second run counted their claims in_flight).
    for (let i = 0; i < 100 && (await asks(table)).some((a) => a.status === 'claimed'); i += 1) await new Promise((r) => setTimeout(r, 50));

    // Assess
    expect(first.aborted).toBe(true);
    expect(second.error).toBeUndefined();
    const stored = await asks(table);
    expect(stored.map((a) => a.customerId).sort()).toEqual(due);
    const sentEmail = stored.filter((a) => a.status === 'sent' && a.channel === 'email');
    expect((await listEmails(ses.url)).filter((e) => !before.has(e.messageId)).length).toBe(sentEmail.length);
  });
});
