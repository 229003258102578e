// Workflow handler envelopes and the definition read back from the synthesized template.
import { describe, expect, it } from 'vitest';
import { handler as queryDuePage } from '../../../functions/workflow/query-due-page.js';
import { unwrap } from '../../../functions/workflow/unwrap.js';
import { definitionFromCdkOut } from '../../../local/definition.js';
import { STATE } from '../../../core/schemas/workflow.js';

const state = {
  run: { runId: 'c#2026-05-01', campaignId: 'c', at: '2026-05-01T00:00:00Z', mode: 'day', runDate: '2026-05-01' },
  pending: [{ index: 'DueSignup', partition: '05-01#UTC#00', localDate: '2026-05-01' }],
  totals: {},
  page: 0,
};

describe('workflow handler envelopes', () => {
  it('unwrap takes the Payload out of a lambda:invoke envelope', () => {
    expect(unwrap({ FunctionName: 'f', Payload: { a: 1 } })).toEqual({ a: 1 });
  });
  it('unwrap passes a raw payload through', () => {
    expect(unwrap({ a: 1 })).toEqual({ a: 1 });
  });
  it('QueryDuePage accepts the envelope and answers { Payload }', async () => {
    const out = await queryDuePage({ FunctionName: 'x', Payload: state });
    expect(out.Payload.batches).toHaveLength(1);
  });
});

describe('definitionFromCdkOut', () => {
  it('resolves the Lambda substitutions of the synthesized state machine', () => {
    const { definition } = definitionFromCdkOut();
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/\$\{[A-Za-z]+Arn\}/);
    expect(Object.keys(definition.States as object)).toEqual(expect.arrayContaining([STATE.LoadCampaign, STATE.QueryDuePage, STATE.HasBatches, STATE.ProcessBatches, STATE.Summarize]));
  });
});
