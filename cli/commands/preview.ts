// `asks preview`: renders what a sample (or given) customer would receive from a campaign, per variant and channel,
// without writing anything anywhere but the HTML file it prints the path of.
import { resolveLocalEndpoints } from '../../local/endpoints.js';
import { quoteFor } from '../../core/quote.js';
import { dateMilestoneOn, type DateTrigger } from '../../core/milestones.js';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { defaultCampaignsDir, FileProgramSource, formatPath, formatProblem, loadCampaignDir, loadCampaignFile, programFileIn } from '../../adapters/campaign-files.js';
import { brandContext } from '../../core/brand.js';
import type { Program } from '../../core/schemas/program.js';
import { defaultTemplatesDir, FsTemplateSource } from '../../adapters/templates-fs.js';
import { buildAskContext, renderAsk, type RenderedAsk } from '../../core/render.js';
import { generateKeyring, shortLinkId } from '../../core/links.js';
import type { Keyring } from '../../core/ports.js';
import { fitAskSms, smsFitFor, type FittedAskSms } from '../../core/sms.js';
import { loadLocalKeyring } from '../../adapters/signing-keys.js';
import { randomBytes } from 'node:crypto';
import type { MilestoneOccurrence } from '../../core/schemas/ask.js';
import type { Campaign, Variant } from '../../core/schemas/campaign.js';
import { Channel } from '../../core/schemas/common.js';
import { Customer } from '../../core/schemas/customer.js';
import { CliError, EXIT, out, printJson } from '../output.js';
import { checkLocalDate } from '../args.js';

const SAMPLE_TENURE_YEARS = 3;

/** A believable customer for the campaign: the audience predicates it would need are not checked here. */
export function sampleCustomer(campaign: Campaign, today: DateTime): Customer {
  const b2b = campaign.audience.all.some((p) => p.field === 'plan');
  return Customer.parse({
    id: 'preview-customer',
    firstName: 'Alex',
    lastName: 'Example',
    email: 'alex@example.com',
    phone: '+4915112345678',
    locale: 'en',
    timezone: 'Europe/Berlin',
    country: 'DE',
    signupDate: today.minus({ years: SAMPLE_TENURE_YEARS }).toISODate(),
    firstPurchaseDate: today.minus({ years: SAMPLE_TENURE_YEARS }).toISODate(),
    plan: b2b ? 'business' : 'plus',
    currency: campaign.budget.currency,
    counters: { orders: 10, lifetimeSpendMinor: 120000, projectsCompleted: 1, successfulReferrals: 0 },
    consents: { email: true, sms: true, in_app: true },
    accountManager: { name: 'Sam Manager', email: 'sam.manager@example.com' },
    attributes: {},
  });
}

/** The milestone occurrence the preview celebrates: today, the first threshold of the campaign. */
export function sampleMilestone(campaign: Campaign, customer: Customer, today: DateTime): MilestoneOccurrence {
  const occurredOn = today.toISODate() ?? '2026-01-01';
  const m = campaign.milestone;
  switch (m.kind) {
    case 'nth_purchase':
      return { kind: m.kind, occurrenceId: `${m.kind}#${m.thresholds[0]}`, occurredOn, threshold: m.thresholds[0] };
    case 'spend_threshold':
      return { kind: m.kind, occurrenceId: `${m.kind}#${m.thresholdsMinor[0]}`, occurredOn, threshold: m.thresholdsMinor[0] };
    case 'tier_reached':
      return { kind: m.kind, occurrenceId: `${m.kind}#${m.tiers[0]}`, occurredOn, threshold: m.tiers[0] };
    case 'project_completed':
      return { kind: m.kind, occurrenceId: `${m.kind}#${m.every}`, occurredOn, threshold: m.every };
    default:
      return dateMilestoneOn(customer, m as DateTrigger, occurredOn) ?? { kind: m.kind, occurrenceId: `${m.kind}#${today.year}`, occurredOn };
  }
}

/** The tenure tier for `years` (the highest tier whose range holds it) and the friend's money offer. */

