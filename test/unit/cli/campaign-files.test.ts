// The campaign repository functions read through: cached, and loud about broken files.
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCampaignRepository, loadCampaignFile } from '../../../adapters/campaign-files.js';
import { ValidationError } from '../../../core/errors.js';

async function copyOfShipped(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asks-repo-'));
  await cp('campaigns', dir, { recursive: true });
  return dir;
}

describe('FileCampaignRepository', () => {
  it('gets a campaign by id with defaults applied', async () => {
    const repo = new FileCampaignRepository({ dir: await copyOfShipped(), templatesDir: 'templates' });
    const campaign = await repo.get('tenth-order');
    expect(campaign?.milestone).toEqual({ kind: 'nth_purchase', thresholds: [10, 25, 50, 100], askDelayHours: 24 });
    expect(campaign?.attribution).toEqual({ windowDays: 30, model: 'first_touch' });
  });

  it('returns undefined for an unknown id and lists every campaign', async () => {
    const repo = new FileCampaignRepository({ dir: await copyOfShipped() });
    expect(await repo.get('nope')).toBeUndefined();
    expect((await repo.list()).map((c) => c.id).sort()).toEqual(['project-complete-b2b', 'signup-anniversary', 'tenth-order']);
  });

  it('checks templates unless told not to (checkTemplates: false, for a reader that renders nothing)', async () => {
    const templates = await mkdtemp(join(tmpdir(), 'asks-no-templates-'));
    await expect(new FileCampaignRepository({ dir: await copyOfShipped(), templatesDir: templates }).list()).rejects.toThrow(/template/);
    const lenient = new FileCampaignRepository({ dir: await copyOfShipped(), templatesDir: templates, checkTemplates: false });
    expect((await lenient.list()).map((c) => c.id).sort()).toEqual(['project-complete-b2b', 'signup-anniversary', 'tenth-order']);
  });

  it('reads the files once (later edits are not seen)', async () => {
    const dir = await copyOfShipped();
    const repo = new FileCampaignRepository({ dir });
    await repo.list();
    await writeFile(join(dir, 'tenth-order.yaml'), 'not: [valid');
    expect(await repo.get('tenth-order')).toBeDefined();
  });

  it('throws a ValidationError listing the problems of a broken file', async () => {
    const dir = await copyOfShipped();
    await writeFile(join(dir, 'broken.yaml'), 'id: broken\n');
    const act = new FileCampaignRepository({ dir }).list();
    await expect(act).rejects.toThrow(ValidationError);
    await expect(act).rejects.toThrow(/broken\.yaml:1:1: name: is required/);
  });
});

describe('loadCampaignFile', () => {
  it('reports a file that does not exist', async () => {
    const result = await loadCampaignFile(join(tmpdir(), 'asks-missing.yaml'));
    expect(result).toMatchObject({ ok: false, problems: [{ message: 'file not found' }] });
  });
});
