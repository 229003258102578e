// The error names are the contract with the state machine's Retry/Catch: they must survive minification.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { RETRYABLE_ERRORS } from '../../../core/errors.js';

describe('named errors', () => {
  it('keep their names in a minified bundle (Step Functions matches errorType by name)', async () => {
    // Prepare: bundle and minify the error module as the Lambdas are bundled, then load it.
    const out = await build({
      stdin: { contents: "export * from './core/errors.ts'; export { SendDeferredError } from './adapters/channels/errors.ts';", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, minify: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent',
    });
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`)) as Record<string, new (m: string, ...rest: string[]) => Error>;

    // Act
    const names = Object.fromEntries(Object.entries(mod).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error).map(([k, Cls]) => [k, new Cls('x', '2026-01-01T00:00:00Z').name]));

    // Assess
    for (const [exported, name] of Object.entries(names)) expect(name, exported).toBe(exported);
    for (const retryable of RETRYABLE_ERRORS) expect(Object.values(names)).toContain(retryable);
  });
});
