// The run workflow as Amazon States Language (JSONPath subset only), so the very same definition runs in the cloud and
// in the embedded runtime (aws-local-stepfunctions: no JSONata, no Assign, no ItemReader/ItemBatcher/ResultWriter).
// Lambda ARNs are DefinitionSubstitutions (${LoadCampaignArn} ...), which keeps the synthesized DefinitionString plain
// JSON that the local runtime reads back from the template.
import { STATE } from '../core/schemas/workflow.js';
import { WORKFLOW_RETRY } from '../core/errors.js';

export interface RunDefinitionProps {
  /** Parallel batches per Map round (bounded by the SES send rate more than by Lambda). */
  maxConcurrency?: number;
}

/** Errors the workflow retries with backoff (core/errors.ts); validation and permanent errors are never retried. */
export const RETRYABLE: string[] = [...WORKFLOW_RETRY.transient.errors, ...WORKFLOW_RETRY.crash.errors];

/** ProcessBatch's task timeout: the function's own 5 minutes plus a margin, so a lost invocation ends as States.Timeout. */
export const PROCESS_BATCH_TIMEOUT_SECONDS = 330;

export const SUBSTITUTIONS = {
  LoadCampaign: 'LoadCampaignArn',
  QueryDuePage: 'QueryDuePageArn',
  ProcessBatch: 'ProcessBatchArn',
  Summarize: 'SummarizeArn',
} as const;

const retry = [WORKFLOW_RETRY.transient, WORKFLOW_RETRY.crash].map((r) => ({
  ErrorEquals: [...r.errors],
  IntervalSeconds: r.intervalSeconds,
  BackoffRate: r.backoffRate,
  MaxAttempts: r.maxAttempts,
  JitterStrategy: 'FULL',
}));

function invoke(name: keyof typeof SUBSTITUTIONS, next: { Next: string } | { End: true }): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: `\${${SUBSTITUTIONS[name]}}`, 'Payload.$': '$' },
    // The handler's payload becomes the whole state: payloads carry keys and cursors only.
    OutputPath: '$.Payload',
    Retry: retry,
    ...next,
  };
}

export function runDefinition(props: RunDefinitionProps = {}): Record<string, unknown> {
  return {
    Comment: 'Milestone referral asks: one run of one campaign (load, page through due customers in batches, summarize).',
    StartAt: STATE.LoadCampaign,
    States: {
      [STATE.LoadCampaign]: invoke('LoadCampaign', { Next: STATE.QueryDuePage }),
      [STATE.QueryDuePage]: invoke('QueryDuePage', { Next: STATE.HasBatches }),
      [STATE.HasBatches]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.done', BooleanEquals: true, Next: STATE.Summarize }],
        Default: STATE.ProcessBatches,
      },
      [STATE.ProcessBatches]: {
        Type: 'Map',
        ItemsPath: '$.batches',
        ItemSelector: { 'run.$': '$.run', 'batch.$': '$$.Map.Item.Value' },
        MaxConcurrency: props.maxConcurrency ?? 4,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: STATE.ProcessBatch,
          States: {
            [STATE.ProcessBatch]: {
              ...invoke('ProcessBatch', { End: true }),
              TimeoutSeconds: PROCESS_BATCH_TIMEOUT_SECONDS,
              // A batch that still fails after the retries is recorded and the run goes on; its partitions stay open in
              // the progress records and the next hourly run resumes them (docs/architecture.md, "Recovery").
              Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.BatchFailed }],
            },
            [STATE.BatchFailed]: {
              Type: 'Pass',
              Parameters: {
                'batchId.$': '$.batch.batchId',
                counts: {},
                continuation: [],
                failed: true,
                'error.$': '$.error.Error',
              },
              End: true,
            },
          },
        },
        ResultPath: '$.results',
        Next: STATE.QueryDuePage,
      },
      [STATE.Summarize]: invoke('Summarize', { End: true }),
    },
  };
}
