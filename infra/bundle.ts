// The one esbuild configuration every Lambda is bundled with: infra/lambda.ts ships it, bench/run.ts measures it
// (max_bundle_kb), so the two cannot drift. Minified ESM for Node 22+, @aws-sdk/* left to the runtime (Node 22/24
// Lambda runtimes provide SDK v3), plus plugins that only undo bundle bloat, never change behaviour:
//   - zod 4 re-exports every locale through `z.locales`; only English (the default) is ever used.
//   - `import { z } from 'zod'` (Powertools parser, or a new file of ours) gets the whole zod namespace as a value,
//     which esbuild cannot tree-shake; `import * as z from 'zod'` is the same binding for member access and shakes.
//   - campaigns are validated and compiled at bundle time (campaigns/.compiled.json, synth fails on a bad file), and
//     adapters/compiled-campaigns.ts stands in for adapters/campaign-files.ts: no YAML parser in any function.
// No aws-cdk-lib import here: the bench and the bundling child process load this module on their own.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { parseDocument } from 'yaml';
import { formatProblem, loadCampaignPaths, loadProgramFile, programFileIn } from '../adapters/campaign-files.js';
import { COMPILED_CAMPAIGNS_FILE, type CompiledCampaigns } from '../adapters/compiled-campaigns.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Directories each function reads at run time (CAMPAIGNS_DIR, TEMPLATES_DIR), shipped beside index.mjs. */
export const RUNTIME_DIRS = ['campaigns', 'templates'] as const;

/** The Lambda handler file name inside the asset (`index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/** Provided by the Lambda Node.js runtime, so never bundled. */
export const SDK_EXTERNAL = ['@aws-sdk/*'];

/**
 * Powertools packages every function loads from the official Powertools for AWS Lambda (TypeScript) layer (ESM and
 * CommonJS supported, https://docs.aws.amazon.com/powertools/typescript/latest/getting-started/lambda-layers),
 * added by infra/lambda.ts at the installed version. The parser stays bundled: it needs our zod.
 */
export const POWERTOOLS_LAYER_PACKAGES = ['@aws-lambda-powertools/logger', '@aws-lambda-powertools/metrics', '@aws-lambda-powertools/commons'] as const;
export const LAYER_EXTERNAL = POWERTOOLS_LAYER_PACKAGES.flatMap((p) => [p, `${p}/*`]);

/** The installed Powertools version: the layer's SSM parameter is pinned to it, so the layer matches what tests ran. */
export function powertoolsVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', '@aws-lambda-powertools', 'logger', 'package.json'), 'utf8')) as { version: string }).version;
}

const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** zod's locales index (every language) replaced by English only, for imports from inside zod. */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (a) => (a.importer.includes('/node_modules/zod/') ? { path: resolve(a.resolveDir, a.path), namespace: 'zod-en' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (a) => ({ contents: `export { default as en } from ${JSON.stringify(a.path.replace(/index\.js$/, 'en.js'))};`, resolveDir: '/' }));
    // English messages, compact: the functions' inputs were checked at bundle time (campaigns) or come from our own
    // code; a message names the issue, the expected and the received, without zod's wording tables (~2 KB).
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]en\.js$/ }, () => ({
      contents: `export default function () { return { localeError: (i) => { const d = i.expected ?? i.format ?? i.values ?? i.minimum ?? i.maximum ?? i.keys; return \`Invalid input (\${i.code}\${d !== undefined ? ': ' + String(d) : ''})\`; } }; }`,
      loader: 'js',
    }));
  },
};

const NOT_BUNDLED = "() => { throw new Error('JSON Schema generation is not bundled in the Lambda functions (asks schema generates it)'); }";

/** `export function|const NAME` names of a module source. */
function exportedNames(source: string): string[] {
  return [...source.matchAll(/^export (?:function|const) ([A-Za-z0-9_$]+)/gm)].map((m) => m[1]!);
}

