// Disposable email domains from the maintained npm list (`disposable-email-domains`), loaded once per process. Core
// takes the set as an argument (core/fraud.ts); only this adapter knows where it comes from.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cached: ReadonlySet<string> | undefined;

export function disposableDomains(): ReadonlySet<string> {
  cached ??= new Set((require('disposable-email-domains') as string[]).map((d) => d.toLowerCase()));
  return cached;
}
