// The run workflow as Amazon States Language (JSONPath subset only), so the very same definition runs in the cloud and
// in the embedded runtime (aws-local-stepfunctions: no JSONata, no Assign, no ItemReader/ItemBatcher/ResultWriter).
// Lambda ARNs are DefinitionSubstitutions (${LoadCampaignArn} ...), which keeps the synthesized DefinitionString plain
// JSON that the local runtime reads back from the template.
import { STATE } from '../core/schemas/workflow.js';

export interface RunDefinitionProps {
  /** Parallel batches per Map round (bounded by the SES send rate more than by Lambda). */
  maxConcurrency?: number;
}

/** Errors the workflow retries with backoff; validation and permanent errors are never retried. */
export const RETRYABLE = [
  'ThrottlingError',
  'TransientError',
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

export const SUBSTITUTIONS = {
  LoadCampaign: 'LoadCampaignArn',
  QueryDuePage: 'QueryDuePageArn',
  ProcessBatch: 'ProcessBatchArn',
  Summarize: 'SummarizeArn',
} as const;

const retry = [{ ErrorEquals: RETRYABLE, IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 5, JitterStrategy: 'FULL' }];

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
              // A failed batch is recorded and the run goes on; its customers are picked up by the next run.
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
