// Campaign parameter files (campaigns/*.yaml or *.json): parsing, schema validation with line and column for every
// problem, the checks the schema cannot do alone (cron syntax, template files, duplicate ids), and the
// CampaignRepository that functions and the CLI read campaigns through.
import { existsSync, readFileSync } from 'node:fs';
import { Liquid } from 'liquidjs';
import { brandContext } from '../core/brand.js';
import { pngTwinOf, RASTER_MANIFEST, svgDigest } from '../core/logo-raster.js';
import { canonicalLocale, languageOf } from '../core/i18n.js';
import { buildAskContext } from '../core/render.js';
import type { Customer } from '../core/schemas/customer.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import * as z from 'zod';
import { ValidationError } from '../core/errors.js';
import { CachedCampaignRepository, type CampaignSourceOptions } from './cached-campaigns.js';
import type { ProgramSource } from '../core/ports.js';
import { CHANNEL_PARTS, templateFileName } from '../core/template-parts.js';
import { Campaign } from '../core/schemas/campaign.js';
import { Program, PROGRAM_FILE } from '../core/schemas/program.js';
import type { Channel } from '../core/schemas/common.js';
import { defaultTemplatesDir } from './templates-fs.js';

/** One thing wrong with a campaign file, located as precisely as the file allows. */
export interface Problem {
  file: string;
  /** Field path such as "variants[1].weight"; "" for the whole file. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export type LoadResult = { ok: true; campaign: Campaign; file: string } | { ok: false; problems: Problem[] };

export interface LoadOptions {
  /** When given, every template a variant names must exist there, for every locale, using only known variables. */
  templatesDir?: string;
  /** The program's default locale: the language of the unsuffixed template files (default "en"). */
  defaultLocale?: string;
  /** Program file: skip the check that the logo's PNG twin is current (`npm run assets`, which writes it; the runtime, which ships what the build checked). */
  ignoreRaster?: boolean;
}

const CAMPAIGN_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** "variants[1].weight" from ["variants", 1, "weight"]. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** "file:line:col: path: message", the one-line form editors and CI annotate. */
export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Where in the YAML source a path points: the value when present, else the deepest key or node that exists. */
function locate(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
      const valueStart = (node as Node | null)?.range?.[0];
      if (valueStart !== undefined) offset = valueStart;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** zod's messages, reworded where a marketer would otherwise have to guess. */
function issueMessage(issue: z.core.$ZodIssue, data: unknown): string {
  const value = valueAt(data, issue.path);
  const field = issue.path.length ? String(issue.path[issue.path.length - 1]) : 'value';
  if (issue.code === 'invalid_type' && value === undefined) return 'is required';
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    const options = (issue as unknown as { options?: unknown[] }).options ?? [];
    const what = issue.path[0] === 'milestone' && field === 'kind' ? 'milestone kind' : field;
    return value === undefined
      ? `is required; expected one of: ${options.join(', ')}`
      : `unknown ${what} ${JSON.stringify(value)}; expected one of: ${options.join(', ')}`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `${JSON.stringify(value)} is not allowed; expected one of: ${issue.values.map(String).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return `${issue.message.replace(/^Invalid input: /, '')}`;
  return issue.message;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  question?: boolean;
  special?: RegExp;
}
const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true, special: /^(L|LW|L-\d{1,2}|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true, special: /^(L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function cronValue(token: string, field: CronField): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

function checkCronField(value: string, field: CronField): string | undefined {
  if (value === '?') return field.question ? undefined : `"?" is only allowed in day-of-month or day-of-week, not in ${field.name}`;
  for (const item of value.split(',')) {
    if (field.special?.test(item.toUpperCase())) continue;
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return `${field.name} "${value}" is not valid`;
    if (step !== undefined && !/^\d+$/.test(step)) return `${field.name} step "/${step}" must be a number`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some((b) => cronValue(b, field) === undefined)) {
      const allowed = field.names
        ? `${field.min}-${field.max} or ${field.names[0]}-${field.names[field.names.length - 1]}`
        : `${field.min}-${field.max}`;
      return `${field.name} "${value}" is out of range (allowed: ${allowed}, "*", ",", "-", "/")`;
    }
  }
  return undefined;
}

/**
 * Checks an EventBridge Scheduler cron body: six fields (minutes hours day-of-month month day-of-week year), and
 * exactly one of day-of-month / day-of-week is "?". Returns what is wrong, or undefined when it is fine.
 */
export function validateEventBridgeCron(expression: string): string | undefined {
  const body = expression
    .trim()
    .replace(/^cron\((.*)\)$/, '$1')
    .trim();
  const fields = body.split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    let hint = '';
    if (fields.length === 5) {
      const [m, h, dom, mon, dow] = fields as [string, string, string, string, string];
      hint = dow === '*' || dow === '?' ? `; did you mean "${m} ${h} ${dom} ${mon} ? *"?` : `; did you mean "${m} ${h} ? ${mon} ${dow} *"?`;
    }
    return `"${expression}" must have six fields (minutes hours day-of-month month day-of-week year), it has ${fields.length}${hint}`;
  }
  for (let i = 0; i < 6; i++) {
    const problem = checkCronField(fields[i]!, CRON_FIELDS[i]!);
    if (problem) return `"${expression}": ${problem}`;
  }
  const domQ = fields[2] === '?';
  const dowQ = fields[4] === '?';
  if (domQ === dowQ) {
    return domQ
      ? `"${expression}": day-of-month and day-of-week can't both be "?"; set one of them (e.g. "0 10 * * ? *")`
      : `"${expression}": one of day-of-month or day-of-week must be "?" (EventBridge cron), e.g. "${
          fields[4] === '*'
            ? `${fields[0]} ${fields[1]} ${fields[2]} ${fields[3]} ? ${fields[5]}`
            : `${fields[0]} ${fields[1]} ? ${fields[3]} ${fields[4]} ${fields[5]}`
        }"`;
  }
  return undefined;
}

