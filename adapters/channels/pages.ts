// HTML pages of the unsubscribe and preference links: liquid templates under templates/pages (escaped by default) and
// the security headers every such page carries (the token is in the URL, so no referrer and no caching).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { brandContext } from '../../core/brand.js';
import { autoEscapingLiquid } from '../../core/render.js';
import type { Liquid } from 'liquidjs';
import { chromeStrings, localeChain } from '../../core/i18n.js';
import type { ProgramSource } from '../../core/ports.js';
import { FileProgramSource } from '../campaign-files.js';
import { defaultTemplatesDir } from '../templates-fs.js';

/** Structurally the HTTP layer's HttpResponse (adapters do not import functions/). */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
};

const engines = new Map<string, Liquid>();

function engineFor(dir: string): Liquid {
  let engine = engines.get(dir);
  if (!engine) {
    engine = autoEscapingLiquid({ root: [join(dir, 'pages')], extname: '.liquid', cache: true, strictFilters: true });
    engines.set(dir, engine);
  }
  return engine;
}

let programSource: ProgramSource | undefined;
/** The program file every page is branded with (program.yaml beside the campaigns; compiled in the Lambdas). */
export function pageProgram(source?: ProgramSource): ProgramSource {
  if (source) programSource = source;
  programSource ??= new FileProgramSource();
  return programSource;
}

const exists = new Map<string, boolean>();
function fileExists(path: string): boolean {
  let found = exists.get(path);
  if (found === undefined) {
    found = existsSync(path);
    exists.set(path, found);
  }
  return found;
}

/**
 * The page file for a locale: templates/pages/<name>.<locale>.liquid for the locale, then its language, then the
 * default locale; the unsuffixed file is written in the program's default locale. Returns the file and its locale.
 */
export function pageFileFor(name: string, locale: string | undefined, defaultLocale: string, templatesDir: string): { file: string; locale: string } {
  for (const candidate of localeChain(locale, defaultLocale)) {
    if (candidate === defaultLocale) break;
    if (fileExists(join(templatesDir, 'pages', `${name}.${candidate}.liquid`))) return { file: `${name}.${candidate}.liquid`, locale: candidate };
  }
  return { file: name, locale: defaultLocale };
}

/**
 * Render templates/pages/<name>.liquid with everything `{{ }}` HTML-escaped, in `context.locale` when a page file
 * exists for it (else its language, else the default), branded from the program file: the layout sees `brand`
 * (name, logo, colours, links), `t` (the chrome's strings) and `lang`.
 */
export async function renderPage(name: string, context: Record<string, unknown>, templatesDir?: string): Promise<string> {
  const dir = templatesDir ?? defaultTemplatesDir();
  const program = await pageProgram().get();
  const requested = typeof context.locale === 'string' ? context.locale : undefined;
  const { file, locale } = pageFileFor(name, requested, program.defaultLocale, dir);
  return engineFor(dir).renderFile(file, { ...context, brand: brandContext(program, ''), t: chromeStrings(locale), lang: locale });
}

export async function pageResponse(status: number, name: string, context: Record<string, unknown>, templatesDir?: string): Promise<PageResponse> {
  return { status, headers: { ...PAGE_SECURITY_HEADERS }, body: await renderPage(name, context, templatesDir) };
}

export function jsonResponse(status: number, body: unknown): PageResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' },
    body: JSON.stringify(body),
  };
}
