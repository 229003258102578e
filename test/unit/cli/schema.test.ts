// `asks schema`: the committed JSON Schema is exactly what the zod schema generates today.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { campaignJsonSchema } from '../../../cli/commands/schema.js';

describe('asks schema', () => {
  it('matches the committed campaigns/campaign.schema.json (run `npm run schema` after changing the zod schema)', async () => {
    // Compared as data, so reformatting the file (prettier) does not make it stale.
    const committed: unknown = JSON.parse(await readFile('campaigns/campaign.schema.json', 'utf8'));
    expect(committed).toEqual(campaignJsonSchema());
  });

  it('prints the schema as JSON', async () => {
    const result = await run(['schema']);
    const schema = JSON.parse(result.stdout) as { title: string; properties: Record<string, unknown>; required: string[] };
    expect(result.code).toBe(0);
    expect(schema.properties).toHaveProperty('milestone');
    expect(schema.required).toContain('variants');
  });
});