interface JsonSchemaNode {
  type?: string;
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: unknown;
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  const?: unknown;
  enum?: unknown[];
}

let inputSchema: JsonSchemaNode | undefined;
function campaignInputSchema(): JsonSchemaNode {
  inputSchema ??= z.toJSONSchema(Campaign, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return inputSchema;
}
let programSchema: JsonSchemaNode | undefined;
function programInputSchema(): JsonSchemaNode {
  programSchema ??= z.toJSONSchema(Program, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return programSchema;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * zod drops fields it does not know, so a typo ("eligibilty:") would silently fall back to defaults. Walk the data
 * beside the JSON Schema and report every field the schema does not name, with the closest known name.
 */
function unknownFields(
  schema: JsonSchemaNode | undefined,
  data: unknown,
  path: Array<string | number>,
  found: Array<{ path: Array<string | number>; message: string }>,
): void {
  if (!schema || data === null || typeof data !== 'object') return;
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) {
    const record = data as Record<string, unknown>;
    const branch = branches.find((b) =>
      Object.entries(b.properties ?? {}).some(
        ([key, prop]) =>
          (prop.const !== undefined || prop.enum !== undefined) &&
          key in record &&
          (prop.const === record[key] || (prop.enum ?? []).includes(record[key])),
      ),
    );
    unknownFields(branch, data, path, found);
    return;
  }
  if (Array.isArray(data)) {
    data.forEach((item, i) => unknownFields(schema.items, item, [...path, i], found));
    return;
  }
  if (!schema.properties || (schema.additionalProperties !== undefined && schema.additionalProperties !== false)) return;
  const known = Object.keys(schema.properties);
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const prop = schema.properties[key];
    if (prop) {
      unknownFields(prop, value, [...path, key], found);
      continue;
    }
    const lower = key.toLowerCase();
    const closest = known
      .map((k) => ({ k, d: k.toLowerCase().startsWith(lower) ? 1 : editDistance(lower, k.toLowerCase()) }))
      .sort((a, b) => a.d - b.d)[0];
    const hint =
      closest && closest.d <= Math.max(2, Math.floor(key.length / 3))
        ? `; did you mean "${closest.k}"?`
        : `; known fields here: ${known.join(', ')}`;
    found.push({ path: [...path, key], message: `unknown field "${key}"${hint}` });
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

type ParsedFile = { ok: true; file: string; doc: Document; counter: LineCounter; data: Record<string, unknown> } | { ok: false; problems: Problem[] };

/** Read and parse a YAML/JSON mapping, every syntax problem located. Never throws for problems in the file itself. */
async function readMappingFile(path: string, what: string): Promise<ParsedFile> {
  const file = displayPath(resolve(path));
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [{ file, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})` }],
    };
  }
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        path: '',
        message: `invalid ${extname(path) === '.json' ? 'JSON/YAML' : 'YAML'}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
        line: e.linePos?.[0]?.line,
        column: e.linePos?.[0]?.col,
      })),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const at = locate(doc, counter, []);
    const got = data === null || data === undefined ? 'an empty document' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    return {
      ok: false,
      problems: [{ file, path: '', message: `not a mapping: ${what} must be a mapping of fields (got ${got})`, ...at }],
    };
  }
  return { ok: true, file, doc, counter, data: data as Record<string, unknown> };
}

