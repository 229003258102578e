// `asks validate`: checks campaign files before anything is deployed and reports every problem as
// `file:line:col: path: message`, one per line, so editors and CI can point at it.
import type { Command } from 'commander';
import { defaultCampaignsDir, formatProblem, loadCampaignPaths, type Problem } from '../../adapters/campaign-files.js';
import { defaultTemplatesDir } from '../../adapters/templates-fs.js';
import { EXIT, out, printJson, setExitCode } from '../output.js';

export interface ValidateResult {
  ok: boolean;
  campaigns: Array<{ id: string; file: string; status: string }>;
  problems: Problem[];
}

/** Validate files and directories; the templates directory is checked for every template a variant names. */
export async function validateCampaigns(paths: string[], templatesDir: string): Promise<ValidateResult> {
  const { campaigns, files, problems } = await loadCampaignPaths(paths, { templatesDir });
  return {
    ok: problems.length === 0,
    campaigns: campaigns.map((c, i) => ({ id: c.id, file: files[i] ?? '', status: c.status })),
    problems,
  };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check campaign files (YAML or JSON): schema, weights, currencies, cron, timezones, templates, duplicate ids')
    .argument('[paths...]', 'campaign files or directories (default: campaigns/)')
    .option('--templates <dir>', 'templates directory (default: templates/ or TEMPLATES_DIR)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], options: { templates?: string; json?: boolean }) => {
      const targets = paths.length > 0 ? paths : [defaultCampaignsDir()];
      const result = await validateCampaigns(targets, options.templates ?? defaultTemplatesDir());
      if (!result.ok) setExitCode(EXIT.failure);
      if (options.json) {
        printJson(result);
        return;
      }
      if (result.ok) {
        const n = result.campaigns.length;
        out(n === 0 ? '✓ no campaign files found' : `✓ ${n} campaign${n === 1 ? '' : 's'} valid`);
        return;
      }
      out(...result.problems.map(formatProblem));
      const files = new Set(result.problems.map((p) => p.file)).size;
      out(`✗ ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`);
    });
}
