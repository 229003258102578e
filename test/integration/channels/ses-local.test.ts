// The email sender against the local SES v2 server: the stored mail keeps both unsubscribe headers and both parts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesClient, SesEmailSender } from '../../../adapters/channels/ses-email.js';
import type { OutboundMessage } from '../../../core/ports.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: ((c: { host: string; port: number }) => Promise<Server>) | { default: (c: { host: string; port: number }) => Promise<Server> } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  server = await start({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    askId: 'cust-1~signup_anniversary#2026',
    customerId: 'cust-1',
    campaignId: 'anniversary',
    channel: 'email',
    idempotencyKey: 'cust-1~signup_anniversary#2026#email',
    to: { email: 'ada@example.com', name: 'Ada Lovelace' },
    subject: 'Happy anniversary, Ada',
    html: '<p>Share the love: <a href="https://x.test/s/abc">share</a></p>',
    text: 'Share the love: https://x.test/s/abc',
    shareUrl: 'https://x.test/s/abc',
    unsubscribeUrl: 'https://x.test/u/tok123.k1.sig',
    ...overrides,
  };
}

interface StoredEmail {
  messageId: string;
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

describe('SesEmailSender against aws-ses-v2-local', () => {
  it('stores a mail with List-Unsubscribe (https + mailto), List-Unsubscribe-Post and both parts', async () => {
    // Prepare
    const sender = new SesEmailSender({ client: createSesClient({ endpoint: url }), from: 'Acme <asks@news.acme.test>' });

    // Act
    const { messageId } = await sender.send(message());

    // Assess
    const store = (await (await fetch(`${url}/store`)).json()) as { emails: StoredEmail[] };
    const mail = store.emails.find((e) => e.messageId === messageId);
    expect(mail).toBeDefined();
    expect(mail!.body.html).toContain('<a href="https://x.test/s/abc">');
    expect(mail!.body.text).toContain('https://x.test/s/abc');
    const headers = Object.fromEntries((mail!.headers ?? []).map((h) => [h.name, h.value]));
    expect(headers['List-Unsubscribe']).toBe('<https://x.test/u/tok123.k1.sig>, <mailto:unsubscribe@news.acme.test?subject=unsubscribe-tok123.k1.sig>');
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('writes the unsubscribe headers into the raw message (eml)', async () => {
    // Prepare
    const sender = new SesEmailSender({ client: createSesClient({ endpoint: url }), from: 'asks@news.acme.test' });

    // Act
    const { messageId } = await sender.send(message({ subject: 'eml check' }));

    // Assess
    const res = (await (await fetch(`${url}/get-emlContent?messageId=${encodeURIComponent(messageId)}`)).json()) as { body: { data: number[] } };
    // Long header lines are folded (CRLF + space); unfold before matching.
    const eml = Buffer.from(res.body.data).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
    expect(eml).toMatch(/^List-Unsubscribe: <https:\/\/x\.test\/u\/tok123\.k1\.sig>, <mailto:unsubscribe@news\.acme\.test\?subject=unsubscribe-tok123\.k1\.sig>/m);
    expect(eml).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(eml).toMatch(/text\/plain/);
    expect(eml).toMatch(/text\/html/);
  });
});

describe('fetchEml against aws-ses-v2-local', () => {
  it('answers undefined for a message the server does not hold (an earlier start), and the server stays up', async () => {
    // Prepare: the embedded runtime's helper on the same local server.
    const { fetchEml } = await import('../../../local/servers.js');

    // Act
    const eml = await fetchEml(url, 'id-from-a-previous-npm-start');

    // Assess
    expect(eml).toBeUndefined();
    expect((await fetch(`${url}/health-check`)).status).toBe(200);
  });
});
