// What the reward commands (`asks review`, `asks rewards`) share: the data-target options and the conversion
// service wired to that table (locally, events go to .local/events.jsonl like the embedded runtime's).
import type { Command } from 'commander';
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { publisherFromEnv } from '../adapters/eventbridge.js';
import { conversionDeps } from '../functions/conversions/wiring.js';
import { openDataTarget } from './data-target.js';
import { withAwsTarget, type AwsTargetOptions } from './target.js';

export interface TargetOptions extends AwsTargetOptions {
  json?: boolean;
  endpoint?: string;
  table?: string;
  cloud?: boolean;
}

/** Adds --json, --endpoint, --table, --cloud and the target switch (--target, --stack, --region, --profile). */
export const withTargetOptions = (cmd: Command): Command =>
  withAwsTarget(cmd)
    .option('--json', 'print the result as JSON')
    .option('--endpoint <url>', 'local DynamoDB endpoint (default: DYNAMODB_ENDPOINT, DYNAMO_PORT, the engine npm start runs for this checkout, or http://127.0.0.1:8700)')
    .option('--table <name>', 'table name (default: TABLE_NAME or referral-asks-local)')
    .option('--cloud', 'use the deployed table (default AWS credentials, TABLE_NAME)');

export type ConversionDeps = ReturnType<typeof conversionDeps>;

/** Run `fn` with the conversion service on the chosen table; the local engine is started when none runs. */
export async function withConversionDeps<T>(options: TargetOptions, fn: (deps: ConversionDeps) => Promise<T>): Promise<T> {
  const target = await openDataTarget(options);
  try {
    // TABLE_NAME (and the local endpoint) let the publisher swap customer ids for subject ids (docs/privacy.md).
    const table = { TABLE_NAME: target.tableName, ...(target.endpoint ? { DYNAMODB_ENDPOINT: target.endpoint } : {}) };
    // A deployed stack: its bus; --cloud: EVENT_BUS_NAME as set; locally: the JSON lines file the runtime writes.
    const env = target.stack
      ? { ...process.env, ...table, EVENT_BUS_NAME: target.stack.eventBusName ?? '' }
      : options.cloud
        ? { ...process.env, ...table }
        : { ...process.env, ...table, EVENTS_FILE: process.env.EVENTS_FILE ?? '.local/events.jsonl' };
    const campaigns = new FileCampaignRepository(process.env.CAMPAIGNS_DIR ? { dir: process.env.CAMPAIGNS_DIR } : {});
    return await fn(conversionDeps({ doc: target.doc, tableName: target.tableName, campaigns, publisher: publisherFromEnv(env) }));
  } finally {
    await target.close();
  }
}
