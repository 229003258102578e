// The Lambda build of adapters/campaign-files.ts: infra/bundle.ts validates every campaign file at bundle time (the
// same loader, templates checked, synth fails on any problem) and writes their data to campaigns/.compiled.json; in
// the function bundles this module stands in for campaign-files.ts, so no function ships the YAML parser (~120 KB).
// Same contract for the functions: FileCampaignRepository, every campaign parsed by the Campaign schema, loud failure.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { CachedCampaignRepository } from './cached-campaigns.js';
import { Campaign } from '../core/schemas/campaign.js';
import type { Program } from '../core/schemas/program.js';
import type { ProgramSource } from '../core/ports.js';
import type { CampaignSourceOptions } from './cached-campaigns.js';

/** In the campaigns directory of a function asset; a dot file, so the YAML loader's directory listing skips it. */
export const COMPILED_CAMPAIGNS_FILE = '.compiled.json';

/** What the bundler writes: each valid campaign file's data as parsed from YAML/JSON, before the schema. */
export interface CompiledCampaigns {
  campaigns: Array<{ file: string; data: unknown }>;
  /**
   * The program file (campaigns/program.yaml) as the Program schema parsed it at bundle time (defaults applied): the
   * functions read it as is, so the schema and its checks stay out of the bundles.
   */
  program?: Program;
}

async function readCompiled(dir: string): Promise<CompiledCampaigns> {
  const path = join(dir, COMPILED_CAMPAIGNS_FILE);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CompiledCampaigns;
  } catch (error) {
    throw new ValidationError(`cannot read the compiled campaigns ${path} (written by infra/bundle.ts): ${(error as Error).message}`);
  }
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
    const compiled = await readCompiled(this.dir);
    const byId = new Map<string, Campaign>();
    for (const { file, data } of compiled.campaigns) {
      const parsed = Campaign.safeParse(data);
      if (!parsed.success) throw new ValidationError(`invalid campaign files:\n${parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n')}`);
      byId.set(parsed.data.id, parsed.data);
    }
    return byId;
  }
}

/** The program from .compiled.json, validated and defaulted at bundle time (same result as the YAML build's FileProgramSource). */
export class FileProgramSource implements ProgramSource {
  private loaded?: Promise<Program>;

  constructor(private readonly options: CampaignSourceOptions = {}) {}

  get(): Promise<Program> {
    this.loaded ??= readCompiled(this.options.dir ?? defaultCampaignsDir())
      .then((compiled) => {
        if (!compiled.program?.sender?.address || !compiled.program.postalAddress?.length) throw new ValidationError('the compiled campaigns have no program file (written by infra/bundle.ts)');
        return compiled.program;
      })
      .catch((error: unknown) => {
        this.loaded = undefined;
        throw error;
      });
    return this.loaded;
  }
}
