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
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "Wildcards are limited to the table's own indexes (table/index/*), X-Ray trace segments (which have no resource ARN), " +
        "the state machine's own Lambda versions (function:*), SES identities and SMS origination identities of this account and region.",
    },
  ]);
}