/** Parse and validate one campaign file. Never throws for problems in the file itself. */
export async function loadCampaignFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const read = await readMappingFile(path, 'a campaign file');
  if (!read.ok) return read;
  const { file, doc, counter, data } = read;
  const problems: Problem[] = [];
  const parsed = Campaign.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ file, path: formatPath(issue.path), message: issueMessage(issue, data), ...locate(doc, counter, issue.path) });
    }
  }
  // These checks read the raw data so they report even when the schema found other problems.
  const raw = data as Record<string, unknown>;
  const unknown: Array<{ path: Array<string | number>; message: string }> = [];
  unknownFields(campaignInputSchema(), raw, [], unknown);
  for (const u of unknown) problems.push({ file, path: formatPath(u.path), message: u.message, ...locate(doc, counter, u.path) });
  const cron = valueAt(raw, ['schedule', 'cron']);
  if (typeof cron === 'string') {
    const wrong = validateEventBridgeCron(cron);
    if (wrong) problems.push({ file, path: 'schedule.cron', message: wrong, ...locate(doc, counter, ['schedule', 'cron']) });
  }
  if (options.templatesDir) problems.push(...checkTemplates(raw, options.templatesDir, file, doc, counter));

  if (options.templatesDir && parsed.success && problems.length === 0) {
    problems.push(...checkLocalesAndVariables(parsed.data, options.templatesDir, options.defaultLocale ?? 'en', file, doc, counter));
  }

  if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, campaign: parsed.data, file };
}

/** Every variable path a template may use, taken from a real context (so the check cannot drift from buildAskContext). */
let contextShape: Record<string, unknown> | undefined;
function askContextShape(campaign: Campaign): Record<string, unknown> {
  if (!contextShape) {
    const program = Program.parse({
      company: { name: 'x' },
      sender: { name: 'x', address: 'x@example.com' },
      postalAddress: ['x'],
      logo: { file: 'logo.svg', alt: 'x' },
      colours: { primary: '#1d4ed8' },
      supportUrl: 'https://example.com',
      termsUrl: 'https://example.com',
    });
    const ctx = buildAskContext({
      campaign,
      variant: campaign.variants[0]!,
      customer: { id: 'c', firstName: 'x', signupDate: '2020-01-01', timezone: 'UTC', consents: {}, counters: { successfulReferrals: 0 } } as unknown as Customer,
      milestone: { kind: 'signup_anniversary', occurrenceId: 'o', occurredOn: '2026-01-01', years: 1 },
      quote: { tenureYears: 1, advocate: { amountMinor: 1, currency: 'EUR' }, friend: null, tierLabel: 'x' },
      links: { shareUrl: 'x', referralUrl: 'x', unsubscribeUrl: 'x', preferencesUrl: 'x', statusUrl: 'x', termsUrl: 'x' },
      brand: brandContext(program, 'https://example.com'),
    });
    contextShape = { ...ctx, share_message: 'x', message: { subject: 'x', preheader: 'x' } } as unknown as Record<string, unknown>;
  }
  return contextShape;
}

const LIQUID_PROPS = new Set(['size', 'first', 'last']);

/** The first variable path in `segments` that the context does not have, e.g. "customer.frist_name". */
function unknownVariable(shape: Record<string, unknown>, segments: Array<string | number | unknown[]>): string | undefined {
  let cur: unknown = shape;
  const seen: string[] = [];
  for (const seg of segments) {
    if (typeof seg !== 'string') return undefined; // computed or numeric index: not checked statically
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return LIQUID_PROPS.has(seg) ? undefined : Array.isArray(cur) ? undefined : [...seen, seg].join('.');
    if (!(seg in (cur as Record<string, unknown>))) return LIQUID_PROPS.has(seg) && seen.length > 0 ? undefined : [...seen, seg].join('.');
    cur = (cur as Record<string, unknown>)[seg];
    seen.push(seg);
  }
  return undefined;
}

