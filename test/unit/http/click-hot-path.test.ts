// The click hot path through the real router: one GetItem for a new code, then exactly one write per click (the owner
// is cached), and the click event published by the handler only when the table stream does not publish it.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCampaignRepository } from '../../../adapters/campaign-files.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';
import { nanoIds, systemClock } from '../../../adapters/clock.js';
import { generateKeyring } from '../../../core/links.js';
import { handleHttp } from '../../../functions/http/handle.js';
import type { HttpDeps } from '../../../functions/http/deps.js';

const CODE = 'hxtp2345ef';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';

function setup(): { deps: HttpDeps; sent: string[]; publisher: MemoryPublisher } {
  const sent: string[] = [];
  const doc = {
    send: async (command: unknown) => {
      if (command instanceof GetCommand) {
        sent.push('GetItem');
        return { Item: { PK: `R#${CODE}`, SK: 'CODE', code: CODE, customerId: 'adv-1', campaignId: 'signup-anniversary', askId: 'adv-1~a', firstName: 'Olivia' } };
      }
      if (command instanceof PutCommand) {
        sent.push(`PutItem ${String(command.input.Item?.SK).split('#')[0]} ${String(command.input.Item?.referralCode)}`);
        return {};
      }
      throw new Error('unexpected command');
    },
  } as unknown as DynamoDBDocumentClient;
  const publisher = new MemoryPublisher();
  const deps: HttpDeps = { doc, tableName: 'hot', keyring: generateKeyring(randomBytes, 't'), clock: systemClock, ids: nanoIds, baseUrl: 'http://localhost:3000', campaigns: new FileCampaignRepository(), publisher, insecureCookies: true };
  return { deps, sent, publisher };
}

const click = (deps: HttpDeps) => handleHttp({ method: 'GET', path: `/r/${CODE}`, query: {}, headers: { 'user-agent': UA }, cookies: {}, body: '' }, deps);

afterEach(() => {
  delete process.env.CLICK_EVENTS_SOURCE;
});

describe('GET /r/{code} hot path', () => {
  it('reads the owner once, then makes exactly one write per click and publishes the click event', async () => {
    // Prepare
    const { deps, sent, publisher } = setup();
    // Act
    const first = await click(deps);
    const second = await click(deps);
    // Assess
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(sent).toEqual(['GetItem', `PutItem CLICK ${CODE}`, `PutItem CLICK ${CODE}`]);
    expect(publisher.events.map((e) => e.detailType)).toEqual(['referral.click.recorded.v1', 'referral.click.recorded.v1']);
    expect(first.cookies?.[0]).toMatch(/^ref_click=hxtp2345ef\.[A-Za-z0-9_-]{16}\.\d+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('leaves the event to the table stream when CLICK_EVENTS_SOURCE=stream (the click is its one write)', async () => {
    // Prepare
    const { deps, sent, publisher } = setup();
    process.env.CLICK_EVENTS_SOURCE = 'stream';
    // Act
    const res = await click({ ...deps, insecureCookies: false });
    // Assess
    expect(res.status).toBe(302);
    expect(sent.filter((s) => s.startsWith('PutItem'))).toHaveLength(1);
    expect(publisher.events).toEqual([]);
    expect(res.cookies?.[0]).toContain('; HttpOnly; Secure; SameSite=Lax');
  });
});
