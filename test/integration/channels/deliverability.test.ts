// Deliverability end to end on dynalite and the local SES server: a bounce suppresses the address so the next send is
// refused; one-click unsubscribe, preferences, SMS STOP and the in-app inbox change what is stored.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChannelSenders } from '../../../adapters/channels/index.js';
import { createSesClient } from '../../../adapters/channels/ses-email.js';
import { fixedClock } from '../../../adapters/clock.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { PreferenceStore } from '../../../adapters/dynamo/preferences.js';
import { encodeTagValue } from '../../../core/email-headers.js';
import { signToken } from '../../../core/links.js';
import type { Keyring, OutboundMessage } from '../../../core/ports.js';
import { makeSesEventsHandler } from '../../../functions/channels/ses-events.js';
import { makeSmsInboundHandler } from '../../../functions/channels/sms-inbound.js';
import { routes } from '../../../functions/http/routes/index.js';
import type { HttpRequest, HttpResponse } from '../../../functions/http/types.js';
import type { ChannelRouteDeps } from '../../../functions/http/routes/unsubscribe.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

const keyring: Keyring = { currentKid: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64url') } };
const clock = fixedClock('2026-03-10T12:00:00Z');
let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let sesServer: Server;
let sesUrl: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: ((c: { host: string; port: number }) => Promise<Server>) | { default: (c: { host: string; port: number }) => Promise<Server> } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  sesServer = await start({ host: '127.0.0.1', port: 0 });
  sesUrl = `http://127.0.0.1:${(sesServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => sesServer.close(() => r()));
  await dynamo.stop();
});
beforeEach(async () => {
  table = await freshTable(doc, 'deliv');
});

async function putCustomer(id: string, fields: Record<string, unknown> = {}): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: { PK: `C#${id}`, SK: 'PROFILE', id, firstName: 'Ada', email: `${id}@example.com`, phone: '+4915112345678', timezone: 'Europe/Berlin', consents: { email: true, sms: true, in_app: true }, doNotAsk: false, ...fields },
    }),
  );
}

async function profile(id: string): Promise<Record<string, unknown>> {
  return (await doc.send(new GetCommand({ TableName: table, Key: { PK: `C#${id}`, SK: 'PROFILE' }, ConsistentRead: true }))).Item!;
}

function deps(): ChannelRouteDeps {
  return { doc, tableName: table, keyring, clock, baseUrl: 'https://go.acme.test' };
}