const analyzer = new Liquid();
/** Variables a liquid source uses that the ask context lacks; a syntax error is reported as such. */
function templateVariableProblems(source: string, shape: Record<string, unknown>): string[] {
  try {
    const segments = analyzer.globalVariableSegmentsSync(analyzer.parse(source), { partials: false });
    return [...new Set(segments.map((s) => unknownVariable(shape, s as Array<string | number | unknown[]>)).filter((v): v is string => v !== undefined))];
  } catch (error) {
    return [`!${(error as Error).message.split('\n')[0]}`];
  }
}

/**
 * Per locale the campaign lists (beyond the default language): every channel's template parts exist for it (or its
 * language), and every inline copy (subject, preheader, share message) has a translation. Every template file and
 * inline copy uses only variables that exist. The account-manager channel is internal and stays in one language.
 */
function checkLocalesAndVariables(campaign: Campaign, templatesDir: string, defaultLocale: string, file: string, doc: Document, counter: LineCounter): Problem[] {
  const problems: Problem[] = [];
  const shape = askContextShape(campaign);
  const dirShown = displayPath(resolve(templatesDir));
  const baseLanguage = languageOf(canonicalLocale(defaultLocale) ?? 'en');
  const checkedFiles = new Set<string>();
  const checkSource = (source: string, where: string, path: Array<string | number>): void => {
    for (const v of templateVariableProblems(source, shape)) {
      problems.push({
        file,
        path: formatPath(path),
        message: v.startsWith('!') ? `${where}: invalid liquid: ${v.slice(1)}` : `${where} uses {{ ${v} }}, which does not exist (see docs/campaigns.md for the variables)`,
        ...locate(doc, counter, path),
      });
    }
  };
  campaign.locales.forEach((raw, li) => {
    const locale = canonicalLocale(raw);
    if (!locale) {
      problems.push({ file, path: `locales[${li}]`, message: `"${raw}" is not a locale tag such as "de" or "de-AT"`, ...locate(doc, counter, ['locales', li]) });
      return;
    }
    const language = languageOf(locale);
    const isBase = language === baseLanguage;
    const tr = campaign.translations[locale] ?? campaign.translations[language];
    campaign.variants.forEach((variant, i) => {
      for (const [channel, ref] of Object.entries(variant.templates) as Array<[Channel, string]>) {
        const spec = CHANNEL_PARTS[channel];
        for (const part of [...spec.required, ...spec.optional]) {
          if (part === spec.fromVariant && variant.subject !== undefined) continue;
          const candidates = isBase ? [templateFileName(ref, part)] : channel === 'account_manager' ? [templateFileName(ref, part)] : [templateFileName(ref, part, locale), templateFileName(ref, part, language)];
          const found = candidates.find((name) => existsSync(join(templatesDir, name)));
          if (!found) {
            if (spec.required.includes(part) && !isBase && channel !== 'account_manager') {
              problems.push({
                file,
                path: `variants[${i}].templates.${channel}`,
                message: `locale "${locale}" has no template: ${dirShown}/${candidates[candidates.length - 1]} is missing`,
                ...locate(doc, counter, ['locales', li]),
              });
            }
            continue;
          }
          if (checkedFiles.has(found)) continue;
          checkedFiles.add(found);
          checkSource(readFileSync(join(templatesDir, found), 'utf8'), `template ${dirShown}/${found}`, ['variants', i, 'templates', channel]);
        }
      }
      if (!isBase) {
        const t = tr?.variants[variant.id];
        const missing = [
          ...(t?.shareMessage === undefined ? ['shareMessage'] : []),
          ...(variant.subject !== undefined && t?.subject === undefined ? ['subject'] : []),
          ...(variant.preheader !== undefined && t?.preheader === undefined ? ['preheader'] : []),
        ];
        if (missing.length > 0) {
          problems.push({ file, path: `translations.${locale}`, message: `locale "${locale}" lacks variant ${variant.id}'s ${missing.join(', ')} (translations.${language}.variants.${variant.id})`, ...locate(doc, counter, ['locales', li]) });
        }
      }
    });
  });
  campaign.variants.forEach((v, i) => {
    for (const field of ['subject', 'preheader', 'shareMessage'] as const) {
      const source = v[field];
      if (source !== undefined) checkSource(source, `variants[${i}].${field}`, ['variants', i, field]);
    }
  });
  for (const [locale, tr] of Object.entries(campaign.translations)) {
    for (const [id, t] of Object.entries(tr.variants)) {
      for (const field of ['subject', 'preheader', 'shareMessage'] as const) {
        const source = t[field];
        if (source !== undefined) checkSource(source, `translations.${locale}.variants.${id}.${field}`, ['translations', locale, 'variants', id, field]);
      }
    }
  }
  return problems;
}

