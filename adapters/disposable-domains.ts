// Disposable email domains from the maintained npm list (`disposable-email-domains`, a 2.4 MB JSON array), read from
// disk once per process on first use — never bundled into a function (the click path shares the HTTP bundle). Where
// the file is: DISPOSABLE_DOMAINS_FILE (the cloud: a Lambda layer puts the package at /opt), else the installed
// package (local runtime, CLI, tests). Core takes the set as an argument (core/fraud.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

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
    const set = readFile(file, 'utf8').then((text) => {
      const list = JSON.parse(text) as unknown;
      if (!Array.isArray(list) || list.length === 0) throw new Error(`${file} is not a non-empty JSON array of domains`);
      return new Set(list.map((d) => String(d).toLowerCase())) as ReadonlySet<string>;
    });
    set.catch(() => (cached = undefined));
    cached = { file, set };
  }
  return cached.set;
}