/** The router's job in miniature: match the pattern, hand over params. */
async function call(method: 'GET' | 'POST', url: string, body = ''): Promise<HttpResponse> {
  const u = new URL(url, 'https://go.acme.test');
  for (const route of routes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const re = new RegExp(`^${route.pattern.replace(/:([A-Za-z]+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(u.pathname);
    if (!m) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const req: HttpRequest = { method, path: u.pathname, query: Object.fromEntries(u.searchParams), headers: { 'content-type': 'application/x-www-form-urlencoded' }, cookies: {}, body };
    return route.handler(req, params, deps());
  }
  throw new Error(`no route for ${method} ${u.pathname}`);
}

function emailAsk(customerId: string, occurrence = 'signup_anniversary#2026'): OutboundMessage {
  const askId = `${customerId}~${occurrence}`;
  return {
    askId,
    customerId,
    campaignId: 'anniversary',
    channel: 'email',
    idempotencyKey: `${askId}#email`,
    to: { email: `${customerId}@example.com` },
    subject: 'Happy anniversary',
    html: '<p>Share</p>',
    text: 'Share',
    shareUrl: 'https://go.acme.test/s/x',
    unsubscribeUrl: `https://go.acme.test/u/${signToken({ p: 'unsub', c: customerId, k: 'anniversary' }, keyring)}`,
  };
}

function senders() {
  return createChannelSenders({
    doc,
    tableName: table,
    ses: { client: createSesClient({ endpoint: sesUrl }), from: 'asks@acme.test' },
    sms: { outboxFile: '/dev/null' },
    publisher: new MemoryPublisher(),
    clock,
    rateLimitPerSecond: 50,
    rateLimitScope: 'process',
  });
}

describe('bounce suppression', () => {
  it('a hard bounce event suppresses the address and a second send is refused', async () => {
    // Prepare: one ask sent for real through the local SES server
    await putCustomer('ada');
    const channels = senders();
    const first = emailAsk('ada');
    const { messageId } = await channels.email.send(first);
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'C#ada', SK: 'ASK#signup_anniversary#2026', askId: first.askId, status: 'sent', messageId } }));

    // Act: SES reports a permanent bounce
    await makeSesEventsHandler({ doc, tableName: table })({
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      time: '2026-03-10T12:00:03Z',
      detail: {
        eventType: 'Bounce',
        mail: { messageId, destination: ['ada@example.com'], tags: { askId: [encodeTagValue(first.askId)] } },
        bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'ADA@example.com' }] },
      },
    });

    // Assess
    const second = await channels.email.send(emailAsk('ada', 'nth_purchase#10')).catch((e: unknown) => e);
    expect(second).toMatchObject({ name: 'PermanentSendError', message: expect.stringMatching(/suppressed/) });
    const ask = (await doc.send(new GetCommand({ TableName: table, Key: { PK: 'C#ada', SK: 'ASK#signup_anniversary#2026' } }))).Item!;
    expect(ask).toMatchObject({ deliveryState: 'bounced', status: 'bounced' });
  });

  it('a late "delivered" never overwrites a newer "clicked"', async () => {
    // Prepare
    await doc.send(new PutCommand({ TableName: table, Item: { PK: 'C#bo', SK: 'ASK#o1', askId: 'bo~o1', status: 'sent' } }));
    const handle = makeSesEventsHandler({ doc, tableName: table });
    const ev = (eventType: string) => ({ 'detail-type': 'x', time: '2026-03-10T12:00:00Z', detail: { eventType, mail: { messageId: 'm', tags: { askId: [encodeTagValue('bo~o1')] } } } });

    // Act
    const results = await handle([ev('Click'), ev('Delivery')]);

    // Assess
    expect(results.map((r) => r.delivery)).toEqual(['updated', 'stale']);
    const ask = (await doc.send(new GetCommand({ TableName: table, Key: { PK: 'C#bo', SK: 'ASK#o1' } }))).Item!;
    expect(ask.deliveryState).toBe('clicked');
  });
});