function checkTemplates(raw: Record<string, unknown>, templatesDir: string, file: string, doc: Document, counter: LineCounter): Problem[] {
  const problems: Problem[] = [];
  const variants = Array.isArray(raw.variants) ? raw.variants : [];
  variants.forEach((variant: unknown, i) => {
    if (!variant || typeof variant !== 'object') return;
    const v = variant as { templates?: unknown; subject?: unknown };
    if (!v.templates || typeof v.templates !== 'object') return;
    for (const [channel, ref] of Object.entries(v.templates as Record<string, unknown>)) {
      const spec = CHANNEL_PARTS[channel as Channel];
      if (!spec || typeof ref !== 'string') continue;
      const missing = spec.required
        .filter((part) => !(part === spec.fromVariant && typeof v.subject === 'string'))
        .map((part) => templateFileName(ref, part))
        .filter((name) => !existsSync(join(templatesDir, name)));
      if (missing.length > 0) {
        const dirShown = displayPath(resolve(templatesDir));
        problems.push({
          file,
          path: `variants[${i}].templates.${channel}`,
          message: `template "${ref}" is missing ${missing.map((m) => `${dirShown}/${m}`).join(', ')}`,
          ...locate(doc, counter, ['variants', i, 'templates', channel]),
        });
      }
    }
  });
  return problems;
}

export type ProgramLoadResult = { ok: true; program: Program; file: string } | { ok: false; problems: Problem[] };

/**
 * Parse and validate the program file (campaigns/program.yaml): the schema, unknown fields, and with `templatesDir`
 * the logo file under templates/assets. Never throws for problems in the file itself.
 */
export async function loadProgramFile(path: string, options: LoadOptions = {}): Promise<ProgramLoadResult> {
  const read = await readMappingFile(path, 'the program file');
  if (!read.ok) return read;
  const { file, doc, counter, data } = read;
  const problems: Problem[] = [];
  const parsed = Program.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ file, path: formatPath(issue.path), message: issueMessage(issue, data), ...locate(doc, counter, issue.path) });
  }
  const unknown: Array<{ path: Array<string | number>; message: string }> = [];
  unknownFields(programInputSchema(), data, [], unknown);
  for (const u of unknown) problems.push({ file, path: formatPath(u.path), message: u.message, ...locate(doc, counter, u.path) });
  const logo = valueAt(data, ['logo', 'file']);
  if (options.templatesDir && typeof logo === 'string' && !existsSync(join(options.templatesDir, 'assets', logo))) {
    problems.push({ file, path: 'logo.file', message: `${displayPath(join(resolve(options.templatesDir), 'assets', logo))} does not exist`, ...locate(doc, counter, ['logo', 'file']) });
  } else if (options.templatesDir && !options.ignoreRaster && typeof logo === 'string') {
    const stale = rasterProblem(join(options.templatesDir, 'assets'), logo);
    if (stale) problems.push({ file, path: 'logo.file', message: stale, ...locate(doc, counter, ['logo', 'file']) });
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, program: parsed.data, file };
}

/** Why the logo's PNG twin for emails (core/logo-raster.ts) is missing or older than the SVG, or undefined when current. */
function rasterProblem(assetsDir: string, svgFile: string): string | undefined {
  const twin = pngTwinOf(svgFile);
  if (!existsSync(join(assetsDir, twin))) return `templates/assets/${twin} (the logo emails show; mail clients do not show SVG) does not exist: run \`npm run assets\``;
  let manifest: Record<string, string> = {};
  try {
    manifest = JSON.parse(readFileSync(join(assetsDir, RASTER_MANIFEST), 'utf8')) as Record<string, string>;
  } catch {
    // No manifest: treated as stale below.
  }
  if (manifest[svgFile] !== svgDigest(readFileSync(join(assetsDir, svgFile)))) return `templates/assets/${twin} was rendered from another ${svgFile}: run \`npm run assets\``;
  return undefined;
}

/** The program file of a campaigns directory. */
export function programFileIn(dir: string): string {
  return join(dir, PROGRAM_FILE);
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Campaign files in a directory (not recursive), skipping the JSON Schema. */
async function campaignFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => CAMPAIGN_EXTENSIONS.has(extname(n)) && !n.endsWith('.schema.json') && !n.startsWith('.') && n !== PROGRAM_FILE)
    .sort()
    .map((n) => join(dir, n));
}

