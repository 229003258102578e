// The run state machine's Retry/Catch contract comes from core/errors.ts: Lambda service errors, throttles, crashes and
// timeouts are retried with backoff; permanent errors are not; whatever still fails in a batch is caught and recorded.
import { describe, expect, it } from 'vitest';
import { CRASH_ERRORS, LAMBDA_SERVICE_ERRORS, NON_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from '../../../core/errors.js';
import { STATE } from '../../../core/schemas/workflow.js';
import { PROCESS_BATCH_TIMEOUT_SECONDS, runDefinition } from '../../../infra/run-definition.js';

type Retrier = { ErrorEquals: string[]; IntervalSeconds: number; BackoffRate: number; MaxAttempts: number };
type Task = { Retry?: Retrier[]; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; TimeoutSeconds?: number };

const definition = runDefinition() as { States: Record<string, Task & { ItemProcessor?: { States: Record<string, Task> } }> };
const batch = definition.States[STATE.ProcessBatches]!.ItemProcessor!.States[STATE.ProcessBatch]!;

describe('the run definition', () => {
  it('retries every Lambda service error, throttle, crash and timeout of a batch with backoff', () => {
    // Prepare
    const retried = batch.Retry!.flatMap((r) => r.ErrorEquals);

    // Act + Assess
    for (const name of [...RETRYABLE_ERRORS, ...LAMBDA_SERVICE_ERRORS, ...CRASH_ERRORS]) expect(retried).toContain(name);
    for (const r of batch.Retry!) {
      expect(r.BackoffRate).toBeGreaterThan(1);
      expect(r.MaxAttempts).toBeGreaterThan(0);
    }
    expect(batch.TimeoutSeconds).toBe(PROCESS_BATCH_TIMEOUT_SECONDS);
  });

  it('never retries a permanent error, and catches what is left so the run goes on', () => {
    // Prepare
    const retried = batch.Retry!.flatMap((r) => r.ErrorEquals);

    // Act + Assess
    for (const name of NON_RETRYABLE_ERRORS) expect(retried).not.toContain(name);
    expect(batch.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: STATE.BatchFailed });
    for (const state of [STATE.LoadCampaign, STATE.QueryDuePage, STATE.Summarize]) {
      expect(definition.States[state]!.Retry!.flatMap((r) => r.ErrorEquals)).toContain('Lambda.ServiceException');
    }
  });
});
