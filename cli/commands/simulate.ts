// `asks simulate [--days N] [--seed S] [--faults crash=0.1,throttle=0.3,kill=0.05] [--json]`: every active campaign's
// hourly schedule over N simulated days on a private local stack (random ports, in memory), with injected faults and
// random activity from a seeded PRNG; then the invariants, checked against an oracle computed from the inputs alone.
// Exit 0 with no violation, 1 with any, 2 on a usage mistake.
import type { Command } from 'commander';
import { CliError, EXIT, err, out, printJson, setExitCode } from '../output.js';
import { checkLocalDate } from '../args.js';

const whole = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name}: must be a whole number from ${min} to ${max} (got "${v}")`, EXIT.usage);
  return n;
};

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate the hourly schedule of every active campaign over N days with faults, then check the invariants (exit 1 on any violation)')
    .option('--days <n>', 'simulated days', whole('days', 1, 366), 30)
    .option('--seed <s>', 'PRNG seed (the same seed gives the same inputs)', whole('seed', 0, 2 ** 31 - 1), 1)
    .option('--faults <list>', "fault probabilities: crash=P (a ProcessBatch dies), throttle=P (an SES call is throttled), kill=P (an execution's process is killed at a random point: before or after an ask's claim, after its send marker, after SES accepted it, mid-Summarize)", 'crash=0,throttle=0,kill=0')
    .option('--customers <n>', 'customers generated', whole('customers', 1, 5000), 60)
    .option('--start <date>', 'first simulated day YYYY-MM-DD (UTC)', '2026-03-01')
    .option('--budget-scale <x>', 'multiply every campaign budget (a small factor exercises the budget rule)', '1')
    .option('--json', 'print the report as JSON')
    .action(async (options: { days: number; seed: number; faults: string; customers: number; start: string; budgetScale: string; json?: boolean }) => {
      checkLocalDate('--start', options.start);
      const budgetScale = Number(options.budgetScale);
      if (!Number.isFinite(budgetScale) || budgetScale <= 0) throw new CliError(`--budget-scale: must be a positive number (got "${options.budgetScale}")`, EXIT.usage);
      process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
      const { parseFaults, simulate } = await import('../../local/simulate.js');
      let faults;
      try {
        faults = parseFaults(options.faults);
      } catch (e) {
        throw new CliError((e as Error).message, EXIT.usage);
      }
      const report = await simulate({ days: options.days, seed: options.seed, faults, customers: options.customers, startDate: options.start, budgetScale, log: options.json ? undefined : (line) => err(line) });
      if (report.violations.length > 0) setExitCode(EXIT.failure);
      if (options.json) {
        printJson(report);
        return;
      }
      const f = report.faults;
      out(
        `simulated ${report.days} days from ${options.start}, seed ${report.seed}: ${report.customers} customers, ${report.executions} executions, ${report.sent} messages, ${report.expectedOccurrences} due occurrences settled`,
        `faults crash=${f.crash} throttle=${f.throttle} kill=${f.kill}; injected ${report.injected.crash} crashes, ${report.injected.throttle} throttled SES calls, ${report.injected.kill} kills${report.injected.kill ? ` (${Object.entries(report.kills).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`,
        `activity ${Object.entries(report.events).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
        '',
        `${'invariant'.padEnd(22)}${'checked'.padStart(8)}${'violations'.padStart(12)}  description`,
        ...report.table.map((r) => `${r.invariant.padEnd(22)}${String(r.checked).padStart(8)}${String(r.violations).padStart(12)}  ${r.description}`),
      );
      if (report.violations.length) {
        out('', `${report.violations.length} violations:`);
        for (const v of report.violations) out(`  ${v.invariant}  ${[v.campaignId, v.customerId, v.occurrenceId].filter(Boolean).join(' ')}: ${v.detail}`);
      } else out('', 'no violations');
    });
}
