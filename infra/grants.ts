// Least-privilege grants. DynamoDB access is listed action by action: grantReadWriteData would include dynamodb:Scan,
// and no runtime path may Scan.
import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';

export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

export function grantTableData(grantee: IGrantable, table: ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: TABLE_ACTIONS,
      resources: [table.tableArn, `${table.tableArn}/index/*`],
    }),
  );
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
