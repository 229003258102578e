// `asks retention sweep`: delete clicks (with their visitor ids) and leads older than the retention period, and every
// item whose `expiresAt` passed. In the cloud DynamoDB's TTL does this; dynalite has no TTL, so the local runtime
// sweeps (`npm start` runs it on every start).
import type { Command } from 'commander';
import { withTargetOptions, type TargetOptions } from '../conversion-deps.js';
import { CliError, EXIT, out, printJson } from '../output.js';

export function registerRetention(program: Command): void {
  const retention = program.command('retention').description('retention of clicks, visitor ids and leads (RETENTION_DAYS, default 180)');
  withTargetOptions(
    retention
      .command('sweep')
      .description('delete expired items now (local data; the cloud table expires them by TTL on expiresAt)')
      .option('--days <n>', 'retention period in days (default: RETENTION_DAYS or 180)'),
  ).action(async (_options: TargetOptions & { days?: string }, cmd: Command) => {
    const options = cmd.optsWithGlobals<TargetOptions & { days?: string }>();
    const { parseRetentionDays } = await import('../../core/privacy.js');
    let days: number;
    try {
      days = parseRetentionDays(options.days ?? process.env.RETENTION_DAYS);
    } catch (error) {
      throw new CliError(`retention sweep: ${(error as Error).message.replace('RETENTION_DAYS', '--days')}`, EXIT.usage);
    }
    const { openDataTarget } = await import('../data-target.js');
    const { sweepExpired } = await import('../../adapters/dynamo/retention.js');
    const target = await openDataTarget(options);
    try {
      const result = await sweepExpired(target.doc, target.tableName, new Date(), days);
      if (options.json) printJson({ retentionDays: days, ...result });
      else {
        const total = Object.values(result.deleted).reduce((a, b) => a + b, 0);
        out(`retention ${days} days: ${total} expired items deleted${total ? ` (${Object.entries(result.deleted).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
      }
    } finally {
      await target.close();
    }
  });
}
