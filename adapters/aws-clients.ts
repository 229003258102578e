// Every AWS SDK client of the project is created here, and only here (test/unit/aws-clients.test.ts checks it):
//   - one switch for any target: an explicit endpoint (the local runtime's DYNAMODB_ENDPOINT / SES_ENDPOINT), else
//     the standard AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL; region from AWS_REGION / AWS_DEFAULT_REGION (or
//     the profile); profile from the option or AWS_PROFILE. A loopback endpoint without credentials in the
//     environment signs with dummy ones (dynalite, moto and the SES stand-in accept anything).
//   - the call recorder: with AWS_CALL_LOG_DIR set (the test suite), every call a function makes is appended to
//     <dir>/<pid>.jsonl as {fn, service, action, resource}; test/least-privilege compares it with the IAM policy the
//     synthesized template grants that function. Calls are attributed with `inFunction` (the function's composition
//     point); calls outside any function (CLI, test setup) are not recorded.
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The services the project calls: IAM action prefix and the SDK service id suffix of AWS_ENDPOINT_URL_<SUFFIX>. */
export const AWS_SERVICES = {
  dynamodb: { iam: 'dynamodb', endpointEnv: 'DYNAMODB' },
  events: { iam: 'events', endpointEnv: 'EVENTBRIDGE' },
  ses: { iam: 'ses', endpointEnv: 'SESV2' },
  states: { iam: 'states', endpointEnv: 'SFN' },
  secretsmanager: { iam: 'secretsmanager', endpointEnv: 'SECRETS_MANAGER' },
  'sms-voice': { iam: 'sms-voice', endpointEnv: 'PINPOINT_SMS_VOICE_V2' },
  cloudformation: { iam: 'cloudformation', endpointEnv: 'CLOUDFORMATION' },
  athena: { iam: 'athena', endpointEnv: 'ATHENA' },
} as const;
export type AwsService = keyof typeof AWS_SERVICES;

export interface AwsClientOptions {
  /** Explicit endpoint (wins over AWS_ENDPOINT_URL*); empty or undefined: the standard settings. */
  endpoint?: string;
  region?: string;
  /** Shared config profile (default AWS_PROFILE, as the SDK reads it). */
  profile?: string;
  maxAttempts?: number;
}

export interface ResolvedClientConfig {
  endpoint?: string;
  region?: string;
  profile?: string;
  maxAttempts?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

/** The endpoint a client of `service` uses: explicit, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, or the AWS default (undefined). */
export function endpointFor(service: AwsService, options: AwsClientOptions = {}, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return options.endpoint || env[`AWS_ENDPOINT_URL_${AWS_SERVICES[service].endpointEnv}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** The client configuration for `service` from options and the environment (exported for tests). */
export function clientConfig(service: AwsService, options: AwsClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedClientConfig {
  const endpoint = endpointFor(service, options, env);
  const local = endpoint !== undefined && LOOPBACK.test(endpoint);
  const profile = options.profile || undefined;
  const region = options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || (local ? 'us-east-1' : undefined);
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || profile || env.AWS_PROFILE);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}

// ---- the call recorder ------------------------------------------------------------------------------------------

export interface RecordedCall {
  /** The function (its construct id in the CDK app, e.g. "ProcessBatch"). */
  fn: string;
  /** IAM service prefix, e.g. "dynamodb". */
  service: string;
  /** IAM action name, e.g. "Query". */
  action: string;
  /** What was addressed: "table/<name>", "table/<name>/index/<index>", "event-bus/<name>", "secret/<id>", ... */
  resource: string;
}

const current = new AsyncLocalStorage<string>();

/**
 * `handler` attributed to the function `name` (its construct id in infra/): AWS calls made while it runs are recorded
 * under that name when AWS_CALL_LOG_DIR is set; otherwise the handler runs as is.
 */
export function inFunction<A extends unknown[], R>(name: string, handler: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => (process.env.AWS_CALL_LOG_DIR ? current.run(name, () => handler(...args)) : handler(...args));
}

/** The function whose handler is running (undefined outside any). */
export const currentFunction = (): string | undefined => current.getStore();

type Input = Record<string, unknown>;

/** The resources one call addresses, from its input (names as sent; ARNs as given). */
export function resourcesOf(service: string, input: Input): string[] {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (service) {
    case 'dynamodb': {
      const tables = str(input.TableName) ? [str(input.TableName)!] : Object.keys((input.RequestItems as Input | undefined) ?? {});
      const index = str(input.IndexName);
      return tables.map((t) => (index ? `table/${t}/index/${index}` : `table/${t}`));
    }
    case 'events':
      return [...new Set(((input.Entries as Input[] | undefined) ?? []).map((e) => `event-bus/${str(e.EventBusName) ?? 'default'}`))];
    case 'secretsmanager':
      return [`secret/${str(input.SecretId) ?? '?'}`];
    case 'states':
      return [`stateMachine/${str(input.stateMachineArn) ?? '?'}`];
    case 'ses': {
      const out = [`identity/${(str(input.FromEmailAddress) ?? '?').replace(/^.*@/, '').replace(/>.*$/, '')}`];
      if (str(input.ConfigurationSetName)) out.push(`configuration-set/${str(input.ConfigurationSetName)}`);
      return out;
    }
    case 'sms-voice':
      return [`origination-identity/${str(input.OriginationIdentity) ?? '?'}`];
    default:
      return ['*'];
  }
}

const written = new Set<string>();

function record(service: string, commandName: string | undefined, input: Input): void {
  const dir = process.env.AWS_CALL_LOG_DIR;
  const fn = current.getStore();
  if (!dir || !fn || !commandName) return;
  const action = commandName.replace(/Command$/, '');
  for (const resource of resourcesOf(service, input ?? {})) {
    const call: RecordedCall = { fn, service, action, resource };
    const line = JSON.stringify(call);
    if (written.has(`${dir}|${line}`)) continue;
    written.add(`${dir}|${line}`);
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `${process.pid}.jsonl`), `${line}\n`);
  }
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: { input: Input }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: Input }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** Adds the recorder to a client (idempotent per client). */
export function addCallRecorder<C>(client: C, service: AwsService): C {
  const iam = AWS_SERVICES[service].iam;
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      record(iam, context.commandName, args.input);
      return next(args);
    },
    { step: 'initialize', name: 'referralAsksCallRecorder', override: true },
  );
  return client;
}

/**
 * A new SDK client for `service`: `createAwsClient('dynamodb', DynamoDBClient, { endpoint })`. The only place the
 * project constructs AWS clients.
 */
export function createAwsClient<C, Config extends object>(service: AwsService, Client: new (...args: [] | [Config]) => C, options: AwsClientOptions = {}): C {
  const client = new Client(clientConfig(service, options) as Config);
  return addCallRecorder(client, service);
}
