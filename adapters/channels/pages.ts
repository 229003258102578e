// HTML pages of the unsubscribe and preference links: liquid templates under templates/pages (escaped by default) and
// the security headers every such page carries (the token is in the URL, so no referrer and no caching).
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
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
    engine = new Liquid({ root: [join(dir, 'pages')], extname: '.liquid', outputEscape: 'escape', cache: true, strictFilters: true });
    engines.set(dir, engine);
  }
  return engine;
}

/** Render templates/pages/<name>.liquid with everything `{{ }}` HTML-escaped. */
export async function renderPage(name: string, context: Record<string, unknown>, templatesDir?: string): Promise<string> {
  return engineFor(templatesDir ?? defaultTemplatesDir()).renderFile(name, context);
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
