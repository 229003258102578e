// `asks preview`: renders each channel of a shipped campaign for the sample or a given customer.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';

// The links' base as asserted below: without it a developer's running `npm start` (its engine.json in this checkout,
// or their PORT) would put its own port in the links and fail these tests.
let savedBase: string | undefined;
beforeAll(() => {
  savedBase = process.env.PUBLIC_BASE_URL;
  process.env.PUBLIC_BASE_URL = 'http://localhost:3000';
});
afterAll(() => {
  if (savedBase === undefined) delete process.env.PUBLIC_BASE_URL;
  else process.env.PUBLIC_BASE_URL = savedBase;
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'asks-preview-'));
}

describe('asks preview', () => {
  it('renders an email: subject, text, and the HTML written to --out', async () => {
    // Prepare
    const out = await tempDir();
    // Act
    const result = await run(['preview', 'signup-anniversary', '--channel', 'email', '--out', out]);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Subject {4}Alex, happy 3 years with/);
    expect(result.stdout).toContain('Share with a friend: http://localhost:3000/s/preview-token');
    const file = join(out, 'signup-anniversary-warm-thanks.html');
    expect(result.stdout).toContain(file);
    expect(await readFile(file, 'utf8')).toContain('Share with a friend</a>');
  });

  it('brands the preview from the program file, as the run does (name and postal address in both parts)', async () => {
    const { loadProgramFile, programFileIn, defaultCampaignsDir } = await import('../../../adapters/campaign-files.js');
    const loaded = await loadProgramFile(programFileIn(defaultCampaignsDir()));
    if (!loaded.ok) throw new Error('the shipped program file is invalid');
    const out = await tempDir();
    const result = await run(['preview', 'signup-anniversary', '--channel', 'email', '--out', out]);
    expect(result.code).toBe(0);
    const html = await readFile(join(out, 'signup-anniversary-warm-thanks.html'), 'utf8');
    const firstLine = loaded.program.postalAddress[0]!;
    expect(html).toContain(loaded.program.company.name);
    expect(html).toContain(firstLine);
    expect(result.stdout).toContain(firstLine);
  });

  it('renders an SMS and counts its segments', async () => {
    const result = await run(['preview', 'signup-anniversary', '--channel', 'sms', '--json']);
    const parsed = JSON.parse(result.stdout) as { channel: string; rendered: { text: string; html?: string }; sms: { segments: number; text: string; encoding: string } };
    expect(result.code).toBe(0);
    expect(parsed.channel).toBe('sms');
    // The short link of the ask, of the length the run sends (/k/ + 12 symbols), not a placeholder.
    expect(parsed.rendered.text).toMatch(/http:\/\/localhost:3000\/k\/[A-Za-z0-9_-]{12} /);
    expect(parsed.rendered.html).toBeUndefined();
    expect(parsed.sms.segments).toBeLessThanOrEqual(2);
    expect(parsed.sms.encoding).toBe('GSM-7');
  });

  it('renders an in-app title and body', async () => {
    const result = await run(['preview', 'tenth-order', '--channel', 'in_app', '--json']);
    const parsed = JSON.parse(result.stdout) as { rendered: { subject: string; text: string } };
    expect(parsed.rendered.subject).toBe('That was your 10th order!');
    expect(parsed.rendered.text).toContain('Alex');
  });

  it('renders the account manager brief with the share message', async () => {
    const result = await run(['preview', 'project-complete-b2b', '--channel', 'account_manager', '--json']);
    const parsed = JSON.parse(result.stdout) as { rendered: { text: string; shareMessage: string } };
    expect(result.code).toBe(0);
    expect(parsed.rendered.text).toContain(parsed.rendered.shareMessage);
  });

  it('uses the inline subject of the chosen variant', async () => {
    const out = await tempDir();
    const result = await run(['preview', 'tenth-order', '--variant', 'give-get', '--out', out, '--json']);
    const parsed = JSON.parse(result.stdout) as { variantId: string; rendered: { subject: string } };
    expect(parsed.variantId).toBe('give-get');
    expect(parsed.rendered.subject).toBe('Give 15% off, get €15');
  });

  it('renders for a customer from --customer', async () => {
    const dir = await tempDir();
    const file = join(dir, 'c.json');
    await writeFile(
      file,
      JSON.stringify({ id: 'cust-9', firstName: 'Zoë', timezone: 'Europe/Paris', signupDate: '2024-01-01', locale: 'fr-FR' }),
    );
    const result = await run(['preview', 'signup-anniversary', '--channel', 'sms', '--customer', file, '--json']);
    const parsed = JSON.parse(result.stdout) as { customerId: string; rendered: { text: string } };
    expect(parsed.customerId).toBe('cust-9');
    expect(parsed.rendered.text).toMatch(/^Zoë, happy/);
  });

  it('names the field when --customer is not a valid customer', async () => {
    const dir = await tempDir();
    const file = join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ id: 'x', firstName: 'A', timezone: 'Nowhere/Land', signupDate: '2024-01-01' }));
    const result = await run(['preview', 'signup-anniversary', '--customer', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/timezone: unknown IANA timezone/);
  });

  it('exits 1 naming the known campaigns for an unknown one', async () => {
    const result = await run(['preview', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown campaign "nope"; known: .*signup-anniversary/);
  });

  it('exits 2 for a channel that does not exist', async () => {
    const result = await run(['preview', 'tenth-order', '--channel', 'fax']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--channel must be one of/);
  });
});
