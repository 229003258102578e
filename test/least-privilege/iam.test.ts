// Runs after every other test (vitest.config.ts: project "least-privilege", groupOrder 1): the AWS calls each function
// made during the whole suite, against the IAM policy the synthesized template grants the same function.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../adapters/aws-clients.js';
import { REPO_ROOT } from '../../local/definition.js';
import { compareGrants, functionGrants, readRecord, readTemplates, type CfnTemplate, type FunctionGrants } from './iam.js';
import { GRANT_EXCEPTIONS } from './exceptions.js';

const templates = readTemplates(join(REPO_ROOT, 'cdk.out'));
const functions = functionGrants(templates);
const record = readRecord(process.env.AWS_CALL_LOG_DIR);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const grantsOf = (fns: FunctionGrants[], fn: string) => fns.find((f) => f.fn === fn)!;

/** A copy of the templates with `edit` applied to every Allow statement of `fn`'s role policies. */
function editPolicies(fn: string, edit: (statements: Array<Record<string, unknown>>) => void): Record<string, CfnTemplate> {
  const copy = clone(templates);
  const target = grantsOf(functionGrants(copy), fn);
  const resources = copy[target.template]!.Resources!;
  const roleId = ((resources[target.logicalId]!.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'])[0];
  for (const res of Object.values(resources)) {
    if (res.Type === 'AWS::IAM::Policy' && (res.Properties!.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === roleId)) {
      edit((res.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
    }
  }
  return copy;
}

describe('least privilege from real calls', () => {
  it('finds every project function in the synthesized app', () => {
    expect(functions.map((f) => f.fn)).toEqual(expect.arrayContaining(['LoadCampaign', 'QueryDuePage', 'ProcessBatch', 'Summarize', 'StartRun', 'Api']));
  });

  it('has a record of the calls the functions made in this run', () => {
    // Empty when this file runs alone: the record is written by the rest of the suite (`npm test`).
    expect(record.length, `no AWS calls recorded under AWS_CALL_LOG_DIR=${process.env.AWS_CALL_LOG_DIR}: run the whole suite (npm test)`).toBeGreaterThan(0);
  });

  it('grants each function exactly the actions it calls, apart from the listed exceptions', () => {
    const problems = compareGrants(functions, record);
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  });

  it('grants QueryDuePage no write (it makes no AWS call at all)', () => {
    const query = grantsOf(functions, 'QueryDuePage');
    expect(query.grants.map((g) => g.action).filter((a) => !a.startsWith('xray:'))).toEqual([]);
    expect(record.filter((c) => c.fn === 'QueryDuePage')).toEqual([]);
  });

  it('gives every exception a reason', () => {
    for (const e of GRANT_EXCEPTIONS) expect(e.reason.length, e.action).toBeGreaterThan(20);
  });
});

describe('the comparison can fail', () => {
  // A record that uses exactly what ProcessBatch is granted (minus the exceptions): clean, whatever the suite did.
  const processBatch = grantsOf(functions, 'ProcessBatch');
  const exact: RecordedCall[] = processBatch.grants
    .filter((g) => !GRANT_EXCEPTIONS.some((e) => e.action === g.action && (e.functions === '*' || e.functions.includes('ProcessBatch'))))
    .map((g) => {
      const [service, action] = g.action.split(':') as [string, string];
      return { fn: 'ProcessBatch', service, action, resource: g.resources.some((r) => r.includes('/index/')) && !g.resources.some((r) => !r.includes('/index/')) ? 'table/t/index/i' : 'table/t' };
    });
  const onlyProcessBatch = (fns: FunctionGrants[]) => fns.filter((f) => f.fn === 'ProcessBatch' || f.fn === 'QueryDuePage');

  it('is clean for a record that matches the grants', () => {
    expect(exact.some((c) => c.service === 'dynamodb' && c.action === 'Query')).toBe(true);
    expect(compareGrants(onlyProcessBatch(functions), exact)).toEqual([]);
  });

  it('reports a grant removed from a function that uses it (template copy without dynamodb:Query for ProcessBatch)', () => {
    const mutated = editPolicies('ProcessBatch', (statements) => {
      for (const st of statements) st.Action = [st.Action].flat().filter((a) => a !== 'dynamodb:Query');
    });
    const problems = compareGrants(onlyProcessBatch(functionGrants(mutated)), exact);
    expect(problems).toEqual([expect.stringMatching(/^ProcessBatch: calls dynamodb:Query \(on table\/t(\/index\/i)?\) but its role does not grant dynamodb:Query$/)]);
  });

  it('reports an unused grant added to a function (template copy granting QueryDuePage dynamodb:PutItem)', () => {
    const mutated = clone(templates);
    const query = grantsOf(functionGrants(mutated), 'QueryDuePage');
    const resources = mutated[query.template]!.Resources!;
    const roleId = ((resources[query.logicalId]!.Properties!.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'])[0];
    resources.ExtraGrant = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'extra', Roles: [{ Ref: roleId }], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' }] } } };
    const problems = compareGrants(onlyProcessBatch(functionGrants(mutated)), exact);
    expect(problems).toEqual([expect.stringMatching(/^QueryDuePage: is granted dynamodb:PutItem but never called it/)]);
  });

  it('reports the same on the real record: a used grant removed, an unused one added', () => {
    const used = record.find((c) => c.fn === 'ProcessBatch' && c.service === 'dynamodb');
    expect(used, 'the suite recorded no DynamoDB call of ProcessBatch').toBeDefined();
    const action = `dynamodb:${used!.action}`;
    const removed = editPolicies('ProcessBatch', (statements) => {
      for (const st of statements) st.Action = [st.Action].flat().filter((a) => a !== action);
    });
    expect(compareGrants(functionGrants(removed), record)).toContain(`ProcessBatch: calls ${action} (on ${used!.resource}) but its role does not grant ${action}`);
    const added = editPolicies('Summarize', (statements) => statements.push({ Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: '*' }));
    expect(compareGrants(functionGrants(added), record).join('\n')).toMatch(/Summarize: is granted dynamodb:DeleteItem but never called it/);
  });

  it('reports a query on an index granted only on the table', () => {
    const mutated = editPolicies('ProcessBatch', (statements) => {
      for (const st of statements) st.Resource = [st.Resource].flat().filter((r) => !JSON.stringify(r).includes('/index/'));
    });
    const problems = compareGrants(onlyProcessBatch(functionGrants(mutated)), [{ fn: 'ProcessBatch', service: 'dynamodb', action: 'Query', resource: 'table/t/index/GSI1' }]);
    expect(problems.join('\n')).toMatch(/ProcessBatch: calls dynamodb:Query on an index \(table\/t\/index\/GSI1\) but dynamodb:Query is granted only on the table/);
  });
});