async function findCampaign(ref: string, campaignsDir: string, templatesDir: string): Promise<Campaign> {
  const looksLikeFile = ['.yaml', '.yml', '.json'].includes(extname(ref)) || (existsSync(ref) && !existsSync(join(campaignsDir, ref)));
  if (looksLikeFile) {
    const result = await loadCampaignFile(ref, { templatesDir });
    if (!result.ok) throw new CliError(`${ref} is not valid:\n${result.problems.map(formatProblem).join('\n')}`);
    return result.campaign;
  }
  const { campaigns, problems } = await loadCampaignDir(campaignsDir, { templatesDir });
  const found = campaigns.find((c) => c.id === ref);
  if (found) return found;
  const broken = problems.length > 0 ? ` (${problems.length} problem(s) in campaign files: run asks validate)` : '';
  throw new CliError(`unknown campaign "${ref}"; known: ${campaigns.map((c) => c.id).join(', ') || 'none'}${broken}`);
}

async function readCustomer(file: string): Promise<Customer> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`--customer ${file}: ${code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`}`);
  }
  const parsed = Customer.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${formatPath(i.path) || '(root)'}: ${i.message}`);
    throw new CliError(`--customer is not a valid customer:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function pickVariant(campaign: Campaign, id: string | undefined): Variant {
  if (id === undefined) return campaign.variants[0]!;
  const variant = campaign.variants.find((v) => v.id === id);
  if (!variant)
    throw new CliError(
      `campaign ${campaign.id} has no variant "${id}"; variants: ${campaign.variants.map((v) => v.id).join(', ')}`,
      EXIT.usage,
    );
  return variant;
}

function pickChannel(campaign: Campaign, variant: Variant, requested: string | undefined): Channel {
  if (requested !== undefined) {
    const parsed = Channel.safeParse(requested);
    if (!parsed.success) throw new CliError(`--channel must be one of: ${Channel.options.join(', ')}`, EXIT.usage);
    if (!variant.templates[parsed.data]) {
      throw new CliError(`variant ${variant.id} has no ${parsed.data} template; it has: ${Object.keys(variant.templates).join(', ')}`);
    }
    return parsed.data;
  }
  const order = [...campaign.channels.fallback, ...Channel.options];
  const channel = order.find((c) => variant.templates[c] !== undefined);
  if (!channel) throw new CliError(`variant ${variant.id} has no templates`);
  return channel;
}

export interface PreviewResult {
  campaignId: string;
  variantId: string;
  channel: Channel;
  customerId: string;
  sampleCustomer: boolean;
  rendered: RenderedAsk;
  /** For SMS: the text, encoding and segments really sent (core/sms.ts fitAskSms, as the senders call it). */
  sms?: Pick<FittedAskSms, 'text' | 'encoding' | 'units' | 'segments' | 'steps'> & { maxSegments: number; link: string };
  htmlFile?: string;
}

export interface PreviewOptions {
  variant?: string;
  channel?: string;
  customer?: string;
  out?: string;
  json?: boolean;
  campaigns?: string;
  templates?: string;
  /** The local date the preview celebrates (default today, UTC): the day `asks run --date` would send. */
  date?: string;
}

/**
 * The local keyring (created on first use, as `npm start` and `asks run` do), so a preview's short link is the one
 * the local run sends; a throwaway key when it cannot be read or written (the link keeps its real length).
 */
function previewKeyring(stateDir: string): Keyring {
  try {
    return loadLocalKeyring(process.env.SIGNING_KEYS_FILE ?? join(stateDir, 'keys.json'));
  } catch {
    return generateKeyring(randomBytes, 'preview');
  }
}

/** The program file next to the campaign files (a campaign file's folder, or the folder itself); undefined when there is none. Throws on an invalid one. */
async function programBeside(campaigns: string, templatesDir: string): Promise<Program | undefined> {
  const dir = existsSync(campaigns) && statSync(campaigns).isFile() ? dirname(campaigns) : campaigns;
  if (!existsSync(programFileIn(dir))) return undefined;
  return new FileProgramSource({ dir, templatesDir }).get();
}

export async function previewCampaign(ref: string, options: PreviewOptions, now: Date = new Date()): Promise<PreviewResult> {
  const templatesDir = resolve(options.templates ?? defaultTemplatesDir());
  const campaign = await findCampaign(ref, options.campaigns ?? defaultCampaignsDir(), templatesDir);
  const variant = pickVariant(campaign, options.variant);
  const channel = pickChannel(campaign, variant, options.channel);
  const today = options.date ? DateTime.fromISO(checkLocalDate('--date', options.date), { zone: 'utc' }).startOf('day') : DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day');
  const customer = options.customer ? await readCustomer(options.customer) : sampleCustomer(campaign, today);
  // The same quote the run would store on the ask (core/quote.ts): tenure, tier and amounts decided in one place.
  const { milestone, quote } = quoteFor(campaign, customer, sampleMilestone(campaign, customer, today));
  const endpoints = resolveLocalEndpoints({ checkDataDir: false });
  const base = endpoints.publicBaseUrl;
  // An SMS carries the short link of its ask (/k/<id>): the same id the run derives, so the same length and text.
  const smsLink = `${base}/k/${shortLinkId(`${customer.id}~${milestone.occurrenceId}`, previewKeyring(endpoints.stateDir))}`;
  const program = await programBeside(options.campaigns ?? defaultCampaignsDir(), templatesDir);
  const brand = program ? brandContext(program, base) : undefined;
  const ctx = buildAskContext({
    campaign,
    variant,
    customer,
    milestone,
    quote,
    links: {
      shareUrl: channel === 'sms' ? smsLink : `${base}/s/preview-token`,
      referralUrl: `${base}/r/PREVIEW1`,
      unsubscribeUrl: `${base}/u/preview-token`,
      preferencesUrl: `${base}/p/preview-token`,
      statusUrl: `${base}/me/preview-token`,
    },
    // The program file beside the campaigns brands the preview exactly as it brands the run (core/workflow/process.ts).
    ...(brand ? { brand } : {}),
    ...(program ? { defaultLocale: program.defaultLocale } : {}),
  });
  const rendered = await renderAsk(new FsTemplateSource(templatesDir), campaign, variant, channel, ctx);
  const result: PreviewResult = {
    campaignId: campaign.id,
    variantId: variant.id,
    channel,
    customerId: customer.id,
    sampleCustomer: !options.customer,
    rendered,
  };
  if (channel === 'sms') {
    const fit = smsFitFor(campaign, customer.firstName, ctx);
    const fitted = fitAskSms(rendered.text, smsLink, fit);
    result.sms = { text: fitted.text, encoding: fitted.encoding, units: fitted.units, segments: fitted.segments, steps: fitted.steps, maxSegments: fit.maxSegments ?? 2, link: smsLink };
  }
  if (rendered.html !== undefined) {
    const dir = resolve(options.out ?? join('.local', 'preview'));
    await mkdir(dir, { recursive: true });
    result.htmlFile = join(dir, `${campaign.id}-${variant.id}.html`);
    await writeFile(result.htmlFile, rendered.html);
  }
  return result;
}

function human(r: PreviewResult): string[] {
  const lines = [
    `Campaign   ${r.campaignId}  variant ${r.variantId}  channel ${r.channel}`,
    `Customer   ${r.customerId}${r.sampleCustomer ? ' (sample)' : ''}`,
  ];
  if (r.rendered.subject !== undefined)
    lines.push(`${r.channel === 'in_app' ? 'Title' : 'Subject'}    ${r.rendered.subject}`.replace('Title    ', 'Title      '));
  if (r.rendered.preheader !== undefined) lines.push(`Preheader  ${r.rendered.preheader}`);
  if (r.sms) {
    const changed = r.sms.steps.length ? `; fitted: ${r.sms.steps.join(', ')}` : '';
    lines.push(`SMS        ${r.sms.encoding}, ${r.sms.segments} segment${r.sms.segments === 1 ? '' : 's'} of at most ${r.sms.maxSegments}, ${r.sms.units} ${r.sms.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'}${changed}`);
  }
  // For SMS the text is what is sent (fitted), not the template's raw output.
  lines.push('', '--- text ---', r.sms ? r.sms.text : r.rendered.text, '', '--- share message ---', r.rendered.shareMessage);
  if (r.htmlFile) lines.push('', `HTML       ${r.htmlFile}`);
  return lines;
}

export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description('render what a sample (or given) customer would receive from a campaign')
    .argument('<campaign>', 'campaign id (from campaigns/) or a campaign file')
    .option('--variant <id>', 'variant to render (default: the first)')
    .option('--channel <channel>', 'email, sms, in_app or account_manager (default: first in the fallback order)')
    .option('--customer <file.json>', 'a customer profile (JSON) instead of the sample customer')
    .option('--out <dir>', 'where the HTML goes (default: .local/preview)')
    .option('--campaigns <dir>', 'campaigns directory (default: campaigns/ or CAMPAIGNS_DIR)')
    .option('--templates <dir>', 'templates directory (default: templates/ or TEMPLATES_DIR)')
    .option('--date <date>', 'the local date to preview, YYYY-MM-DD (default: today, UTC), as `asks run --date`')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, options: PreviewOptions) => {
      const result = await previewCampaign(ref, options);
      if (options.json) printJson(result);
      else out(...human(result));
    });
}
