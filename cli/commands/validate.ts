// `asks validate`: checks campaign files before anything is deployed and reports every problem as
// `file:line:col: path: message`, one per line, so editors and CI can point at it.
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { defaultCampaignsDir, fieldLocation, formatProblem, loadCampaignPaths, loadProgramFile, programFileIn, type Problem } from '../../adapters/campaign-files.js';
import { sharedOccurrences } from '../../core/campaign-overlap.js';
import { defaultTemplatesDir } from '../../adapters/templates-fs.js';
import { EXIT, out, printJson, setExitCode } from '../output.js';

export interface ValidateResult {
  ok: boolean;
  campaigns: Array<{ id: string; file: string; status: string }>;
  /** The program file checked (program.yaml in a given directory), if any. */
  program?: { file: string; company: string };
  problems: Problem[];
}

/**
 * Validate files and directories; the templates directory is checked for every template a variant names. The program
 * file (program.yaml) of every given directory is checked too; `requireProgram` makes its absence a problem.
 */
export async function validateCampaigns(paths: string[], templatesDir: string, options: { requireProgram?: boolean } = {}): Promise<ValidateResult> {
  const programProblems: Problem[] = [];
  let program: ValidateResult['program'];
  let defaultLocale: string | undefined;
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) continue;
    const file = programFileIn(p);
    if (!existsSync(file)) {
      if (options.requireProgram) programProblems.push({ file, path: '', message: 'the program file is missing: email needs the sender and the postal address (see docs/campaigns.md)' });
      continue;
    }
    const loaded = await loadProgramFile(file, { templatesDir });
    if (!loaded.ok) programProblems.push(...loaded.problems);
    else {
      program = { file: loaded.file, company: loaded.program.company.name };
      defaultLocale = loaded.program.defaultLocale;
    }
  }
  const { campaigns, files, problems } = await loadCampaignPaths(paths, { templatesDir, ...(defaultLocale ? { defaultLocale } : {}) });
  // Two active campaigns on the same occurrences: only the first to decide one can ask (core/campaign-overlap.ts).
  const overlaps: Problem[] = [];
  const active = campaigns.map((c, i) => ({ c, file: files[i] ?? '' })).filter(({ c }) => c.status === 'active');
  for (const [j, later] of active.entries()) {
    for (const earlier of active.slice(0, j)) {
      const shared = sharedOccurrences(earlier.c.milestone, later.c.milestone);
      if (!shared) continue;
      overlaps.push({
        file: later.file,
        path: 'milestone',
        message: `campaign "${later.c.id}" and campaign "${earlier.c.id}" (${earlier.file}) are both active on the same occurrences (${shared}): a customer's occurrence is asked once, by whichever campaign decides it first (an audience skip included), so the other never asks those customers. Make it one campaign (audience and variants), split the years or thresholds, or pause one`,
        ...(later.file ? await fieldLocation(later.file, ['milestone']) : {}),
      });
    }
  }
  const all = [...programProblems, ...problems, ...overlaps];
  return {
    ok: all.length === 0,
    campaigns: campaigns.map((c, i) => ({ id: c.id, file: files[i] ?? '', status: c.status })),
    ...(program ? { program } : {}),
    problems: all,
  };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check campaign files (YAML or JSON) and the program file: schema, weights, currencies, cron, timezones, templates per locale, template variables, duplicate ids')
    .argument('[paths...]', 'campaign files or directories (default: campaigns/)')
    .option('--templates <dir>', 'templates directory (default: templates/ or TEMPLATES_DIR)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], options: { templates?: string; json?: boolean }) => {
      const targets = paths.length > 0 ? paths : [defaultCampaignsDir()];
      const result = await validateCampaigns(targets, options.templates ?? defaultTemplatesDir(), { requireProgram: paths.length === 0 });
      if (!result.ok) setExitCode(EXIT.failure);
      if (options.json) {
        printJson(result);
        return;
      }
      if (result.ok) {
        const n = result.campaigns.length;
        out(n === 0 ? '✓ no campaign files found' : `✓ ${n} campaign${n === 1 ? '' : 's'} valid`);
        if (result.program) out(`✓ program file valid (${result.program.company})`);
        return;
      }
      out(...result.problems.map(formatProblem));
      const files = new Set(result.problems.map((p) => p.file)).size;
      out(`✗ ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`);
    });
}