/**
 * zod 4 wires JSON Schema generation into every schema class (~17 KB); no function generates JSON Schema at run time
 * (only `asks schema` and the YAML loader do, neither bundled), so its generators become stubs that throw if called.
 * The check aggregation that schema getters (minLength, ...) use is kept as it is.
 */
export const zodWithoutJsonSchema: Plugin = {
  name: 'zod-without-json-schema',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/]to-json-schema\.js$/ }, (a) => {
      const names = exportedNames(readFileSync(a.path, 'utf8'));
      const stubs = names.map((n) => (n.startsWith('create') ? `export const ${n} = () => ${NOT_BUNDLED};` : `export const ${n} = ${NOT_BUNDLED};`));
      return { contents: `${stubs.join('\n')}\nexport { processSchema as process };\n`, loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/]json-schema-processors\.js$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const cut = source.indexOf('export const stringProcessor');
      if (cut < 0) return undefined; // another zod layout: bundle it whole rather than guess
      const rest = exportedNames(source.slice(cut));
      const stubs = rest.map((n) => (n === 'allProcessors' ? 'export const allProcessors = {};' : `export const ${n} = ${NOT_BUNDLED};`));
      return { contents: `${source.slice(0, cut)}\n${stubs.join('\n')}\n`, loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

const NAMED_ZOD_IMPORT = /import\s*\{([^}]*)\}\s*from\s*(['"])zod\2\s*;?/g;

/** `import { z, ZodError } from 'zod'` -> `import * as z from 'zod'; import { ZodError } from 'zod';` */
export function rewriteZodNamespaceImports(source: string): string {
  return source.replace(NAMED_ZOD_IMPORT, (whole, names: string, quote: string) => {
    const parts = names.split(',').map((s) => s.trim()).filter(Boolean);
    if (!parts.includes('z')) return whole;
    const rest = parts.filter((p) => p !== 'z');
    const zod = `${quote}zod${quote}`;
    return `import * as z from ${zod};${rest.length ? ` import { ${rest.join(', ')} } from ${zod};` : ''}`;
  });
}

export const zodNamespaceImports: Plugin = {
  name: 'zod-namespace-imports',
  setup(b) {
    // Packages (not zod itself) and our own sources, so a new `import { z }` cannot quietly bring the bloat back.
    b.onLoad({ filter: /\.(m?js|ts)$/ }, (a) => {
      if (/[\\/]node_modules[\\/]zod[\\/]/.test(a.path)) return undefined;
      const source = readFileSync(a.path, 'utf8');
      if (!source.includes('zod')) return undefined;
      const rewritten = rewriteZodNamespaceImports(source);
      return rewritten === source ? undefined : { contents: rewritten, loader: a.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(a.path) };
    });
  },
};

const CAMPAIGN_FILES = join(REPO_ROOT, 'adapters', 'campaign-files.ts');
const COMPILED_CAMPAIGNS_MODULE = join(REPO_ROOT, 'adapters', 'compiled-campaigns.ts');

/** Every import of adapters/campaign-files.ts resolves to adapters/compiled-campaigns.ts (the same repository API). */
export const compiledCampaignsModule: Plugin = {
  name: 'compiled-campaigns',
  setup(b) {
    b.onResolve({ filter: /[\\/]campaign-files(\.js|\.ts)?$/ }, (a) =>
      !a.importer.includes('node_modules') && resolve(a.resolveDir, a.path).replace(/\.js$/, '.ts') === CAMPAIGN_FILES ? { path: COMPILED_CAMPAIGNS_MODULE } : undefined,
    );
  },
};

export const BUNDLE_PLUGINS: Plugin[] = [zodEnglishOnly, zodWithoutJsonSchema, zodNamespaceImports, compiledCampaignsModule];

/** The shipped campaign files and the program file, validated exactly as the YAML loader does (templates too); throws on any problem. */
export async function compileCampaigns(dir = join(REPO_ROOT, 'campaigns'), templatesDir = join(REPO_ROOT, 'templates')): Promise<CompiledCampaigns> {
  const { files, problems } = await loadCampaignPaths([dir], { templatesDir });
  if (problems.length > 0) throw new Error(`invalid campaign files:\n${problems.map(formatProblem).join('\n')}`);
  const program = await loadProgramFile(programFileIn(dir), { templatesDir });
  if (!program.ok) throw new Error(`invalid program file:\n${program.problems.map(formatProblem).join('\n')}`);
  const campaigns: CompiledCampaigns['campaigns'] = [];
  for (const file of files) campaigns.push({ file: basename(file), data: parseDocument(await readFile(resolve(file), 'utf8'), { uniqueKeys: true }).toJS() as unknown });
  return { campaigns, program: program.program };
}

export interface BundleVariant {
  /** Bundle the AWS SDK too (a comparison figure only: the deployed functions leave it to the runtime). */
  sdkBundled?: boolean;
  /** Without the plugins (a comparison figure only). */
  noPlugins?: boolean;
}

/** The esbuild options for one entry (path relative to the repo root), output in memory as `index.mjs` + map. */
export function lambdaBuildOptions(entry: string, variant: BundleVariant = {}): BuildOptions & { write: false; metafile: true } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, entry)],
    // Sources in the map relative to the repo root whatever the output directory: deterministic asset hashes.
    outfile: join(REPO_ROOT, BUNDLE_FILE),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: variant.sdkBundled ? [...LAYER_EXTERNAL] : [...SDK_EXTERNAL, ...LAYER_EXTERNAL],
    banner: { js: BANNER },
    plugins: variant.noPlugins ? [] : BUNDLE_PLUGINS,
    write: false,
    metafile: true,
    // Non-ASCII text (German copy, currency signs) as UTF-8, not as \uXXXX escapes six bytes each.
    charset: 'utf8',
    logLevel: 'silent',
  };
}

