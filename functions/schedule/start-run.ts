// Lambda entry: the campaign schedule fires -> one Step Functions execution per campaign and hour. The execution name
// is deterministic (`<campaignId>-<YYYYMMDD>T<HH>`), so a schedule retry cannot start the same run twice.
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { RunInput } from '../../core/schemas/workflow.js';
import { createAwsClient, inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'referral-asks' });
let client: SFNClient | undefined;

/** `<campaignId>-<YYYYMMDD>T<HH>` (80 characters at most, as Step Functions allows). */
export function executionName(input: RunInput): string {
  const day = (input.mode === 'day' && input.runDate ? input.runDate : input.at.slice(0, 10)).replaceAll('-', '');
  return `${input.campaignId}-${day}T${input.mode === 'day' ? 'day' : input.at.slice(11, 13)}`.slice(0, 80);
}

export interface StartRunDeps {
  send(command: StartExecutionCommand): Promise<{ executionArn?: string }>;
  stateMachineArn: string;
}

async function startRunOnce(event: unknown, deps: StartRunDeps): Promise<{ started: boolean; name: string; executionArn?: string }> {
  const raw = (event && typeof event === 'object' && 'detail' in event ? (event as { detail: unknown }).detail : event) as Record<string, unknown>;
  const input = RunInput.parse(raw);
  const name = executionName(input);
  try {
    const out = await deps.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input: JSON.stringify(input) }));
    logger.info('run started', { name, executionArn: out.executionArn });
    return { started: true, name, ...(out.executionArn ? { executionArn: out.executionArn } : {}) };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') {
      logger.info('run already started', { name });
      return { started: false, name };
    }
    throw error;
  }
}

/** Start the run for one schedule event (deduplicated by the execution name). */
export const startRun = inFunction(FUNCTION_ID.StartRun, startRunOnce);

export const handler = async (event: unknown) => {
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not set');
  client ??= createAwsClient('states', SFNClient);
  const sfn = client;
  return startRun(event, { send: (command) => sfn.send(command), stateMachineArn });
};
