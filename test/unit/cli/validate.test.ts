// `asks validate`: every broken-file case names the file, the field and the line, exits 1, and never prints a stack.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { run } from '../../../cli/main.js';

const TEMPLATES = join(process.cwd(), 'templates');

function validCampaign(): Record<string, unknown> {
  return {
    id: 'fixture',
    name: 'Fixture',
    status: 'active',
    milestone: { kind: 'signup_anniversary' },
    schedule: { cron: '0 * * * ? *', timezone: 'Europe/Berlin' },
    eligibility: { holdoutPercent: 10 },
    channels: { fallback: ['email', 'sms'] },
    variants: [
      {
        id: 'one',
        weight: 50,
        templates: { email: 'anniversary/email', sms: 'anniversary/sms' },
        shareMessage: 'Join {{ links.referral_url }}',
      },
      { id: 'two', weight: 50, templates: { email: 'anniversary/email', sms: 'anniversary/sms' }, shareMessage: 'Hi' },
    ],
    offer: { kind: 'credit', amountMinor: 2000, currency: 'EUR', description: '€20 off' },
    reward: { kind: 'credit', currency: 'EUR', tenureTiers: [{ minYears: 1, amountMinor: 1000 }] },
    budget: { amountMinor: 100000, currency: 'EUR' },
  };
}

async function fixture(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asks-validate-'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  return dir;
}

async function validate(dir: string, ...extra: string[]) {
  return run(['validate', dir, '--templates', TEMPLATES, ...extra]);
}

function expectCleanFailure(result: { code: number; stdout: string; stderr: string }) {
  expect(result.code).toBe(1);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
}

