// `asks runs <campaign>`: one record per execution, counts by outcome and reason; `asks run --from/--to` usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { askSk, customerPk } from '../../../adapters/dynamo/keys.js';
import { DynamoRunStore } from '../../../adapters/dynamo/runs.js';
import type { Run } from '../../../core/schemas/workflow.js';
import { run as asks } from '../../../cli/main.js';
import { freshTable, localDoc, startDynalite, type RunningDynalite } from '../../helpers/dynalite.js';

let dynamo: RunningDynalite;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynalite();
  doc = localDoc(dynamo.endpoint);
});
afterAll(async () => {
  await dynamo?.stop();
});

const runOf = (executionId: string): Run => ({ runId: 'c1#2026-03-08T10', campaignId: 'c1', at: '2026-03-08T10:00:00Z', mode: 'hour', runDate: '2026-03-08', executionId });

describe('asks runs', () => {
  it('lists every execution of a run with its own counts, a killed one with the counts of its finished batches', async () => {
    // Prepare: the same hour executed twice; the first was killed after one batch.
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    await store.start(runOf('e1'), '2026-03-08T10:00:00.000Z');
    await store.addCounts(runOf('e1'), { sent: 3, 'skipped:cooldown': 1 }, 'p0b0');
    await store.start(runOf('e2'), '2026-03-08T10:00:00.000Z');
    await store.addCounts(runOf('e2'), { sent: 2, in_flight: 1 }, 'p0b0');
    await store.addCounts(runOf('e2'), { 'skipped:already_asked': 3 }, 'p0b1');
    await store.record({ run: runOf('e2'), totals: { sent: 2, in_flight: 1, 'skipped:already_asked': 3, batch_failed: 1 }, pages: 2, completedAt: '2026-03-08T10:00:00.000Z' });

    // Act
    const json = await asks(['runs', 'c1', '--json', '--endpoint', dynamo.endpoint, '--table', table]);
    const human = await asks(['runs', 'c1', '--endpoint', dynamo.endpoint, '--table', table]);

    // Assess
    expect(json.code).toBe(0);
    const runs = (JSON.parse(json.stdout) as { runs: Array<{ executionId: string; status: string; outcomes: Record<string, number>; reasons: Record<string, number> }> }).runs;
    const byId = new Map(runs.map((r) => [r.executionId, r]));
    expect(runs.length).toBe(2);
    expect(byId.get('e1')).toMatchObject({ status: 'running', outcomes: { sent: 3, skipped: 1 }, reasons: { cooldown: 1 } });
    expect(byId.get('e2')).toMatchObject({ status: 'completed', outcomes: { sent: 2, in_flight: 1, skipped: 3, batch_failed: 1 }, reasons: { already_asked: 3 } });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/c1#2026-03-08T10 \(e1\).*running/);
    expect(human.stdout).toMatch(/skipped: {2}already_asked 3/);
  });

  it('says a run is unfinished, not running, once a later scheduled run completed (its execution died)', async () => {
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    const at = (hour: string, executionId: string): Run => ({ runId: `c1#2026-03-08T${hour}`, campaignId: 'c1', at: `2026-03-08T${hour}:00:00Z`, mode: 'hour', runDate: '2026-03-08', executionId });
    await store.start(at('09', 'k9'), '2026-03-08T09:00:00.000Z');
    await store.addCounts(at('09', 'k9'), { sent: 1 }, 'p0b0');
    await store.start(at('10', 'c10'), '2026-03-08T10:00:00.000Z');
    await store.record({ run: at('10', 'c10'), totals: {}, pages: 1, completedAt: '2026-03-08T10:00:00.000Z' });
    await store.start(at('11', 'r11'), '2026-03-08T11:00:00.000Z');

    const json = await asks(['runs', 'c1', '--json', '--endpoint', dynamo.endpoint, '--table', table]);
    const human = await asks(['runs', 'c1', '--endpoint', dynamo.endpoint, '--table', table]);

    const runs = (JSON.parse(json.stdout) as { runs: Array<{ executionId: string; status: string; unfinished?: boolean }> }).runs;
    const byId = new Map(runs.map((r) => [r.executionId, r]));
    expect(byId.get('k9')).toMatchObject({ status: 'running', unfinished: true });
    // The newest one may really be running: nothing later completed.
    expect(byId.get('r11')!.unfinished).toBeUndefined();
    expect(byId.get('c10')!.unfinished).toBeUndefined();
    expect(human.stdout).toMatch(/c1#2026-03-08T09 \(k9\).*unfinished: no summary/);
    expect(human.stdout).toMatch(/c1#2026-03-08T11 \(r11\).*running$/m);
  });
});

describe('asks runs --limit', () => {
  it('keeps the newest records: newest run first, a run\'s later execution before its earlier one, limit after sorting', async () => {
    // Prepare: run 10h executed twice; the later execution has the smaller (key-first) id; an older run at 09h; a run
    // of the previous day.
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    const at = (hour: string, executionId: string, runDate = '2026-03-08'): Run => ({ runId: `c1#${runDate}T${hour}`, campaignId: 'c1', at: `${runDate}T${hour}:00:00Z`, mode: 'hour', runDate, executionId });
    await store.start(at('10', 'zz-first'), '2026-03-08T10:00:01.000Z');
    await store.start(at('10', 'aa-second'), '2026-03-08T10:20:00.000Z');
    await store.start(at('09', 'mm'), '2026-03-08T09:00:01.000Z');
    await store.start(at('23', 'yy', '2026-03-07'), '2026-03-07T23:00:01.000Z');

    // Act
    const one = await asks(['runs', 'c1', '--limit', '1', '--json', '--endpoint', dynamo.endpoint, '--table', table]);
    const three = await store.list('c1', 3);
    const all = await store.list('c1');

    // Assess
    expect(one.code).toBe(0);
    expect((JSON.parse(one.stdout) as { runs: Array<{ executionId: string }> }).runs.map((r) => r.executionId)).toEqual(['aa-second']);
    expect(three.map((r) => r.executionId)).toEqual(['aa-second', 'zz-first', 'mm']);
    expect(all.map((r) => r.executionId)).toEqual(['aa-second', 'zz-first', 'mm', 'yy']);
  });

  it('exits 1 naming an unknown campaign; a known one without runs is fine', async () => {
    const table = await freshTable(doc, 'runs');
    const unknown = await asks(['runs', 'nope', '--endpoint', dynamo.endpoint, '--table', table]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/campaign: no campaign "nope"/);
    const known = await asks(['runs', 'signup-anniversary', '--endpoint', dynamo.endpoint, '--table', table]);
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/no runs recorded for signup-anniversary/);
  });
});

describe('run records count each batch once', () => {
  it('ignores a second count of the same batch, and a second Summarize', async () => {
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    await store.start(runOf('e1'), '2026-03-08T10:00:00.000Z');
    expect(await store.addCounts(runOf('e1'), { sent: 3 }, 'p0b0')).toBe(true);
    expect(await store.addCounts(runOf('e1'), { sent: 3 }, 'p0b0')).toBe(false); // the retried attempt's report
    expect(await store.addCounts(runOf('e1'), { held_out: 1 }, 'p0b1')).toBe(true);
    const summary = { run: runOf('e1'), totals: { sent: 3, held_out: 1, batch_failed: 1 }, pages: 1, completedAt: '2026-03-08T10:00:00.000Z' };
    await store.record(summary);
    await store.record(summary);
    const [record] = await store.list('c1');
    expect(record).toMatchObject({ status: 'completed', totals: { sent: 3, held_out: 1, batch_failed: 1 } });
  });

  it('counts a dead batch from its journal once, after the lease, onto its own execution', async () => {
    // Prepare: e1's batch p0b0 journaled three asks and died: two were decided by it, one belongs to another execution.
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    await store.start(runOf('e1'), '2026-03-08T10:00:00.000Z');
    const ask = (customerId: string, status: string, executionId: string, batchId: string, extra: Record<string, unknown> = {}) =>
      doc.send(new PutCommand({ TableName: table, Item: { PK: customerPk(customerId), SK: askSk('signup_anniversary#2026'), entity: 'ask', customerId, status, executionId, batchId, ...extra } }));
    await ask('a', 'sent', 'e1', 'p0b0');
    await ask('b', 'skipped', 'e1', 'p0b0', { skipReason: 'cooldown' });
    await ask('c', 'sent', 'e9', 'p0b0');
    const journaled = ['a', 'b', 'c', 'd'].map((customerId) => ({ customerId, occurrenceId: 'signup_anniversary#2026' }));
    await store.openBatch(runOf('e1'), 'p0b0', journaled, '2026-03-08T10:00:00.000Z');

    // Act: a run inside the lease leaves it alone; the next run counts it; a third finds nothing left.
    const early = await store.reconcile('c1', '2026-03-08T09:55:00.000Z');
    const counted = await store.reconcile('c1', '2026-03-08T10:50:00.000Z');
    const again = await store.reconcile('c1', '2026-03-08T11:50:00.000Z');

    // Assess
    expect([early, counted, again]).toEqual([0, 1, 0]);
    const [record] = await store.list('c1');
    expect(record).toMatchObject({ status: 'running', totals: { sent: 1, 'skipped:cooldown': 1 }, reconciledBatches: 1 });
    // A journal whose batch did count itself (the process died between counting and deleting it) adds nothing.
    await store.addCounts(runOf('e1'), { sent: 1 }, 'p0b1');
    await store.openBatch(runOf('e1'), 'p0b1', journaled, '2026-03-08T10:00:00.000Z');
    expect(await store.reconcile('c1', '2026-03-08T12:00:00.000Z')).toBe(0);
    expect((await store.list('c1'))[0]!.totals).toEqual({ sent: 2, 'skipped:cooldown': 1 });
  });
});

describe('a retried batch', () => {
  it('keeps the earlier attempt in its journal and counts what that attempt decided and the retry will not meet again', async () => {
    // Prepare: attempt 1 of e1/p0b0 journaled a and b and sent a (a's pending record is handled: the retry does not read it).
    const table = await freshTable(doc, 'runs');
    const store = new DynamoRunStore(doc, table);
    await store.start(runOf('e1'), '2026-03-08T10:00:00.000Z');
    const key = (customerId: string) => ({ customerId, occurrenceId: 'project_completed#4' });
    expect(await store.openBatch(runOf('e1'), 'p0b0', [key('a'), key('b')], '2026-03-08T10:00:00.000Z')).toEqual({});
    await doc.send(new PutCommand({ TableName: table, Item: { PK: customerPk('a'), SK: askSk('project_completed#4'), entity: 'ask', customerId: 'a', status: 'sent', executionId: 'e1', batchId: 'p0b0' } }));

    // Act: the retry reads only b.
    const carried = await store.openBatch(runOf('e1'), 'p0b0', [key('b')], '2026-03-08T10:00:00.000Z');

    // Assess: a is counted by the retry; the journal still holds both (a third attempt would know a too).
    expect(carried).toEqual({ sent: 1 });
    expect(await store.openBatch(runOf('e1'), 'p0b0', [key('b')], '2026-03-08T10:00:00.000Z')).toEqual({ sent: 1 });
  });
});

describe('asks run --from/--to', () => {
  it('refuses a half window, a reversed one and a bad instant with exit code 2', async () => {
    expect((await asks(['run', 'signup-anniversary', '--from', '2026-03-08T00:00:00Z'])).code).toBe(2);
    expect((await asks(['run', 'signup-anniversary', '--from', '2026-03-09T00:00:00Z', '--to', '2026-03-08T00:00:00Z'])).code).toBe(2);
    const bad = await asks(['run', 'signup-anniversary', '--from', 'yesterday', '--to', '2026-03-08T00:00:00Z']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ISO-8601/);
  });
});
