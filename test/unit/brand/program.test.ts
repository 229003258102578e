// The program file and the From header: the brand's sender display name RFC 2047-encoded when not ASCII (SES rejects
// raw non-ASCII names), the shipped program.yaml valid, and the checks `asks validate` makes on it.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../../adapters/channels/ses-email.js';
import { FileProgramSource, loadProgramFile, programFileIn } from '../../../adapters/campaign-files.js';
import { encodeWords, formatMailbox } from '../../../core/email-headers.js';
import { contrastRatio } from '../../../core/schemas/program.js';
import { run } from '../../../cli/main.js';

/** RFC 2047 B-words decoded back (what a mail client shows). */
function decodeWords(header: string): string {
  return header.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=\s?/g, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

describe('From and To display names', () => {
  it('quotes an ASCII name and escapes quotes in it', () => {
    expect(formatMailbox('a@b.test', 'Acme "Shop"')).toBe('"Acme \\"Shop\\"" <a@b.test>');
  });

  it('encodes a non-ASCII name as RFC 2047 words of at most 75 characters that decode back', () => {
    const name = 'Jördis von Nordlicht — Empfehlungsprogramm für Öffentlichkeitsarbeit und Überraschungen';
    const header = formatMailbox('asks@example.com', name);
    const words = header.replace(/ <asks@example.com>$/, '');
    expect(header).toMatch(/^=\?UTF-8\?B\?/);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    for (const w of words.split(' ')) expect(w.length).toBeLessThanOrEqual(75);
    expect(decodeWords(words)).toBe(name);
    expect(encodeWords('ü')).toBe(`=?UTF-8?B?${Buffer.from('ü').toString('base64')}?=`);
  });

  it('the SES input carries the sender name in From and the customer name in To, both encoded', () => {
    const sender = new SesEmailSender({ client: new SESv2Client({}) });
    const input = sender.buildInput({
      askId: 'c1~o1', customerId: 'c1', campaignId: 'k', channel: 'email', idempotencyKey: 'c1~o1#email', shareUrl: 'https://x.test/s/1', text: 'hi',
      to: { email: 'oemer@example.org', name: 'Ömer Çelik' },
      from: { name: 'Jördis von Nordlicht', address: 'asks@example.com' },
      replyTo: 'hallo@example.com',
    });
    expect(input.FromEmailAddress).toMatch(/^=\?UTF-8\?B\?.+\?= <asks@example\.com>$/);
    expect(decodeWords(input.FromEmailAddress!.replace(/ <.*$/, ''))).toBe('Jördis von Nordlicht');
    expect(decodeWords(input.Destination!.ToAddresses![0]!.replace(/ <.*$/, ''))).toBe('Ömer Çelik');
    expect(input.ReplyToAddresses).toEqual(['hallo@example.com']);
  });

  it('the deployment address (SES_FROM_ADDRESS) wins over the program address, the name stays', () => {
    const sender = new SesEmailSender({ client: new SESv2Client({}), from: 'referrals@verified.test' });
    const input = sender.buildInput({ askId: 'a', customerId: 'c', campaignId: 'k', channel: 'email', idempotencyKey: 'a#email', shareUrl: 'https://x.test', text: 't', to: { email: 'x@y.test' }, from: { name: 'Shop', address: 'asks@example.com' } });
    expect(input.FromEmailAddress).toBe('"Shop" <referrals@verified.test>');
  });
});

describe('the program file', () => {
  it('the shipped campaigns/program.yaml is valid and names the sender and a postal address', async () => {
    const program = await new FileProgramSource().get();
    expect(program.sender.name.length).toBeGreaterThan(0);
    expect(program.postalAddress.length).toBeGreaterThan(0);
    expect(contrastRatio(program.colours.primary, program.colours.onPrimary)).toBeGreaterThanOrEqual(4.5);
  });

  it('reports a missing postal address, a low-contrast colour, a missing logo file and an unknown field, with lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'asks-program-'));
    const file = join(dir, 'program.yaml');
    await writeFile(
      file,
      [
        'company: { name: Shop }',
        'sender: { name: Shop, address: asks@example.com }',
        'postalAddress: []',
        'logo: { file: missing.svg, alt: Shop }',
        "colours: { primary: '#ffff00' }",
        'supportUrl: https://example.com/help',
        'termsUrl: https://example.com/terms',
        'colors: {}',
      ].join('\n'),
    );
    const result = await loadProgramFile(file, { templatesDir: 'templates' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.find((p) => p.path === 'postalAddress')?.message).toMatch(/postal address/);
    expect(problems.find((p) => p.path === 'postalAddress')?.line).toBe(3);
    expect(problems.some((p) => p.path.startsWith('colours') && /contrast/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.path === 'logo.file' && /does not exist/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.path === 'colors' && /did you mean "colours"/.test(p.message))).toBe(true);
  });

  it("emails' PNG logo twin: the shipped one is current at twice the displayed size; a changed SVG without `npm run assets` is a problem", async () => {
    const program = await new FileProgramSource().get();
    const png = await readFile(join('templates', 'assets', program.logo.file.replace(/\.svg$/, '.png')));
    // PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers at bytes 16 and 20.
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(16)).toBe(program.logo.width * 2);
    expect(png.readUInt32BE(20)).toBe(program.logo.height * 2);
    const templates = await mkdtemp(join(tmpdir(), 'asks-raster-'));
    await cp('templates', templates, { recursive: true });
    await writeFile(join(templates, 'assets', program.logo.file), (await readFile(join(templates, 'assets', program.logo.file), 'utf8')).replace('#1d4ed8', '#0f766e'));
    const stale = await loadProgramFile(programFileIn('campaigns'), { templatesDir: templates });
    expect(stale.ok ? [] : stale.problems).toEqual([expect.objectContaining({ path: 'logo.file', message: expect.stringMatching(/logo\.png was rendered from another logo\.svg: run `npm run assets`/) })]);
    await rm(join(templates, 'assets', 'logo.png'));
    const missing = await loadProgramFile(programFileIn('campaigns'), { templatesDir: templates });
    expect(missing.ok ? [] : missing.problems).toEqual([expect.objectContaining({ path: 'logo.file', message: expect.stringMatching(/logo\.png .* does not exist: run `npm run assets`/) })]);
  });

  it('asks validate checks the program file of a directory and exits 1 when it is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'asks-program-dir-'));
    await cp('campaigns', dir, { recursive: true });
    const ok = await run(['validate', dir, '--templates', 'templates']);
    expect(ok.stdout).toMatch(/program file valid/);
    expect(ok.code).toBe(0);
    await writeFile(join(dir, 'program.yaml'), 'company: { name: Shop }\n');
    const broken = await run(['validate', dir, '--templates', 'templates']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/program\.yaml.*postalAddress: is required/);
  });
});