export interface BundleResult {
  /** index.mjs, the code Lambda loads. */
  code: Uint8Array;
  /** index.mjs.map (NODE_OPTIONS=--enable-source-maps). */
  map: Uint8Array | undefined;
  metafile: Metafile;
}

export async function bundleEntry(entry: string, variant: BundleVariant = {}): Promise<BundleResult> {
  const out = await build(lambdaBuildOptions(entry, variant));
  const code = out.outputFiles.find((f) => f.path.endsWith(BUNDLE_FILE));
  if (!code) throw new Error(`esbuild produced no ${BUNDLE_FILE} for ${entry}`);
  return { code: code.contents, map: out.outputFiles.find((f) => f.path.endsWith(`${BUNDLE_FILE}.map`))?.contents, metafile: out.metafile };
}

/** The Lambda asset for one entry: index.mjs, its source map, campaigns/ (+ .compiled.json) and templates/. */
export async function bundleLambda(entry: string, outDir: string): Promise<void> {
  const { code, map } = await bundleEntry(entry);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, BUNDLE_FILE), code);
  if (map) writeFileSync(join(outDir, `${BUNDLE_FILE}.map`), map);
  for (const dir of RUNTIME_DIRS) cpSync(join(REPO_ROOT, dir), join(outDir, dir), { recursive: true });
  writeFileSync(join(outDir, 'campaigns', COMPILED_CAMPAIGNS_FILE), `${JSON.stringify(await compileCampaigns())}\n`);
}

/**
 * bundleLambda for CDK's synchronous `ILocalBundling.tryBundle`: esbuild plugins need the async API, so it runs in a
 * child Node process (this file as a script). Local esbuild only, never Docker.
 */
export function bundleLambdaSync(entry: string, outDir: string): void {
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), entry, outDir], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

// As a script: `node --import tsx infra/bundle.ts <entry> <outDir>`.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outDir] = process.argv.slice(2);
  if (!entry || !outDir) {
    process.stderr.write(`usage: node --import tsx infra/${basename(fileURLToPath(import.meta.url))} <entry> <outDir>\n`);
    process.exit(2);
  }
  bundleLambda(entry, resolve(outDir)).catch((error: unknown) => {
    process.stderr.write(`bundling ${entry} failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