/** Where `path` (e.g. ['milestone']) stands in a campaign file (YAML or JSON), for a problem found after loading. */
export async function fieldLocation(file: string, path: ReadonlyArray<PropertyKey>): Promise<{ line: number; column: number } | undefined> {
  const counter = new LineCounter();
  const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: counter });
  return locate(doc, counter, path);
}

/** Load campaign files and directories together; duplicate ids across all of them are problems. */
export async function loadCampaignPaths(
  paths: string[],
  options: LoadOptions = {},
): Promise<{ campaigns: Campaign[]; files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      problems.push({ file: displayPath(resolve(p)), path: '', message: 'no such file or directory' });
      continue;
    }
    files.push(...(isDir ? await campaignFilesIn(p) : [p]));
  }
  const campaigns: Campaign[] = [];
  const loadedFiles: string[] = [];
  const firstFileOf = new Map<string, string>();
  for (const f of files) {
    const result = await loadCampaignFile(f, options);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const earlier = firstFileOf.get(result.campaign.id);
    if (earlier !== undefined) {
      const counter = new LineCounter();
      const doc = parseDocument(await readFile(f, 'utf8'), { lineCounter: counter });
      problems.push({
        file: result.file,
        path: 'id',
        message: `duplicate campaign id "${result.campaign.id}": ${earlier} already uses it`,
        ...locate(doc, counter, ['id']),
      });
      continue;
    }
    firstFileOf.set(result.campaign.id, result.file);
    campaigns.push(result.campaign);
    loadedFiles.push(result.file);
  }
  return { campaigns, files: loadedFiles, problems };
}

/** Every campaign in `dir`, with the problems of the files that are not valid. */
export async function loadCampaignDir(dir: string, options: LoadOptions = {}): Promise<{ campaigns: Campaign[]; problems: Problem[] }> {
  const { campaigns, problems } = await loadCampaignPaths([dir], options);
  return { campaigns, problems };
}

/** CAMPAIGNS_DIR, else campaigns/ under the working directory (repo locally, /var/task in Lambda), else the repo's. */
export function defaultCampaignsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAMPAIGNS_DIR) return resolve(env.CAMPAIGNS_DIR);
  const candidates = [resolve(process.cwd(), 'campaigns'), resolve(dirname(fileURLToPath(import.meta.url)), '..', 'campaigns')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** The program file read once and cached (it ships with the code); a broken file fails loudly with every problem. */
export class FileProgramSource implements ProgramSource {
  private loaded?: Promise<Program>;

  constructor(private readonly options: CampaignSourceOptions = {}) {}

  get(): Promise<Program> {
    this.loaded ??= (async () => {
      const dir = this.options.dir ?? defaultCampaignsDir();
      const templatesDir = this.options.checkTemplates === false ? undefined : (this.options.templatesDir ?? (this.options.dir === undefined ? defaultTemplatesDir() : undefined));
      // The logo's PNG twin is checked by `asks validate` and the build (infra/bundle.ts), not again at every start.
      const result = await loadProgramFile(programFileIn(dir), { templatesDir: templatesDir && existsSync(templatesDir) ? templatesDir : undefined, ignoreRaster: true });
      if (!result.ok) throw new ValidationError(`invalid program file:\n${result.problems.map(formatProblem).join('\n')}`);
      return result.program;
    })().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }
}

/**
 * Campaigns from files, read once and cached (they ship with the code). A broken file fails loudly with every
 * problem listed, rather than silently running without a campaign.
 */
export class FileCampaignRepository extends CachedCampaignRepository {
  protected defaultDir(): string {
    return defaultCampaignsDir();
  }

  protected async loadAll(): Promise<Map<string, Campaign>> {
    const templatesDir = this.options.checkTemplates === false ? undefined : (this.options.templatesDir ?? (this.options.dir === undefined ? defaultTemplatesDir() : undefined));
    const { campaigns, problems } = await loadCampaignDir(this.dir, {
      templatesDir: templatesDir && existsSync(templatesDir) ? templatesDir : undefined,
    });
    if (problems.length > 0) throw new ValidationError(`invalid campaign files:\n${problems.map(formatProblem).join('\n')}`);
    return new Map(campaigns.map((c) => [c.id, c]));
  }
}
