// The project's Lambda functions by id: the construct id each gets in infra/ (so the synthesized template names it,
// Metadata "ReferralAsks:Function"), and the name its AWS calls are recorded under (adapters/aws-clients.ts
// `inFunction`), which test/least-privilege compares with the grants of the same function.
export const FUNCTION_ID = {
  LoadCampaign: 'LoadCampaign',
  QueryDuePage: 'QueryDuePage',
  ProcessBatch: 'ProcessBatch',
  Summarize: 'Summarize',
  StartRun: 'StartRun',
  CustomerActivity: 'CustomerActivity',
  ConversionEvents: 'ConversionEvents',
  SesEvents: 'SesEvents',
  SmsInbound: 'SmsInbound',
  RewardApprover: 'RewardApprover',
  Api: 'Api',
  CustomerErasure: 'CustomerErasure',
} as const;
export type FunctionId = (typeof FUNCTION_ID)[keyof typeof FUNCTION_ID];
