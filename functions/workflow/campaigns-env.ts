// The campaign files of the workflow Lambda entries that read campaigns (LoadCampaign, ProcessBatch), apart from env.ts
// so the entries that do not (Summarize) do not bundle the YAML parser.
import { FileCampaignRepository, FileProgramSource } from '../../adapters/campaign-files.js';

const repos = new Map<string, FileCampaignRepository>();
export function campaignsFromEnv(env: NodeJS.ProcessEnv = process.env): FileCampaignRepository {
  const key = `${env.CAMPAIGNS_DIR ?? ''}|${env.TEMPLATES_DIR ?? ''}`;
  let repo = repos.get(key);
  if (!repo) {
    repo = new FileCampaignRepository({ ...(env.CAMPAIGNS_DIR ? { dir: env.CAMPAIGNS_DIR } : {}), ...(env.TEMPLATES_DIR ? { templatesDir: env.TEMPLATES_DIR } : {}) });
    repos.set(key, repo);
  }
  return repo;
}

const programs = new Map<string, FileProgramSource>();
/** The program file beside the campaigns (CAMPAIGNS_DIR): read once per process. */
export function programFromEnv(env: NodeJS.ProcessEnv = process.env): FileProgramSource {
  const key = `${env.CAMPAIGNS_DIR ?? ''}|${env.TEMPLATES_DIR ?? ''}`;
  let source = programs.get(key);
  if (!source) {
    source = new FileProgramSource({ ...(env.CAMPAIGNS_DIR ? { dir: env.CAMPAIGNS_DIR } : {}), ...(env.TEMPLATES_DIR ? { templatesDir: env.TEMPLATES_DIR } : {}) });
    programs.set(key, source);
  }
  return source;
}