describe('unsubscribe and preferences', () => {
  it('a one-click POST /u/:token sets email consent false and answers 200', async () => {
    // Prepare
    await putCustomer('cy');
    const token = signToken({ p: 'unsub', c: 'cy', k: 'anniversary' }, keyring);

    // Act
    const res = await call('POST', `/u/${token}`, 'List-Unsubscribe=One-Click');

    // Assess
    expect(res.status).toBe(200);
    const p = await profile('cy');
    expect(p.consents).toEqual({ email: false, sms: true, in_app: true });
    expect(p.doNotAsk).toBe(false);
  });

  it('the confirm form with "don\'t ask again" also sets doNotAsk', async () => {
    await putCustomer('dee');
    const token = signToken({ p: 'unsub', c: 'dee' }, keyring);
    const res = await call('POST', `/u/${token}`, 'doNotAsk=on');
    expect(res.status).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect((await profile('dee')).doNotAsk).toBe(true);
  });

  it('GET /u/:token shows an escaped confirm page with security headers', async () => {
    await putCustomer('eve');
    const res = await call('GET', `/u/${signToken({ p: 'unsub', c: 'eve' }, keyring)}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<form method="post"');
    expect(res.headers?.['referrer-policy']).toBe('no-referrer');
    expect(res.headers?.['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await profile('eve')).consents).toEqual({ email: true, sms: true, in_app: true });
  });

  it('a tampered token gets the friendly 404 page', async () => {
    const token = signToken({ p: 'unsub', c: 'eve' }, keyring);
    const res = await call('POST', `/u/${token.slice(0, -2)}xx`, 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(404);
    expect(res.body).toContain('This link does not work');
  });

  it('a share token cannot unsubscribe', async () => {
    await putCustomer('fay');
    const res = await call('POST', `/u/${signToken({ p: 'share', c: 'fay' }, keyring)}`, 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(404);
  });

  it('POST /p/:token saves channel opt-outs, preferred channel and doNotAsk', async () => {
    // Prepare
    await putCustomer('gus', { preferredChannel: 'email' });
    const token = signToken({ p: 'prefs', c: 'gus' }, keyring);

    // Act
    const res = await call('POST', `/p/${token}`, 'email=on&in_app=on&preferredChannel=in_app&doNotAsk=on');

    // Assess
    expect(res.status).toBe(200);
    expect(await profile('gus')).toMatchObject({ consents: { email: true, sms: false, in_app: true }, preferredChannel: 'in_app', doNotAsk: true });
  });

  it('a bad preferences form is shown again with the field named, nothing saved', async () => {
    await putCustomer('hal');
    const res = await call('POST', `/p/${signToken({ p: 'prefs', c: 'hal' }, keyring)}`, 'email=on&preferredChannel=sms');
    expect(res.status).toBe(400);
    expect(res.body).toContain('preferredChannel: is sms, but sms is switched off');
    expect((await profile('hal')).consents).toEqual({ email: true, sms: true, in_app: true });
  });

  it('GET /p/:token shows the current choices', async () => {
    await putCustomer('ivy', { consents: { email: true, sms: false } });
    const res = await call('GET', `/p/${signToken({ p: 'prefs', c: 'ivy' }, keyring)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/name="email" value="on" checked/);
    expect(res.body).not.toMatch(/name="sms" value="on" checked/);
  });
});

describe('SMS STOP', () => {
  it('STOP suppresses the number and turns SMS consent off for the customer behind the pointer', async () => {
    // Prepare
    await putCustomer('jo', { phone: '+4915199999999' });
    await new PreferenceStore(doc, table).putPhonePointer('+4915199999999', 'jo', '2026-03-01T00:00:00Z');
    const handle = makeSmsInboundHandler({ doc, tableName: table, clock });
    const sms = { originationNumber: '+4915199999999', destinationNumber: '+4930000000', messageBody: 'Stop', inboundMessageId: 'in-1' };

    // Act
    const results = await handle({ Records: [{ Sns: { Message: JSON.stringify(sms) } }] });

    // Assess
    expect(results).toEqual([{ from: '+4915199999999', keyword: 'stop', customerId: 'jo', action: 'suppressed' }]);
    expect((await profile('jo')).consents).toMatchObject({ sms: false, email: true });
    const s = (await doc.send(new GetCommand({ TableName: table, Key: { PK: 'S#+4915199999999', SK: 'SUPPRESSION' } }))).Item!;
    expect(s.reason).toBe('sms_stop');
  });
});

describe('in-app inbox', () => {
  it('an in-app ask is listed for its token and dismissed through POST', async () => {
    // Prepare
    const channels = senders();
    await channels.in_app.send({ ...emailAsk('kim'), channel: 'in_app', idempotencyKey: 'kim#in_app', subject: 'Happy 1st', text: 'Invite a friend' });
    const token = signToken({ p: 'inapp', c: 'kim' }, keyring);

    // Act
    const listed = await call('GET', `/inapp/asks?token=${token}`);
    const dismissed = await call('POST', `/inapp/asks/${encodeURIComponent('kim~signup_anniversary#2026')}`, JSON.stringify({ action: 'dismissed', token }));
    const after = await call('GET', `/inapp/asks?token=${token}`);

    // Assess
    expect(JSON.parse(String(listed.body)).asks).toMatchObject([{ askId: 'kim~signup_anniversary#2026', title: 'Happy 1st', state: 'open' }]);
    expect(dismissed.status).toBe(200);
    expect(JSON.parse(String(after.body)).asks).toEqual([]);
  });

  it("another customer's token cannot touch the item", async () => {
    const channels = senders();
    await channels.in_app.send({ ...emailAsk('lu'), channel: 'in_app', idempotencyKey: 'lu#in_app', subject: 'Hi', text: 'x' });
    const res = await call('POST', `/inapp/asks/${encodeURIComponent('lu~signup_anniversary#2026')}`, JSON.stringify({ action: 'dismissed', token: signToken({ p: 'inapp', c: 'mo' }, keyring) }));
    expect(res.status).toBe(404);
  });

  it('names the field of a bad action', async () => {
    const res = await call('POST', '/inapp/asks/x', JSON.stringify({ action: 'read', token: 't' }));
    expect(res.status).toBe(400);
    expect(JSON.parse(String(res.body)).field).toBe('action');
  });
});
