// Any target, one switch: `--target local` (default: the embedded runtime's engines) or `--target aws --stack <name>`
// (a deployed app, found by its CloudFormation outputs). Endpoints, region and profile follow the standard AWS settings
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_REGION, AWS_PROFILE; --region and --profile set the last two), so
// the same commands run against AWS itself or an emulator such as moto.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Command } from 'commander';
import { createAwsClient } from '../adapters/aws-clients.js';
import { CliError, EXIT } from './output.js';

export interface AwsTargetOptions {
  /** "local" (default) or "aws". */
  target?: string;
  /** The app's stack name prefix (e.g. ReferralAsks-dev) or one of its stacks (ReferralAsks-dev-Stateful). */
  stack?: string;
  region?: string;
  profile?: string;
}

/** Adds --target, --stack, --region and --profile to a data command. */
export const withAwsTarget = (cmd: Command): Command =>
  cmd
    .option('--target <target>', 'where the data lives: local (the embedded runtime) or aws (a deployed stack, with --stack)', process.env.ASKS_TARGET ?? 'local')
    .option('--stack <name>', 'with --target aws: the app stack prefix (e.g. ReferralAsks-dev) or its stateful stack', process.env.ASKS_STACK)
    .option('--region <region>', 'with --target aws: AWS region (default AWS_REGION or the profile)')
    .option('--profile <profile>', 'with --target aws: shared config profile (default AWS_PROFILE)');

/** The deployed app's resources, from the outputs of its stacks. */
export interface StackOutputs {
  /** The stacks read, e.g. ["ReferralAsks-dev-Stateful", "ReferralAsks-dev-Http"]. */
  stacks: string[];
  tableName: string;
  eventBusName?: string;
  signingSecretArn?: string;
  webhookSecretArn?: string;
  apiUrl?: string;
  stateMachineArn?: string;
}

/** True when the options ask for a deployed stack; throws a usage error for an unknown target or a missing --stack. */
export function isAwsTarget(options: AwsTargetOptions): boolean {
  const target = options.target ?? 'local';
  if (target !== 'local' && target !== 'aws') throw new CliError(`--target: local or aws (got "${target}")`, EXIT.usage);
  if (target === 'local') return false;
  if (!options.stack) throw new CliError('--target aws needs --stack <name> (the app stack prefix, e.g. ReferralAsks-dev)', EXIT.usage);
  // One switch for every client this process creates (adapters/aws-clients.ts reads them).
  if (options.region) process.env.AWS_REGION = options.region;
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  return true;
}

const BUS_NAME = /^[A-Za-z0-9._\-/]{1,256}$/;

/**
 * The event bus name from the outputs: EventBusName when it is a name (moto answers an EventBus `Ref` with an object's
 * repr), else the name inside an event-bus ARN output.
 */
export function busNameOf(outputs: Record<string, string>): string | undefined {
  const named = outputs.EventBusName;
  if (named && BUS_NAME.test(named)) return named;
  for (const value of Object.values(outputs)) {
    const m = /^arn:[\w-]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(value);
    if (m) return m[1];
  }
  return undefined;
}

const cache = new Map<string, Promise<StackOutputs>>();

/** The outputs of `<prefix>-Stateful`, `-Http` and `-Workflow` (or of the one stack named); cached per process. */
export function resolveStackOutputs(options: AwsTargetOptions): Promise<StackOutputs> {
  const key = `${options.stack}|${process.env.AWS_REGION ?? ''}|${process.env.AWS_PROFILE ?? ''}`;
  let found = cache.get(key);
  if (!found) {
    found = readStackOutputs(options.stack!);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function readStackOutputs(stack: string): Promise<StackOutputs> {
  const cfn = createAwsClient('cloudformation', CloudFormationClient);
  const prefix = stack.replace(/-(Stateful|Http|Workflow)$/, '');
  const names = prefix === stack ? [`${prefix}-Stateful`, `${prefix}-Http`, `${prefix}-Workflow`, stack] : [`${prefix}-Stateful`, `${prefix}-Http`, `${prefix}-Workflow`];
  const outputs: Record<string, string> = {};
  const stacks: string[] = [];
  try {
    for (const name of names) {
      try {
        const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
        for (const o of out.Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
        stacks.push(name);
      } catch (error) {
        if (!/does not exist|ValidationError/.test(`${(error as Error).name} ${(error as Error).message}`)) throw error;
      }
    }
  } catch (error) {
    throw new CliError(`--stack ${stack}: cannot read its CloudFormation outputs: ${(error as Error).message}`);
  } finally {
    cfn.destroy();
  }
  if (stacks.length === 0) throw new CliError(`--stack ${stack}: no stack ${names.join(', ')} in ${process.env.AWS_REGION ?? 'the default region'}`);
  if (!outputs.TableName) throw new CliError(`--stack ${stack}: no TableName output in ${stacks.join(', ')}`);
  const bus = busNameOf(outputs);
  const optional = (k: string) => (outputs[k] && outputs[k] !== 'None' ? outputs[k] : undefined);
  return {
    stacks,
    tableName: outputs.TableName,
    ...(bus ? { eventBusName: bus } : {}),
    ...(optional('SigningSecretArn') ? { signingSecretArn: optional('SigningSecretArn')! } : {}),
    ...(optional('WebhookSecretArn') ? { webhookSecretArn: optional('WebhookSecretArn')! } : {}),
    ...(optional('ApiUrl') ? { apiUrl: optional('ApiUrl')! } : {}),
    ...(optional('StateMachineArn') ? { stateMachineArn: optional('StateMachineArn')! } : {}),
  };
}
