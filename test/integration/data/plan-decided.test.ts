// `asks plan` after a run: occurrences the run already decided count as the run's rule counts them (already_asked,
// already_held_out), not as fresh skips (cooldown), and a rerun of the day reports the same numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { customerPk } from '../../../adapters/dynamo/keys.js';
import { Customer } from '../../../core/schemas/customer.js';
import { planFromTable } from '../../../cli/commands/plan.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import { startSes, type StartedServer } from '../../../local/servers.js';
import { run as asks } from '../../../cli/main.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-03-14';
const ids = Array.from({ length: 30 }, (_, i) => `pd-${i}`);
let db: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(db.endpoint);
  table = await freshTable(doc, 'plandecided');
  await new CustomerStore(doc, table).putMany(
    ids.map((id) => Customer.parse({ id, firstName: 'Ada', email: `${id}@example.com`, timezone: 'Europe/Berlin', country: 'DE', signupDate: '2023-03-14', consents: { email: true } })),
  );
});
afterAll(async () => {
  await ses?.stop();
  await db?.stop();
});

describe('asks plan after a run', () => {
  it('counts decided occurrences already_asked / already_held_out, as the rerun does', async () => {
    // Prepare: the day's run.
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;
    const deps = localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(mkdtempSync(join(tmpdir(), 'pd-')), 'keys.json') });
    const input = { campaignId: 'signup-anniversary', at: `${DAY}T12:00:00Z`, mode: 'day' as const, runDate: DAY };
    await runExecution({ definition: definitionFromCdkOut().definition, handlers: deps.handlers, input });
    // What the run wrote, read from the table itself.
    const statuses: string[] = [];
    for (const id of ids) {
      const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :ask)', ExpressionAttributeValues: { ':pk': customerPk(id), ':ask': 'ASK#' } }));
      statuses.push(...(out.Items ?? []).map((i) => String(i.status)));
    }
    const sent = statuses.filter((s) => s === 'sent').length;
    const heldOut = statuses.filter((s) => s === 'held_out').length;
    expect(sent + heldOut).toBe(ids.length);
    expect(sent).toBeGreaterThan(0);
    expect(heldOut).toBeGreaterThan(0);

    // Act
    const { days } = await planFromTable(campaign, [DAY], { endpoint: db.endpoint, table }, new Date(`${DAY}T13:00:00Z`));
    const human = await asks(['plan', 'signup-anniversary', '--date', DAY, '--endpoint', db.endpoint, '--table', table]);
    const rerun = await runExecution({ definition: definitionFromCdkOut().definition, handlers: deps.handlers, input: { ...input, at: `${DAY}T13:00:00Z` } });

    // Assess
    expect(days[0]).toMatchObject({ due: ids.length, ask: 0, heldOut: 0, deferred: 0, skipped: { already_asked: sent }, decided: { already_held_out: heldOut }, projectedCostMinor: 0 });
    expect(days[0]!.skipped.cooldown).toBeUndefined();
    expect(human.stdout).toMatch(new RegExp(`skipped already_asked +${sent}`));
    expect(human.stdout).toMatch(new RegExp(`already_held_out +${heldOut}`));
    expect(rerun.summary?.totals).toEqual({ 'skipped:already_asked': sent, already_held_out: heldOut });
  });
});
