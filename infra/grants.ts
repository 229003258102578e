// Least-privilege grants, per function and action by action (grantReadWriteData would include dynamodb:Scan, and no
// runtime path may Scan). test/least-privilege compares them with the calls each function makes in the test suite.
import type { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { FunctionId } from '../functions/ids.js';

/** What one function may do, action by action (test/least-privilege checks it against the calls it makes). */
export interface FunctionGrantSpec {
  /** DynamoDB actions on the table itself, e.g. ["GetItem", "PutItem"]. */
  table?: string[];
  /** DynamoDB actions on the table's indexes (table/index/*), e.g. ["Query"]. */
  indexes?: string[];
  /** events:PutEvents on the project bus. */
  putEvents?: boolean;
  /** secretsmanager:GetSecretValue on these secrets. */
  secrets?: Array<'signing' | 'webhook'>;
  /** ses:SendEmail (identities of this account and region, the configuration set). */
  sendEmail?: boolean;
  /** sms-voice:SendTextMessage. */
  sendSms?: boolean;
  /** states:StartExecution on the run state machine. */
  startExecution?: boolean;
}

/**
 * Grants per function (ids: functions/ids.ts), from the calls each one makes (test/least-privilege). No function may
 * Scan; QueryDuePage is pure and gets nothing.
 */
export const FUNCTION_GRANTS: Record<FunctionId, FunctionGrantSpec> = {
  LoadCampaign: { table: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'] },
  QueryDuePage: {},
  ProcessBatch: { table: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['Query'], putEvents: true, secrets: ['signing'], sendEmail: true, sendSms: true },
  Summarize: { table: ['UpdateItem'], putEvents: true },
  StartRun: { startExecution: true },
  CustomerActivity: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], putEvents: true },
  ConversionEvents: { table: ['GetItem', 'PutItem', 'UpdateItem', 'Query'], indexes: ['Query'], putEvents: true },
  SesEvents: { table: ['GetItem', 'PutItem', 'UpdateItem'], putEvents: true },
  SmsInbound: { table: ['GetItem', 'PutItem', 'UpdateItem'], sendSms: true },
  RewardApprover: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], putEvents: true },
  Api: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'], indexes: ['Query'], putEvents: true, secrets: ['signing', 'webhook'] },
  CustomerErasure: { table: ['GetItem', 'Query', 'PutItem', 'BatchWriteItem'], indexes: ['Query'], putEvents: true, secrets: ['signing'] },
};

export interface GrantTargets {
  table?: ITable;
  bus?: IEventBus;
  secrets?: Partial<Record<'signing' | 'webhook', ISecret>>;
  stateMachine?: IStateMachine;
  configurationSetName?: string;
}

/** Applies FUNCTION_GRANTS[id] to the function's role; throws when a target the spec needs is not given. */
export function grantFunction(scope: Stack, id: FunctionId, grantee: IGrantable, targets: GrantTargets): void {
  const spec = FUNCTION_GRANTS[id];
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`grants of ${id}: ${what} is needed but was not given`);
    return v;
  };
  const add = (actions: string[], resources: string[]) => grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
  if (spec.table?.length) add(spec.table.map((a) => `dynamodb:${a}`), [need(targets.table, 'the table').tableArn]);
  if (spec.indexes?.length) add(spec.indexes.map((a) => `dynamodb:${a}`), [`${need(targets.table, 'the table').tableArn}/index/*`]);
  if (spec.putEvents) need(targets.bus, 'the bus').grantPutEventsTo(grantee);
  for (const secret of spec.secrets ?? []) add(['secretsmanager:GetSecretValue'], [need(targets.secrets?.[secret], `the ${secret} secret`).secretArn]);
  if (spec.sendEmail) grantSesSend(grantee, scope, need(targets.configurationSetName, 'the configuration set name'));
  if (spec.sendSms) grantSmsSend(grantee, scope);
  if (spec.startExecution) add(['states:StartExecution'], [need(targets.stateMachine, 'the state machine').stateMachineArn]);
}

export function grantSesSend(grantee: IGrantable, scope: Stack, configurationSetName: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ses:SendEmail'],
      resources: [
        scope.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
        scope.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
      ],
    }),
  );
}

export function grantSmsSend(grantee: IGrantable, scope: Stack): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['sms-voice:SendTextMessage'],
      resources: [scope.formatArn({ service: 'sms-voice', resource: '*' })],
    }),
  );
}
