// cdk-nag ships CommonJS whose named exports Node's ESM loader cannot see; re-export them from the default import.
// The suppressions every stack with Lambdas shares live here, each next to its reason.
import type { Stack } from 'aws-cdk-lib';
import nag from 'cdk-nag';

export const { NagSuppressions, AwsSolutionsChecks, NagReportFormat } = nag;

/** Suppressions for the Lambda baseline of a stack (managed log policy, index and X-Ray wildcards). */
export function suppressLambdaBaseline(stack: Stack): void {
  NagSuppressions.addStackSuppressions(stack, [
    {
      id: 'AwsSolutions-IAM4',
      reason: "AWSLambdaBasicExecutionRole only allows writing the function's own logs.",
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
    // IAM5 (wildcards) only for these findings, each with its reason: a new wildcard grant anywhere else is reported.
    {
      id: 'AwsSolutions-IAM5',
      reason: "Queries on the table's own global secondary indexes: the index ARNs are table/<name>/index/<index>, one per due index.",
      appliesTo: [{ regex: '/^Resource::.+\\/index\\/\\*$/g' }],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) have no resource-level permissions.',
      appliesTo: ['Resource::*'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: "The run state machine invokes its own four functions' versions and aliases (function:<name>:*), nothing else.",
      appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+Fn[A-F0-9]+\\.Arn>:\\*$/g' }],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'ses:SendEmail is authorized on the sending identity, which is set per deployment (sesFromAddress): identities of this account and region only.',
      appliesTo: ['Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'sms-voice:SendTextMessage is authorized on the origination identity chosen per destination country (docs/deploy.md): identities of this account and region only.',
      appliesTo: ['Resource::arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:*'],
    },
  ]);
}
