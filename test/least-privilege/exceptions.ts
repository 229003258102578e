// Grants a function holds without the test suite ever seeing it make the call, each with the reason. Everything else
// a role grants must be called by that function somewhere in the suite (test/least-privilege/iam.test.ts).

export interface GrantException {
  /** Function ids (functions/ids.ts), or '*' for every function. */
  functions: string[] | '*';
  /** The action exactly as the policy writes it. */
  action: string;
  reason: string;
}

export const GRANT_EXCEPTIONS: GrantException[] = [
  {
    functions: '*',
    action: 'xray:PutTraceSegments',
    reason: 'Active tracing (Tracing.ACTIVE): the Lambda service sends the trace segments, not our code.',
  },
  {
    functions: '*',
    action: 'xray:PutTelemetryRecords',
    reason: 'Active tracing (Tracing.ACTIVE): the Lambda service sends the telemetry, not our code.',
  },
  {
    functions: ['ProcessBatch', 'SmsInbound'],
    action: 'sms-voice:SendTextMessage',
    reason: 'End User Messaging SMS has no local engine and moto does not serve SendTextMessage; the SMS senders are tested with aws-sdk-client-mock (test/unit/channels/sms.test.ts), which bypasses the client middleware that records calls.',
  },
  {
    functions: ['ProcessBatch', 'CustomerErasure'],
    action: 'secretsmanager:GetSecretValue',
    reason: "Reads the token keyring (SIGNING_SECRET_ARN, adapters/signing-keys.ts) in Lambda. moto's CloudFormation does not create the secret, so `asks run --target aws` on moto signs with the local keyring; the Api reads the same secret through the same adapter in the moto test.",
  },
  {
    functions: ['CustomerActivity', 'SesEvents', 'CustomerErasure'],
    action: 'events:PutEvents',
    reason: 'Publishes its analytics events (customer orders, delivery states) through adapters/eventbridge.ts when EVENT_BUS_NAME is set; the suite drives these handlers with the in-memory and file publishers of the same port. Summarize, ProcessBatch, Api, ConversionEvents put events on moto\'s bus through that adapter.',
  },
  {
    functions: ['RewardApprover'],
    action: 'dynamodb:UpdateItem',
    reason: "Resuming a parked over-budget reward spends the campaign budget (adapters/dynamo/ledger.ts spend, a conditional UpdateItem), and a run moves the hold cursor META/HOLDS (holdsHandled); no test parks a reward and then runs the approver's Lambda entry on a real table, and only the moto test (when moto is installed) runs that entry at all.",
  },
  {
    functions: ['RewardApprover'],
    action: 'dynamodb:GetItem',
    reason: "Resuming a parked reward reads the campaign's spent budget (ledger spentMinor, a consistent GetItem), and every run reads the hold cursor META/HOLDS (dueHolds); see dynamodb:UpdateItem.",
  },
  {
    functions: ['RewardApprover'],
    action: 'events:PutEvents',
    reason: 'Issuing an approved reward publishes referral.reward.issued; the moto test runs the approver on moto\'s table and bus, but its conversion has no reward past the refund window yet.',
  },
];

/** Managed policies a function's role may carry, with the reason. */
export const MANAGED_POLICY_EXCEPTIONS: Record<string, string> = {
  AWSLambdaBasicExecutionRole: "Writing the function's own CloudWatch logs (logs:CreateLogStream, logs:PutLogEvents); the Lambda runtime does it, not an SDK call of ours.",
};
