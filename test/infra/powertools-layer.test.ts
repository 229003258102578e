// Powertools' logger, metrics and commons come from the official Powertools layer (infra/bundle.ts LAYER_EXTERNAL),
// pinned through its AWS-published SSM parameter to the version the tests ran with; every function gets the layer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleEntry, powertoolsVersion, REPO_ROOT } from '../../infra/bundle.js';
import { powertoolsLayerParameter } from '../../infra/lambda.js';

type Template = { Parameters?: Record<string, { Type: string; Default?: string }>; Resources: Record<string, { Type: string; Properties: { Layers?: Array<{ Ref: string }> } }> };

const templates = (): Template[] => {
  const dir = join(REPO_ROOT, 'cdk.out');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Template);
};

describe('Powertools layer', () => {
  it('is on every Lambda function, from the SSM parameter of the installed version', () => {
    const expected = powertoolsLayerParameter(powertoolsVersion());
    expect(expected).toMatch(/^\/aws\/service\/powertools\/typescript\/generic\/all\/2\.\d+\.\d+$/);
    let functions = 0;
    for (const t of templates()) {
      for (const [id, r] of Object.entries(t.Resources)) {
        if (r.Type !== 'AWS::Lambda::Function') continue;
        // CDK's own helper functions (custom resources, log retention) carry no project code.
        if (!JSON.stringify(r).includes('ReferralAsks:Function') && !(r as { Metadata?: Record<string, unknown> }).Metadata?.['ReferralAsks:Function']) continue;
        functions += 1;
        const refs = (r.Properties.Layers ?? []).map((l) => l.Ref);
        expect(refs.map((ref) => t.Parameters?.[ref]?.Default), id).toContain(expected);
      }
    }
    expect(functions).toBeGreaterThan(5);
  });

  it('leaves the layer packages out of the bundle (imported, not inlined)', async () => {
    const { code } = await bundleEntry('functions/workflow/process-batch.ts');
    const text = Buffer.from(code).toString('utf8');
    expect(text).toMatch(/from\s*"@aws-lambda-powertools\/logger"/);
  });
});
