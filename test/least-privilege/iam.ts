// Least privilege from real calls: what each Lambda of the synthesized app is granted (its role's inline policies and
// managed policies, from the CloudFormation templates), what it was seen to call while the test suite ran (the
// record adapters/aws-clients.ts writes), and the comparison of the two. Generic over functions: any Lambda with the
// "ReferralAsks:Function" metadata (infra/lambda.ts) is compared, so new functions are covered without a change here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedCall } from '../../adapters/aws-clients.js';
import { FUNCTION_METADATA_KEY } from '../../infra/lambda.js';
import { GRANT_EXCEPTIONS, MANAGED_POLICY_EXCEPTIONS } from './exceptions.js';

type Json = Record<string, unknown>;
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Json; Metadata?: Json }>;
}

export interface Grant {
  /** e.g. "dynamodb:Query" (as written; may hold a wildcard such as "xray:Put*"). */
  action: string;
  /** The statement's resources, each as its JSON (intrinsics unresolved). */
  resources: string[];
}

export interface FunctionGrants {
  fn: string;
  template: string;
  logicalId: string;
  grants: Grant[];
  managedPolicies: string[];
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every project function of the templates with what its role grants. */
export function functionGrants(templates: Record<string, CfnTemplate>): FunctionGrants[] {
  const out: FunctionGrants[] = [];
  for (const [name, template] of Object.entries(templates)) {
    const resources = template.Resources ?? {};
    for (const [logicalId, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::Lambda::Function') continue;
      const fn = res.Metadata?.[FUNCTION_METADATA_KEY];
      if (typeof fn !== 'string') continue;
      const roleRef = res.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const roleId = roleRef?.['Fn::GetAtt']?.[0];
      if (!roleId) throw new Error(`${fn} (${name} ${logicalId}): its Role is not a role of the same template`);
      const role = resources[roleId]?.Properties ?? {};
      const documents: Json[] = asArray(role.Policies as Array<{ PolicyDocument: Json }> | undefined).map((p) => p.PolicyDocument);
      for (const policy of Object.values(resources)) {
        if (policy.Type !== 'AWS::IAM::Policy') continue;
        const roles = asArray(policy.Properties?.Roles as Json[] | undefined);
        if (roles.some((r) => r.Ref === roleId)) documents.push(policy.Properties!.PolicyDocument as Json);
      }
      const grants: Grant[] = [];
      for (const doc of documents) {
        for (const st of asArray(doc.Statement as Json[] | undefined)) {
          if (st.Effect !== 'Allow') continue;
          const resourcesOfStatement = asArray(st.Resource as unknown).map((r) => JSON.stringify(r));
          for (const action of asArray(st.Action as string | string[])) grants.push({ action, resources: resourcesOfStatement });
        }
      }
      const managedPolicies = asArray(role.ManagedPolicyArns as unknown[] | undefined).map((m) => JSON.stringify(m).match(/policy\/([\w/-]+)/)?.[1]?.split('/').pop() ?? JSON.stringify(m));
      out.push({ fn, template: name, logicalId, grants, managedPolicies });
    }
  }
  return out;
}

const glob = (pattern: string) => new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
const matches = (pattern: string, action: string) => glob(pattern).test(action.toLowerCase());
const isIndex = (resource: string) => /\/index\//.test(resource);

/**
 * Problems, one sentence each naming the function and the action: an action called but not granted (or granted only
 * on the table when an index was queried, or the reverse), an action granted but never called and not an exception,
 * a managed policy nobody explained, calls of a function the templates do not have.
 */
export function compareGrants(functions: FunctionGrants[], calls: RecordedCall[]): string[] {
  const problems: string[] = [];
  const byFn = new Map<string, RecordedCall[]>();
  for (const c of calls) byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), c]);
  const known = new Set(functions.map((f) => f.fn));
  for (const fn of [...byFn.keys()].filter((f) => !known.has(f)).sort()) {
    problems.push(`${fn}: calls were recorded for it, but no Lambda of the synthesized app has Metadata ${FUNCTION_METADATA_KEY}=${fn}`);
  }
  for (const f of [...functions].sort((a, b) => a.fn.localeCompare(b.fn))) {
    const used = byFn.get(f.fn) ?? [];
    const seen = new Set<string>();
    for (const call of used) {
      const action = `${call.service}:${call.action}`;
      const grants = f.grants.filter((g) => matches(g.action, action));
      const key = `${action} ${isIndex(call.resource)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (grants.length === 0) {
        problems.push(`${f.fn}: calls ${action} (on ${call.resource}) but its role does not grant ${action}`);
      } else if (call.service === 'dynamodb' && !grants.some((g) => g.resources.some((r) => isIndex(r) === isIndex(call.resource) || r === '"*"'))) {
        problems.push(`${f.fn}: calls ${action} on ${isIndex(call.resource) ? 'an index' : 'the table'} (${call.resource}) but ${action} is granted only on ${isIndex(call.resource) ? 'the table' : 'its indexes'}`);
      }
    }
    const reported = new Set<string>();
    for (const g of f.grants) {
      if (reported.has(g.action)) continue;
      reported.add(g.action);
      if (used.some((c) => matches(g.action, `${c.service}:${c.action}`))) continue;
      const exception = GRANT_EXCEPTIONS.find((e) => (e.functions === '*' || e.functions.includes(f.fn)) && e.action === g.action);
      if (exception) continue;
      problems.push(`${f.fn}: is granted ${g.action} but never called it in the test suite (remove the grant, or list it in test/least-privilege/exceptions.ts with the reason)`);
    }
    for (const m of f.managedPolicies) {
      if (!MANAGED_POLICY_EXCEPTIONS[m]) problems.push(`${f.fn}: has the managed policy ${m}, which test/least-privilege/exceptions.ts does not explain`);
    }
  }
  return problems;
}

/** The synthesized templates of cdk.out, by file name. */
export function readTemplates(cdkOut: string): Record<string, CfnTemplate> {
  const files = existsSync(cdkOut) ? readdirSync(cdkOut).filter((f) => f.endsWith('.template.json')) : [];
  return Object.fromEntries(files.map((f) => [f, JSON.parse(readFileSync(join(cdkOut, f), 'utf8')) as CfnTemplate]));
}

/** Every call recorded under `dir` (one JSON line per distinct call, one file per process). */
export function readRecord(dir: string | undefined): RecordedCall[] {
  if (!dir || !existsSync(dir)) return [];
  const calls = new Map<string, RecordedCall>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim()) calls.set(line, JSON.parse(line) as RecordedCall);
    }
  }
  return [...calls.values()];
}
