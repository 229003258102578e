// Disposable email domains from the maintained npm list (`disposable-email-domains`, a 2.4 MB JSON array), read from
// disk once per process on first use — never bundled into a function (the click path shares the HTTP bundle). Where
// the file is: DISPOSABLE_DOMAINS_FILE (the cloud: a Lambda layer puts the package at /opt), else the installed
// package (local runtime, CLI, tests). The package's wildcard.json (next to it) adds `*.<domain>` entries: every
// subdomain of those is disposable. Core takes the set as an argument (core/fraud.ts isDisposableDomain).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: { file: string; set: Promise<ReadonlySet<string>> } | undefined;

/** Where the list lives for this process. */
export function disposableDomainsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DISPOSABLE_DOMAINS_FILE) return env.DISPOSABLE_DOMAINS_FILE;
  try {
    return createRequire(import.meta.url).resolve('disposable-email-domains');
  } catch (error) {
    throw new Error('the disposable email domain list is not installed: set DISPOSABLE_DOMAINS_FILE or install disposable-email-domains', { cause: error });
  }
}

export function loadDisposableDomains(env: NodeJS.ProcessEnv = process.env): Promise<ReadonlySet<string>> {
  const file = disposableDomainsFile(env);
  if (cached?.file !== file) {
    const set = Promise.all([readFile(file, 'utf8'), readFile(join(dirname(file), 'wildcard.json'), 'utf8').catch(() => '[]')]).then(([text, wildText]) => {
      const list = JSON.parse(text) as unknown;
      if (!Array.isArray(list) || list.length === 0) throw new Error(`${file} is not a non-empty JSON array of domains`);
      // The package's wildcard list (wildcard.json beside index.json): every subdomain of these is disposable too.
      const wild = JSON.parse(wildText) as unknown;
      const wildcards = Array.isArray(wild) ? wild.map((d) => `*.${String(d).toLowerCase()}`) : [];
      return new Set([...list.map((d) => String(d).toLowerCase()), ...wildcards]) as ReadonlySet<string>;
    });
    set.catch(() => (cached = undefined));
    cached = { file, set };
  }
  return cached.set;
}
