// Deliverability end to end on the local stack: a day run through the synthesized state machine sends emails that
// all carry both unsubscribe headers and both parts; a one-click unsubscribe POST (the URL taken from the header of a
// real message) and a hard bounce event stop the next time those customers are due, while the others are asked again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { nanoIds, systemClock } from '../../../adapters/clock.js';
import { CustomerStore } from '../../../adapters/dynamo/customers.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { loadKeyring } from '../../../adapters/signing-keys.js';
import { generateCustomers } from '../../../core/seed.js';
import type { Customer } from '../../../core/schemas/customer.js';
import type { RunInput } from '../../../core/schemas/workflow.js';
import { makeSesEventsHandler } from '../../../functions/channels/ses-events.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { startHttpServer } from '../../../local/http-server.js';
import { localDeps, runExecution } from '../../../local/run-campaign.js';
import { fetchEml, listEmails, startSes, type StartedServer } from '../../../local/servers.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const DAY = '2026-06-09';
const NEXT_YEAR = '2027-06-09';
const runOn = (day: string): RunInput => ({ campaignId: 'signup-anniversary', at: `${day}T12:00:00Z`, mode: 'day', runDate: day });

let dynamo: RunningDynalite;
let ses: StartedServer;
let doc: DynamoDBDocumentClient;
let table: string;
let http: { url: string; close(): Promise<void> };
let customers: Customer[];
const stateDir = mkdtempSync(join(tmpdir(), 'asks-deliver-'));
const keysFile = join(stateDir, 'keys.json');
const definition = definitionFromCdkOut().definition;

beforeAll(async () => {
  dynamo = await startDynalite();
  ses = await startSes({ port: 0 });
  doc = localDoc(dynamo.endpoint);
  table = await freshTable(doc, 'deliver');
  customers = generateCustomers({ count: 400, seed: 11, today: DAY, dueTodayShare: 0.25 });
  await new CustomerStore(doc, table).putMany(customers);
  const keyring = await loadKeyring({ SIGNING_KEYS_FILE: keysFile });
  http = await startHttpServer({
    port: 0,
    deps: { doc, tableName: table, keyring, clock: systemClock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher: new MemoryPublisher(), insecureCookies: true },
  });
});

afterAll(async () => {
  await http?.close();
  await ses?.stop();
  await dynamo?.stop();
});

const wiring = () => localDeps({ doc, tableName: table, sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile });

async function asksOf(year: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: table, FilterExpression: 'entity = :a AND begins_with(SK, :sk)', ExpressionAttributeValues: { ':a': 'ask', ':sk': `ASK#signup_anniversary#${year}` }, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Header value of a raw message, unfolded. */
function header(eml: string, name: string): string | undefined {
  const head = eml.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
}

describe('a local day run, then an unsubscribe and a bounce, then the next time they are due', () => {
  let emailsByAddress: Map<string, string>;

  it('sends every email with List-Unsubscribe (https + mailto), List-Unsubscribe-Post and text + HTML parts', async () => {
    // Act
    const run = await runExecution({ definition, handlers: wiring().handlers, input: runOn(DAY) });

    // Assess
    expect(run.error).toBeUndefined();
    const stored = await asksOf('2026');
    const sentByEmail = stored.filter((a) => a.status === 'sent' && a.channel === 'email');
    expect(sentByEmail.length).toBeGreaterThan(10);
    const messages = (await listEmails(ses.url)).filter((m) => sentByEmail.some((a) => a.messageId === m.messageId));
    expect(messages.length).toBe(sentByEmail.length);
    emailsByAddress = new Map();
    for (const m of messages) {
      const eml = (await fetchEml(ses.url, m.messageId, { listed: true }))!;
      const unsubscribe = header(eml, 'List-Unsubscribe');
      expect(unsubscribe, m.messageId).toMatch(/<https?:\/\/[^>]+\/u\/[^>]+>/);
      expect(unsubscribe, m.messageId).toMatch(/<mailto:[^>]+>/);
      expect(header(eml, 'List-Unsubscribe-Post'), m.messageId).toBe('List-Unsubscribe=One-Click');
      expect(eml, m.messageId).toMatch(/multipart\/alternative/i);
      expect(eml, m.messageId).toMatch(/Content-Type:\s*text\/plain/i);
      expect(eml, m.messageId).toMatch(/Content-Type:\s*text\/html/i);
      emailsByAddress.set(m.destination!.to![0]!.toLowerCase().replace(/^.*</, '').replace(/>$/, ''), eml);
    }
  });

  it('skips the unsubscribed and the bounced customer next year and asks the others again', async () => {
    // Prepare: two email-only customers who got an email: one unsubscribes in one click, the other hard-bounces.
    const emailOnly = customers.filter((c) => c.email && emailsByAddress.has(c.email.toLowerCase()) && c.consents.email && !c.consents.sms && !c.consents.in_app);
    expect(emailOnly.length).toBeGreaterThanOrEqual(2);
    const [leaver, bouncer] = emailOnly as [Customer, Customer];
    const link = /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(header(emailsByAddress.get(leaver.email!.toLowerCase())!, 'List-Unsubscribe')!)![1]!;
    const oneClick = await fetch(`${http.url}${new URL(link).pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    await makeSesEventsHandler({ doc, tableName: table })({
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      detail: {
        eventType: 'Bounce',
        mail: { messageId: 'bounce-test', destination: [bouncer.email!], tags: {} },
        bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: bouncer.email! }] },
      },
    });

    // Act
    const run = await runExecution({ definition, handlers: wiring().handlers, input: runOn(NEXT_YEAR) });

    // Assess
    expect(run.error).toBeUndefined();
    const next = new Map((await asksOf('2027')).map((a) => [a.customerId as string, a]));
    expect(next.get(leaver.id)).toMatchObject({ status: 'skipped', skipReason: 'no_consented_channel' });
    expect(next.get(bouncer.id)).toMatchObject({ status: 'skipped' });
    expect(['suppressed', 'no_consented_channel']).toContain(next.get(bouncer.id)!.skipReason);
    const others = emailOnly.slice(2).filter((c) => next.has(c.id));
    expect(others.length).toBeGreaterThan(0);
    expect(others.some((c) => next.get(c.id)!.status === 'sent')).toBe(true);
    const toLeaverOrBouncer = (await listEmails(ses.url)).filter((m) => {
      const to = (m.destination?.to ?? []).join(',').toLowerCase();
      return to.includes(leaver.email!.toLowerCase()) || to.includes(bouncer.email!.toLowerCase());
    });
    expect(toLeaverOrBouncer.length).toBe(2); // only this year's two emails
  });
});
