// The shared Lambda bundling (infra/bundle.ts): its plugins, and the campaigns compiled at bundle time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCampaignRepository, FileProgramSource } from '../../adapters/campaign-files.js';
import { COMPILED_CAMPAIGNS_FILE, FileCampaignRepository as CompiledCampaignRepository, FileProgramSource as CompiledProgramSource } from '../../adapters/compiled-campaigns.js';
import { bundleEntry, compileCampaigns, rewriteZodNamespaceImports } from '../../infra/bundle.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('zod namespace imports', () => {
  it('rewrites a named z import, keeps the other names, leaves the rest alone', () => {
    expect(rewriteZodNamespaceImports("import { z } from 'zod';\nz.string();")).toBe("import * as z from 'zod';\nz.string();");
    expect(rewriteZodNamespaceImports('import { ZodError, z } from "zod";')).toBe('import * as z from "zod"; import { ZodError } from "zod";');
    for (const same of ["import { ZodError } from 'zod';", "import * as z from 'zod';", "import type { z } from 'zod';", "import { z } from 'zod-extra';"]) {
      expect(rewriteZodNamespaceImports(same)).toBe(same);
    }
  });
});

describe('compiled campaigns', () => {
  it('gives the functions the same campaigns as the YAML loader', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compiled-campaigns-'));
    dirs.push(dir);
    await writeFile(join(dir, COMPILED_CAMPAIGNS_FILE), JSON.stringify(await compileCampaigns()));
    const compiled = await new CompiledCampaignRepository({ dir }).list();
    const fromYaml = await new FileCampaignRepository().list();
    expect(compiled.length).toBeGreaterThan(0);
    expect(compiled).toEqual(fromYaml);
    expect(await new CompiledCampaignRepository({ dir }).get(fromYaml[0]!.id)).toEqual(fromYaml[0]);
    // The program file ships the same way.
    expect(await new CompiledProgramSource({ dir }).get()).toEqual(await new FileProgramSource().get());
  });

  it('fails loudly when the compiled file is missing', async () => {
    await expect(new CompiledCampaignRepository({ dir: join(tmpdir(), 'no-such-campaigns-dir') }).list()).rejects.toThrow(/compiled campaigns/);
  });

  it('keeps the YAML parser and every zod locale out of a function that reads campaigns', async () => {
    const { metafile } = await bundleEntry('functions/workflow/load-campaign.ts');
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('adapters/compiled-campaigns.ts');
    expect(inputs.filter((p) => p.includes('node_modules/yaml/') || p === 'adapters/campaign-files.ts')).toEqual([]);
    expect(inputs.filter((p) => !p.startsWith('zod-en:') && /node_modules\/zod\/.*locales\/(?!en\.js)/.test(p))).toEqual([]);
  }, 60_000);
});
