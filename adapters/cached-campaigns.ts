// The campaign repository both builds share: campaigns ship with the code, so they are loaded once per process and
// cached; a load that fails is not cached (the next call tries again) and fails loudly rather than running without a
// campaign. Subclasses say where the campaigns come from: YAML files (adapters/campaign-files.ts, locally and in the
// CLI) or the JSON compiled at bundle time (adapters/compiled-campaigns.ts, in the Lambdas).
import type { CampaignRepository } from '../core/ports.js';
import type { Campaign } from '../core/schemas/campaign.js';

export interface CampaignSourceOptions {
  /** The campaigns directory (default: CAMPAIGNS_DIR, else the build's own default). */
  dir?: string;
  /** Where templates are checked (the YAML build; the compiled build checked them at bundle time). */
  templatesDir?: string;
  /**
   * false: read the campaign files without checking their templates (a reader that renders nothing, such as
   * `asks report`, which needs ids, timezones and holdouts). Default true.
   */
  checkTemplates?: boolean;
}

export abstract class CachedCampaignRepository implements CampaignRepository {
  private loaded?: Promise<Map<string, Campaign>>;

  constructor(protected readonly options: CampaignSourceOptions = {}) {}

  /** The directory the campaigns are read from. */
  get dir(): string {
    return this.options.dir ?? this.defaultDir();
  }

  protected abstract defaultDir(): string;

  /** Every campaign by id; throws a ValidationError naming every problem. */
  protected abstract loadAll(): Promise<Map<string, Campaign>>;

  async get(id: string): Promise<Campaign | undefined> {
    return (await this.load()).get(id);
  }

  async list(): Promise<Campaign[]> {
    return [...(await this.load()).values()];
  }

  private load(): Promise<Map<string, Campaign>> {
    this.loaded ??= this.loadAll().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }
}
