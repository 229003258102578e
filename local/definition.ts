// The run state machine exactly as deployed: read from the synthesized CloudFormation template (cdk.out), with the
// Lambda ARN substitutions resolved to placeholder ARNs (the local runtime overrides every task with a handler).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

type Cfn = unknown;

function placeholderArn(name: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${name.replace(/[^A-Za-z0-9-_]/g, '') || 'local'}`;
}

/** Resolve the intrinsic functions a DefinitionString uses (Fn::Join, Fn::Sub, Ref, Fn::GetAtt) to strings. */
function resolveCfn(value: Cfn, vars: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, Cfn[]];
      return parts.map((p) => resolveCfn(p, vars)).join(sep);
    }
    if ('Fn::Sub' in obj) {
      const arg = obj['Fn::Sub'];
      const [text, extra] = Array.isArray(arg) ? (arg as [string, Record<string, Cfn>]) : [arg as string, {}];
      const local = { ...vars, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, resolveCfn(v, vars)])) };
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => local[name] ?? placeholderArn(name));
    }
    if ('Ref' in obj) return vars[String(obj.Ref)] ?? placeholderArn(String(obj.Ref));
    if ('Fn::GetAtt' in obj) {
      const [logical] = obj['Fn::GetAtt'] as [string, string];
      return placeholderArn(logical);
    }
  }
  throw new Error(`cannot resolve CloudFormation value ${JSON.stringify(value).slice(0, 200)}`);
}

export interface SynthesizedDefinition {
  definition: Record<string, unknown>;
  template: string;
  logicalId: string;
}

/** Find the run state machine in the templates under `cdkOut` and return its definition as plain JSON. */
export function definitionFromCdkOut(cdkOut = join(REPO_ROOT, 'cdk.out')): SynthesizedDefinition {
  const templates = existsSync(cdkOut) ? readdirSync(cdkOut).filter((f) => f.endsWith('.template.json')) : [];
  for (const file of templates) {
    const template = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const props = resource.Properties ?? {};
      const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, Cfn>;
      const vars = Object.fromEntries(Object.keys(substitutions).map((k) => [k, placeholderArn(k.replace(/Arn$/, ''))]));
      let text: string;
      if (props.DefinitionString !== undefined) text = resolveCfn(props.DefinitionString, {});
      else if (props.Definition !== undefined) text = JSON.stringify(props.Definition);
      else continue;
      // DefinitionSubstitutions use ${Name} inside the (already resolved) string.
      text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name: string) => vars[name] ?? m);
      return { definition: JSON.parse(text) as Record<string, unknown>, template: join(cdkOut, file), logicalId };
    }
  }
  throw new Error(`no AWS::StepFunctions::StateMachine in ${cdkOut}/*.template.json: run \`npx cdk synth --quiet\``);
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Files outside infra/ that the templates are built from (the table's indexes, the Retry/Catch names, state names). */
const SYNTH_INPUT_FILES = ['adapters/dynamo/table-def.ts', 'adapters/dynamo/keys.ts', 'core/errors.ts', 'core/schemas/workflow.ts', 'core/schedule.ts'];

function mtimeOf(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** Whether cdk.out is missing or older than what it is synthesized from (infra/, campaigns/, a few shared files). */
export function synthIsStale(root = REPO_ROOT): boolean {
  const out = join(root, 'cdk.out');
  const templates = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.template.json')) : [];
  if (templates.length === 0) return true;
  const built = Math.min(...templates.map((f) => statSync(join(out, f)).mtimeMs));
  const inputs = [newestMtime(join(root, 'infra')), newestMtime(join(root, 'campaigns')), ...SYNTH_INPUT_FILES.map((f) => mtimeOf(join(root, f)))];
  return Math.max(...inputs) > built;
}

/** Run `npx cdk synth --quiet` when cdk.out is stale; returns how long it took (0 when nothing had to be done). */
export async function ensureSynth(options: { root?: string; force?: boolean; log?: (line: string) => void } = {}): Promise<number> {
  const root = options.root ?? REPO_ROOT;
  if (!options.force && !synthIsStale(root)) return 0;
  const started = Date.now();
  options.log?.('synthesizing the CDK app (cdk.out is missing or older than infra/ or campaigns/)…');
  await promisify(execFile)('npx', ['cdk', 'synth', '--quiet'], { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
  return Date.now() - started;
}

/** The deployed definition, synthesizing first when needed. */
export async function loadRunDefinition(options: { synth?: boolean; log?: (line: string) => void } = {}): Promise<SynthesizedDefinition & { synthMs: number }> {
  const synthMs = options.synth === false ? 0 : await ensureSynth({ ...(options.log ? { log: options.log } : {}) });
  return { ...definitionFromCdkOut(), synthMs };
}
