// `asks runs <campaign>`: one record per execution, counts by outcome and reason; `asks run --from/--to` usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
    await store.addCounts(runOf('e1'), { sent: 3, 'skipped:cooldown': 1 });
    await store.start(runOf('e2'), '2026-03-08T10:00:00.000Z');
    await store.addCounts(runOf('e2'), { sent: 2, in_flight: 1 });
    await store.record({ run: runOf('e2'), totals: { sent: 2, in_flight: 1, 'skipped:already_asked': 3 }, pages: 2, completedAt: '2026-03-08T10:00:00.000Z' });

    // Act
    const json = await asks(['runs', 'c1', '--json', '--endpoint', dynamo.endpoint, '--table', table]);
    const human = await asks(['runs', 'c1', '--endpoint', dynamo.endpoint, '--table', table]);

    // Assess
    expect(json.code).toBe(0);
    const runs = (JSON.parse(json.stdout) as { runs: Array<{ executionId: string; status: string; outcomes: Record<string, number>; reasons: Record<string, number> }> }).runs;
    const byId = new Map(runs.map((r) => [r.executionId, r]));
    expect(runs.length).toBe(2);
    expect(byId.get('e1')).toMatchObject({ status: 'running', outcomes: { sent: 3, skipped: 1 }, reasons: { cooldown: 1 } });
    expect(byId.get('e2')).toMatchObject({ status: 'completed', outcomes: { sent: 2, in_flight: 1, skipped: 3 }, reasons: { already_asked: 3 } });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/c1#2026-03-08T10 \(e1\).*running/);
    expect(human.stdout).toMatch(/skipped: {2}already_asked 3/);
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
