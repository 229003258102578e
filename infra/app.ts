// The CDK app: validates every campaign file, then builds the stateful stack, the HTTP stack and the workflow stack.
// `npx cdk synth` works offline (env-agnostic stacks, no lookups); cdk-nag AwsSolutions checks run on every synth.
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.js';
import { loadCampaignDir } from '../adapters/campaign-files.js';
import { HttpStack } from './http-stack.js';
import { REPO_ROOT } from './lambda.js';
import { StatefulStack } from './stateful-stack.js';
import { WorkflowStack } from './workflow-stack.js';
import { join } from 'node:path';
import { DEFAULT_RETENTION_DAYS } from '../core/privacy.js';
import { DEFAULT_RECOVERY } from '../core/workflow/recovery.js';

/** Context smsOriginationIdentities: a JSON string or object {"US": "+1800...", "default": "..."}. */
function smsIdentities(value: unknown): { smsOriginationIdentities: Record<string, string> } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  if (typeof parsed.default !== 'string' || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('context smsOriginationIdentities: a JSON object of ISO country -> origination identity with a "default"');
  return { smsOriginationIdentities: parsed as Record<string, string> };
}

/**
 * Context recoveryLookbackHours: hours back every hourly run resumes unfinished partitions and reads due asks
 * (RECOVERY_LOOKBACK_HOURS of LoadCampaign; default 24, docs/deploy.md). A whole number from 1 to 168; throws otherwise.
 */
export function recoveryLookbackHours(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_RECOVERY.lookbackHours;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 168) throw new Error(`context recoveryLookbackHours: a whole number of hours from 1 to 168 (got ${JSON.stringify(value)})`);
  return n;
}

export interface BuildOptions {
  app?: App;
  campaignsDir?: string;
}

export async function buildApp(options: BuildOptions = {}): Promise<{ app: App; stateful: StatefulStack; http: HttpStack; workflow: WorkflowStack }> {
  const app = options.app ?? new App();
  const { campaigns, problems } = await loadCampaignDir(options.campaignsDir ?? join(REPO_ROOT, 'campaigns'), { templatesDir: join(REPO_ROOT, 'templates') });
  if (problems.length > 0) {
    throw new Error(`campaign files are not valid (run \`npx asks validate\`):\n${problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n')}`);
  }
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const prefix = `ReferralAsks-${stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, { description: 'Milestone referral asks: table, bus, keys, SES configuration set' });
  const http = new HttpStack(app, `${prefix}-Http`, {
    table: stateful.table,
    bus: stateful.bus,
    signingSecret: stateful.signingSecret,
    webhookSecret: stateful.webhookSecret,
    publicBaseUrl: app.node.tryGetContext('publicBaseUrl'),
    retentionDays: Number(app.node.tryGetContext('retentionDays') ?? DEFAULT_RETENTION_DAYS),
    description: 'Milestone referral asks: public pages and webhooks',
  });
  const workflow = new WorkflowStack(app, `${prefix}-Workflow`, {
    table: stateful.table,
    bus: stateful.bus,
    signingSecret: stateful.signingSecret,
    configurationSetName: stateful.configurationSet.configurationSetName,
    publicBaseUrl: http.publicBaseUrl,
    campaigns,
    sesFromAddress: String(app.node.tryGetContext('sesFromAddress') ?? 'referrals@example.com'),
    sendRatePerSecond: Number(app.node.tryGetContext('sendRatePerSecond') ?? 14),
    recoveryLookbackHours: recoveryLookbackHours(app.node.tryGetContext('recoveryLookbackHours')),
    httpApi: http.api,
    deadLetterQueues: { ClickEventsDlq: stateful.clickEventsDlq },
    ...(smsIdentities(app.node.tryGetContext('smsOriginationIdentities')) ?? {}),
    description: 'Milestone referral asks: run workflow, schedules and event handlers',
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stateful, http, workflow };
}

// Run as the CDK app entry (cdk.json), not when imported by tests.
if (process.argv[1] && /infra[\\/]app\.ts$/.test(process.argv[1])) {
  const { app } = await buildApp();
  app.synth();
}
