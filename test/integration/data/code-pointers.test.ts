// Referral codes of repeat advocates (adapters/dynamo/codes.ts) in dynalite: the batch reads the pointers once
// (`known`), and an ask of an advocate who has a code writes no pointer, only the owner item again; a new advocate
// still gets exactly one code however many asks race for it.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoIds } from '../../../adapters/clock.js';
import { DynamoCodeStore } from '../../../adapters/dynamo/codes.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => {
  await dynamo.stop();
});

/** Commands sent through `doc`, by name, while `fn` runs. */
async function counted(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  const name = `count-${Math.random()}`;
  doc.middlewareStack.add((next, context) => async (args) => ((seen[context.commandName ?? '?'] = (seen[context.commandName ?? '?'] ?? 0) + 1), next(args)), { step: 'initialize', name });
  try {
    await fn();
  } finally {
    doc.middlewareStack.remove(name);
  }
  return seen;
}

describe('code pointers of repeat advocates', () => {
  it('known finds existing codes in one read; ensure with the known code writes only the owner item', async () => {
    // Prepare: two advocates with codes, one without.
    const table = await freshTable(doc, 'codes');
    const codes = new DynamoCodeStore(doc, table, nanoIds);
    const owner = (id: string) => ({ customerId: id, campaignId: 'camp', askId: `${id}~o1`, firstName: 'Ann' });
    const a = await codes.ensure(owner('a'), '2026-01-01T00:00:00Z');
    const b = await codes.ensure(owner('b'), '2026-01-01T00:00:00Z');

    // Act
    let known = new Map<string, string>();
    const reads = await counted(async () => (known = await codes.known(['a', 'b', 'c', 'a'], 'camp')));
    let again = '';
    const writes = await counted(async () => (again = await codes.ensure({ ...owner('a'), askId: 'a~o2' }, '2027-01-01T00:00:00Z', known.get('a'))));

    // Assess
    expect(reads).toEqual({ BatchGetItemCommand: 1 });
    expect(known).toEqual(new Map([['a', a], ['b', b]]));
    expect(again).toBe(a);
    expect(writes).toEqual({ PutItemCommand: 1 });
    expect((await codes.owner(a))?.customerId).toBe('a');
  });

  it('asks racing for a new advocate agree on one code', async () => {
    const table = await freshTable(doc, 'codes');
    const codes = new DynamoCodeStore(doc, table, nanoIds);
    const got = await Promise.all(Array.from({ length: 6 }, (_, i) => codes.ensure({ customerId: 'n', campaignId: 'camp', askId: `n~o${i}`, firstName: 'Nia' }, '2026-01-01T00:00:00Z')));
    expect(new Set(got).size).toBe(1);
    expect((await codes.known(['n'], 'camp')).get('n')).toBe(got[0]);
  });
});