describe('asks validate', () => {
  it('accepts the shipped campaigns', async () => {
    const result = await run(['validate', 'campaigns', '--templates', TEMPLATES]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ 3 campaigns valid/);
  });

  it('accepts a valid fixture', async () => {
    const dir = await fixture({ 'ok.yaml': stringify(validCampaign()) });
    const result = await validate(dir);
    expect(result).toMatchObject({ code: 0, stdout: '✓ 1 campaign valid\n' });
  });

  it('refuses two active campaigns on the same occurrences, and accepts them split by years or with one paused', async () => {
    const us = { ...validCampaign(), id: 'anniversary-us', audience: { all: [{ field: 'country', op: 'in', value: ['US'] }] } };
    const de = { ...validCampaign(), id: 'anniversary-de', audience: { all: [{ field: 'country', op: 'in', value: ['DE'] }] } };
    const both = await validate(await fixture({ 'a-us.yaml': stringify(us), 'b-de.yaml': stringify(de) }));
    expectCleanFailure(both);
    expect(both.stdout).toMatch(/b-de\.yaml:\d+:\d+: milestone: campaign "anniversary-de" and campaign "anniversary-us" \(.*a-us\.yaml\) are both active on the same occurrences \(signup_anniversary, years 1\+\)/);
    const split = await validate(await fixture({ 'a-us.yaml': stringify({ ...us, milestone: { kind: 'signup_anniversary', maxYears: 4 } }), 'b-de.yaml': stringify({ ...de, milestone: { kind: 'signup_anniversary', minYears: 5 } }) }));
    expect(split.code).toBe(0);
    const paused = await validate(await fixture({ 'a-us.yaml': stringify(us), 'b-de.yaml': stringify({ ...de, status: 'paused' }) }));
    expect(paused.code).toBe(0);
  });

  it('reports an unknown milestone kind with its line', async () => {
    const c = validCampaign();
    c.milestone = { kind: 'half_birthday' };
    const dir = await fixture({ 'kind.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(
      /kind\.yaml:\d+:\d+: milestone\.kind: unknown milestone kind "half_birthday"; expected one of: signup_anniversary/,
    );
  });

  it('reports weights that do not sum to 100', async () => {
    const c = validCampaign();
    (c.variants as Array<{ weight: number }>)[1]!.weight = 40;
    const dir = await fixture({ 'weights.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/weights\.yaml:\d+:\d+: variants: variant weights must sum to 100 \(they sum to 90\)/);
  });

  it('reports a missing template file', async () => {
    const c = validCampaign();
    (c.variants as Array<{ templates: Record<string, string> }>)[1]!.templates.sms = 'anniversary/missing-sms';
    const dir = await fixture({ 'tpl.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(
      /tpl\.yaml:\d+:\d+: variants\[1\]\.templates\.sms: template "anniversary\/missing-sms" is missing .*anniversary\/missing-sms\.txt\.liquid/,
    );
  });

  it('reports currencies that disagree', async () => {
    const c = validCampaign();
    (c.reward as { currency: string }).currency = 'USD';
    const dir = await fixture({ 'money.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/money\.yaml:\d+:\d+: reward\.currency: currency USD disagrees with budget currency EUR/);
  });

  it('reports a holdout over 50%', async () => {
    const c = validCampaign();
    c.eligibility = { holdoutPercent: 60 };
    const dir = await fixture({ 'holdout.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/holdout\.yaml:\d+:\d+: eligibility\.holdoutPercent: holdout over 50%/);
  });

  it('reports a five-field cron with a suggestion', async () => {
    const c = validCampaign();
    c.schedule = { cron: '0 10 * * *', timezone: 'UTC' };
    const dir = await fixture({ 'cron.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(
      /cron\.yaml:\d+:\d+: schedule\.cron: "0 10 \* \* \*" must have six fields .*did you mean "0 10 \* \* \? \*"/,
    );
  });

  it('reports a cron without "?" in day-of-month or day-of-week', async () => {
    const c = validCampaign();
    c.schedule = { cron: '0 10 * * MON *', timezone: 'UTC' };
    const dir = await fixture({ 'cron2.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/schedule\.cron: .*one of day-of-month or day-of-week must be "\?".*e\.g\. "0 10 \? \* MON \*"/);
  });

  it('reports a cron field out of range', async () => {
    const c = validCampaign();
    c.schedule = { cron: '0 25 * * ? *', timezone: 'UTC' };
    const dir = await fixture({ 'cron3.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/schedule\.cron: .*hours "25" is out of range/);
  });

  it('reports an unknown timezone', async () => {
    const c = validCampaign();
    c.schedule = { cron: '0 * * * ? *', timezone: 'Mars/Olympus_Mons' };
    const dir = await fixture({ 'zone.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/zone\.yaml:\d+:\d+: schedule\.timezone: unknown IANA timezone/);
  });

  it('reports a duplicate campaign id naming both files', async () => {
    const dir = await fixture({ 'a.yaml': stringify(validCampaign()), 'b.yaml': stringify(validCampaign()) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/b\.yaml:1:5: id: duplicate campaign id "fixture": .*a\.yaml already uses it/);
  });

  it('reports a document that is not a mapping', async () => {
    const dir = await fixture({ 'list.yaml': '- just\n- a list\n' });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/list\.yaml:1:1: not a mapping/);
  });

  it('reports invalid YAML with line and column', async () => {
    const dir = await fixture({ 'broken.yaml': 'id: x\nname: [unclosed\nstatus: active\n' });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/broken\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('reports a required field that is missing', async () => {
    const c = validCampaign();
    delete c.budget;
    const dir = await fixture({ 'nobudget.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/nobudget\.yaml:1:1: budget: is required/);
  });

  it('reports a misspelt field with the closest known name', async () => {
    const c = validCampaign();
    c.eligibilty = c.eligibility;
    delete c.eligibility;
    const dir = await fixture({ 'typo.yaml': stringify(c) });
    const result = await validate(dir);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/typo\.yaml:\d+:\d+: eligibilty: unknown field "eligibilty"; did you mean "eligibility"\?/);
  });

  it('accepts JSON campaign files too', async () => {
    const dir = await fixture({ 'c.json': JSON.stringify(validCampaign(), null, 2) });
    const result = await validate(dir);
    expect(result.code).toBe(0);
  });

  it('prints problems as JSON with --json', async () => {
    const c = validCampaign();
    c.eligibility = { holdoutPercent: 60 };
    const dir = await fixture({ 'h.yaml': stringify(c) });
    const result = await validate(dir, '--json');
    const parsed = JSON.parse(result.stdout) as { ok: boolean; problems: Array<{ path: string; line: number }> };
    expect(result.code).toBe(1);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems[0]).toMatchObject({ path: 'eligibility.holdoutPercent', line: expect.any(Number) });
  });

  it('reports a path that does not exist', async () => {
    const result = await run(['validate', join(tmpdir(), 'asks-no-such-dir-xyz')]);
    expectCleanFailure(result);
    expect(result.stdout).toMatch(/asks-no-such-dir-xyz: no such file or directory/);
  });
});
