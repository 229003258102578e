// Message templates on disk (templates/ in the repo, or beside the code in a Lambda bundle): the TemplateSource port.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSource } from '../core/ports.js';
import { templateFileName } from '../core/render.js';

/**
 * Where templates live when nobody says: TEMPLATES_DIR, else templates/ under the working directory (the repo
 * locally, /var/task in Lambda), else templates/ next to this module's parent (the repo, from anywhere).
 */
export function defaultTemplatesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPLATES_DIR) return resolve(env.TEMPLATES_DIR);
  const candidates = [resolve(process.cwd(), 'templates'), resolve(dirname(fileURLToPath(import.meta.url)), '..', 'templates')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Locale lookup order: "de-AT" -> "de-AT", "de", then the default file. */
function localeChain(locale: string | undefined): Array<string | undefined> {
  if (!locale || locale === 'en') return [undefined];
  const chain: Array<string | undefined> = [locale];
  const language = locale.split(/[-_]/)[0];
  if (language && language !== locale) chain.push(language);
  chain.push(undefined);
  return chain;
}

/**
 * Reads templates/<ref>.<part>.liquid ("text" is stored as ".txt"), with optional locale variants
 * templates/<ref>.<locale>.<part>.liquid. Files are read once and cached (they ship with the code).
 */
export class FsTemplateSource implements TemplateSource {
  readonly dir: string;
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(dir: string = defaultTemplatesDir()) {
    this.dir = resolve(dir);
  }

  async load(ref: string, part: string, locale?: string): Promise<string | undefined> {
    for (const loc of localeChain(locale)) {
      const body = await this.read(templateFileName(ref, part, loc));
      if (body !== undefined) return body;
    }
    return undefined;
  }

  /** The absolute path a part would be read from (no locale). */
  pathOf(ref: string, part: string, locale?: string): string {
    return join(this.dir, templateFileName(ref, part, locale));
  }

  private read(relative: string): Promise<string | undefined> {
    let pending = this.cache.get(relative);
    if (!pending) {
      const full = resolve(this.dir, relative);
      // A ref like "../../etc/passwd" must not escape the templates directory.
      if (!full.startsWith(this.dir + sep)) return Promise.resolve(undefined);
      pending = readFile(full, 'utf8').then(
        (text) => text,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR') return undefined;
          throw error;
        },
      );
      this.cache.set(relative, pending);
    }
    return pending;
  }
}
