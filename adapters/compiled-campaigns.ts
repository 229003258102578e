// The Lambda build of adapters/campaign-files.ts: infra/bundle.ts validates every campaign file at bundle time (the
// same loader, templates checked, synth fails on any problem) and writes their data to campaigns/.compiled.json; in
// the function bundles this module stands in for campaign-files.ts, so no function ships the YAML parser (~120 KB).
// Same contract for the functions: FileCampaignRepository, every campaign parsed by the Campaign schema, loud failure.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { CachedCampaignRepository } from './cached-campaigns.js';
import { Campaign } from '../core/schemas/campaign.js';

/** In the campaigns directory of a function asset; a dot file, so the YAML loader's directory listing skips it. */
export const COMPILED_CAMPAIGNS_FILE = '.compiled.json';

/** What the bundler writes: each valid campaign file's data as parsed from YAML/JSON, before the schema. */
export interface CompiledCampaigns {
  campaigns: Array<{ file: string; data: unknown }>;
}

/** CAMPAIGNS_DIR (always set on the functions), else campaigns/ under the working directory. */
export function defaultCampaignsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CAMPAIGNS_DIR ?? 'campaigns');
}

export class FileCampaignRepository extends CachedCampaignRepository {
  protected defaultDir(): string {
    return defaultCampaignsDir();
  }

  protected async loadAll(): Promise<Map<string, Campaign>> {
    const path = join(this.dir, COMPILED_CAMPAIGNS_FILE);
    let compiled: CompiledCampaigns;
    try {
      compiled = JSON.parse(await readFile(path, 'utf8')) as CompiledCampaigns;
    } catch (error) {
      throw new ValidationError(`cannot read the compiled campaigns ${path} (written by infra/bundle.ts): ${(error as Error).message}`);
    }
    const byId = new Map<string, Campaign>();
    for (const { file, data } of compiled.campaigns) {
      const parsed = Campaign.safeParse(data);
      if (!parsed.success) throw new ValidationError(`invalid campaign files:\n${parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n')}`);
      byId.set(parsed.data.id, parsed.data);
    }
    return byId;
  }
}
