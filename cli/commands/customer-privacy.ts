// `asks customer erase <id|email>` and `asks customer export <id>`: a data-protection request (GDPR Art. 17, 15/20)
// answered from the command line. Both work on the local data (starting the local engine when none runs) or, with
// --cloud, on the deployed table. What erasure keeps, and in which pseudonymous form, is in docs/privacy.md.
import type { Command } from 'commander';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson, writeOptionFile } from '../output.js';

/** The signing keyring, the events publisher and the table, for one privacy command. */
async function openPrivacyTarget(options: TargetOptions) {
  const { openDataTarget } = await import('../data-target.js');
  const { loadKeyring } = await import('../../adapters/signing-keys.js');
  const { publisherFromEnv, subjectsFromEnv } = await import('../../adapters/eventbridge.js');
  const target = await openDataTarget(options);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TABLE_NAME: target.tableName,
    ...(target.endpoint ? { DYNAMODB_ENDPOINT: target.endpoint, EVENTS_FILE: process.env.EVENTS_FILE ?? '.local/events.jsonl' } : {}),
  };
  const keyring = await loadKeyring(env);
  return { target, keyring, publisher: publisherFromEnv(env), subjects: subjectsFromEnv(env) };
}

export function registerCustomerPrivacy(customer: Command): void {
  withTargetOptions(
    customer
      .command('erase')
      .description("erase a customer (GDPR Art. 17): delete or pseudonymize every item that holds their data, keep opt-outs as keyed hashes, write a receipt, emit referral.customer.erased")
      .argument('<idOrEmail>', 'customer id, or the email address on their profile'),
  ).action(async (idOrEmail: string, _options: TargetOptions, cmd: Command) => {
    const options = cmd.optsWithGlobals<TargetOptions>();
    const { CustomerEraser } = await import('../../adapters/dynamo/erasure.js');
    const { systemClock } = await import('../../adapters/clock.js');
    const { target, keyring, publisher, subjects } = await openPrivacyTarget(options);
    try {
      const eraser = new CustomerEraser({ doc: target.doc, tableName: target.tableName, keyring, clock: systemClock, publisher, onErased: (id) => subjects?.forget(id) });
      const customerId = idOrEmail.includes('@') ? await eraser.customerIdByEmail(idOrEmail) : idOrEmail;
      if (!customerId) throw new CliError(`customer erase: no customer with that email address`, EXIT.failure);
      const receipt = await eraser.erase(customerId, 'cli');
      if (!receipt) throw new CliError(`customer erase: nothing is stored under "${customerId}"`, EXIT.failure);
      // Locally, the report cache beside the event log is rebuilt from the log on the next report (analytics/README.md).
      if (target.endpoint) await (await import('../../adapters/analytics/event-cache.js')).dropReportCache(process.env.EVENTS_FILE ?? '.local/events.jsonl');
      if (options.json) printJson(receipt);
      else
        out(
          `erased: ${receipt.deleted} items deleted, ${receipt.pseudonymized} pseudonymized, ${receipt.suppressionsHashed} opt-outs kept as keyed hashes`,
          `  receipt ERASED#${receipt.pseudonym} at ${receipt.completedAt}`,
          ...Object.entries(receipt.byKind)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([kind, n]) => `  ${kind.padEnd(20)} ${n}`),
        );
    } finally {
      await target.close();
    }
  });

  withTargetOptions(
    customer
      .command('export')
      .description('export everything held about a customer as JSON (GDPR Art. 15/20): profile, consents and their ledger, asks, milestones, referrals, rewards')
      .argument('<customerId>', 'customer id')
      .option('-o, --out <file>', 'write the JSON to this file instead of standard output'),
  ).action(async (customerId: string, _options: TargetOptions & { out?: string }, cmd: Command) => {
    const options = cmd.optsWithGlobals<TargetOptions & { out?: string }>();
    const { exportCustomer } = await import('../../adapters/dynamo/customer-export.js');
    const { target, keyring } = await openPrivacyTarget(options);
    try {
      const data = await exportCustomer(target.doc, target.tableName, customerId, keyring, new Date());
      if (!data) throw new CliError(`customer export: no customer "${customerId}"`, EXIT.failure);
      if (options.out) {
        await writeOptionFile('--out', options.out, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
        out(`wrote ${options.out}`);
      } else printJson(data);
    } finally {
      await target.close();
    }
  });
}
