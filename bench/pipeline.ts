// ask_pipeline_ratio: asks per second of the local workflow (the synthesized state machine, the real handlers, the
// send-rate limit lifted) divided by asks per second of a bare loop against the same local servers in the same run.
// The bare loop does only the essential I/O: one due-index page read per 100 customers, one conditional put and one
// SendEmail per ask, with the same concurrency as one ProcessBatch (4). Both ask the same customers (the ones the
// workflow asked by email), each in its own table.
// ask_pipeline_ratio_required_io (not a goal): the same workflow rate against a third loop that also does the writes the
// promises require of a first ask: the claim, the code pointer and the code's owner, `sending` just before SendEmail,
// the completion, the customer's ask history. Here every request is CPU in this one process (dynalite and the SES
// server run in it), so a loop with one write per ask is a floor no workflow that keeps those promises can come near.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { CustomerStore } from '../adapters/dynamo/customers.js';
import { GSIS } from '../adapters/dynamo/table-def.js';
import { askSk, CODE_SK, codePk, codePointerSk, customerPk, PROFILE_SK } from '../adapters/dynamo/keys.js';
import { createSesClient } from '../adapters/channels/ses-email.js';
import { FileCampaignRepository } from '../adapters/campaign-files.js';
import { unboundedBudgets } from './campaigns.js';
import { generateCustomers } from '../core/seed.js';
import { planSegments, runFor } from '../core/workflow/plan.js';
import { definitionFromCdkOut, ensureSynth } from '../local/definition.js';
import { localDeps, runExecution } from '../local/run-campaign.js';
import { startDynamo, startSes } from '../local/servers.js';

const log = (s: string) => process.stderr.write(`${s}\n`);
/** Rounds of the bare loop (it takes about a tenth of the workflow's time; one round is at the mercy of a busy machine). */
const BARE_ROUNDS = 3;
const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

export async function runPipelineBench(options: { customers?: number; workDir: string }): Promise<Record<string, number>> {
  const count = options.customers ?? Number(process.env.BENCH_PIPELINE_CUSTOMERS ?? 2000);
  await ensureSynth({ log });
  const today = new Date().toISOString().slice(0, 10);
  const dynamo = await startDynamo({ port: 0, dataDir: null });
  const ses = await startSes({ port: 0 });
  const doc = createDocumentClient({ endpoint: dynamo.url });
  const sesClient = createSesClient({ endpoint: ses.url });
  try {
    const customers = generateCustomers({ count, seed: 777, today, dueTodayShare: 0.5 });
    for (const table of ['pipe-workflow', 'pipe-bare', 'pipe-required']) {
      await ensureTable(doc, table);
      await new CustomerStore(doc, table).putMany(customers, { concurrency: 8 });
    }
    const campaign = (await new FileCampaignRepository().get('signup-anniversary'))!;

    // The workflow, send-rate limit lifted.
    const deps = localDeps({ doc, tableName: 'pipe-workflow', sesUrl: ses.url, publicBaseUrl: 'http://localhost:3000', keysFile: join(options.workDir, 'keys.json'), smsOutboxFile: join(options.workDir, 'pipe-sms.jsonl'), sendRatePerSecond: 1_000_000, campaigns: unboundedBudgets() });
    const { definition } = definitionFromCdkOut();
    const input = { campaignId: campaign.id, at: `${today}T00:00:00Z`, mode: 'day' as const, runDate: today };
    await runExecution({ definition, handlers: deps.handlers, input: { ...input, campaignId: 'tenth-order' } }); // warm-up: validation, keyring, templates
    const asked = new Set<string>();
    // Where the workflow's time goes: DynamoDB requests by command during the measured run.
    const requests: Record<string, number> = {};
    let counting = false;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (counting) requests[context.commandName ?? '?'] = (requests[context.commandName ?? '?'] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
    counting = true;
    const t0 = performance.now();
    // CPU time too: everything (dynalite, the SES server, the interpreter, the handlers) runs in this process, so CPU
    // per ask is the cost that does not depend on what else the machine is running.
    const cpu0 = process.cpuUsage();
    const result = await runExecution({ definition, handlers: deps.handlers, input });
    const workflowCpu = process.cpuUsage(cpu0);
    const workflowMs = performance.now() - t0;
    counting = false;
    if (result.error || !result.summary) throw new Error(`pipeline bench: workflow run failed: ${result.error}`);
    const workflowAsks = result.summary.totals.sent ?? 0;
    // Which customers the workflow asked by email: the bare loop asks the same ones.
    for (const c of customers) {
      const ask = await doc.send(new QueryCommand({ TableName: 'pipe-workflow', KeyConditionExpression: 'PK = :pk AND begins_with(SK, :a)', ExpressionAttributeValues: { ':pk': customerPk(c.id), ':a': askSk('') } }));
      if (ask.Items?.some((a) => a.status === 'sent' && a.channel === 'email')) asked.add(c.id);
    }

    // The bare loops: the same due partitions, pages of 100, the same concurrency as one ProcessBatch (4), the customers
    // the workflow asked by email. `essential` is the issue's bare loop (a conditional put and a SendEmail per ask).
    // `required` adds the writes the issue's own promises demand of every first ask (docs/architecture.md, "Delivery
    // guarantees per channel"): the code pointer and the code's owner, `sending` just before the channel call, the
    // completion, the customer's ask history. Each loop runs BARE_ROUNDS times (each round its own items).
    const bareLoop = async (table: string, perAsk: (item: Record<string, unknown>, round: number) => Promise<void>): Promise<{ asks: number; ms: number; cpu: NodeJS.CpuUsage }> => {
      const partitions = await new CustomerStore(doc, table).listPartitions();
      const segments = planSegments(campaign, runFor(input), partitions);
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      let asks = 0;
      for (let round = 0; round < BARE_ROUNDS; round += 1) {
        for (const segment of segments) {
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await doc.send(new QueryCommand({ TableName: table, IndexName: segment.index, KeyConditionExpression: '#k = :p', ExpressionAttributeNames: { '#k': GSIS.find((g) => g.name === segment.index)!.pk }, ExpressionAttributeValues: { ':p': segment.partition }, Limit: 100, ExclusiveStartKey: startKey }));
            const todo = (page.Items ?? []).filter((i) => asked.has(String(i.id)));
            let next = 0;
            const worker = async () => {
              while (next < todo.length) {
                await perAsk(todo[next++]!, round);
                asks += 1;
              }
            };
            await Promise.all(Array.from({ length: 4 }, worker));
            startKey = page.LastEvaluatedKey;
          } while (startKey);
        }
      }
      return { asks, ms: performance.now() - started, cpu: process.cpuUsage(cpuStarted) };
    };
    const sendEmail = (item: Record<string, unknown>) => sesClient.send(new SendEmailCommand({ FromEmailAddress: 'asks@example.com', Destination: { ToAddresses: [String(item.email)] }, Content: { Simple: { Subject: { Data: 'Thank you' }, Body: { Text: { Data: 'Refer a friend' } } } } }));
    const bare = await bareLoop('pipe-bare', async (item, round) => {
      await doc.send(new PutCommand({ TableName: 'pipe-bare', Item: { PK: item.PK, SK: `ASK#bare${round}#${today}`, status: 'claimed', at: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(PK)' }));
      await sendEmail(item);
    });
    const required = await bareLoop('pipe-required', async (item, round) => {
      const key = { PK: item.PK, SK: `ASK#req${round}#${today}` };
      const at = () => new Date().toISOString();
      await doc.send(new PutCommand({ TableName: 'pipe-required', Item: { ...key, status: 'claimed', claimToken: 't', at: at() }, ConditionExpression: 'attribute_not_exists(PK)' }));
      const code = `b${round}${String(item.id)}`;
      await doc.send(new PutCommand({ TableName: 'pipe-required', Item: { PK: item.PK, SK: codePointerSk(`req${round}`), code, createdAt: at() }, ConditionExpression: 'attribute_not_exists(PK)' }));
      await doc.send(new PutCommand({ TableName: 'pipe-required', Item: { PK: codePk(code), SK: CODE_SK, code, customerId: item.id, createdAt: at() }, ConditionExpression: 'attribute_not_exists(PK) OR customerId = :c', ExpressionAttributeValues: { ':c': item.id } }));
      await doc.send(new UpdateCommand({ TableName: 'pipe-required', Key: key, UpdateExpression: 'SET #s = :s', ConditionExpression: 'claimToken = :t', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'sending', ':t': 't' } }));
      const { MessageId } = await sendEmail(item);
      await doc.send(new UpdateCommand({ TableName: 'pipe-required', Key: key, UpdateExpression: 'SET #s = :s, messageId = :m', ConditionExpression: 'claimToken = :t', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'sent', ':m': MessageId, ':t': 't' } }));
      await doc.send(new UpdateCommand({ TableName: 'pipe-required', Key: { PK: item.PK, SK: PROFILE_SK }, UpdateExpression: 'SET lastAskAt = :a', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':a': at() } }));
    });
    const bareAsks = bare.asks;
    const bareMs = bare.ms;
    const bareCpu = bare.cpu;
    const workflowRate = workflowAsks / (workflowMs / 1000);
    const bareRate = bareAsks / (bareMs / 1000);
    const ddbPerAsk = Object.values(requests).reduce((a, b) => a + b, 0) / Math.max(workflowAsks, 1);
    const cpuMsPerAsk = (u: NodeJS.CpuUsage, asks: number) => (u.user + u.system) / 1000 / Math.max(asks, 1);
    const workflowCpuMs = cpuMsPerAsk(workflowCpu, workflowAsks);
    const bareCpuMs = cpuMsPerAsk(bareCpu, bareAsks);
    log(`pipeline: DynamoDB requests during the workflow run ${JSON.stringify(requests)} = ${ddbPerAsk.toFixed(1)} per ask (bare loop: 1 put per ask + 1 query per 100)`);
    const requiredRate = required.asks / (required.ms / 1000);
    const requiredCpuMs = cpuMsPerAsk(required.cpu, required.asks);
    log(`pipeline: workflow ${workflowAsks} asks in ${(workflowMs / 1000).toFixed(2)} s (${workflowRate.toFixed(0)}/s, ${JSON.stringify(Object.fromEntries(Object.entries(result.invocations).map(([k, v]) => [k, `${v.count}x ${Math.round(v.totalMs)} ms`])))}); bare ${bareAsks} asks in ${(bareMs / 1000).toFixed(2)} s (${bareRate.toFixed(0)}/s); CPU per ask: workflow ${workflowCpuMs.toFixed(2)} ms, bare ${bareCpuMs.toFixed(2)} ms; required-I/O loop ${required.asks} asks in ${(required.ms / 1000).toFixed(2)} s (${requiredRate.toFixed(0)}/s, ${requiredCpuMs.toFixed(2)} ms CPU per ask)`);
    return {
      ask_pipeline_ratio: round(workflowRate / bareRate, 3),
      pipeline_workflow_asks_per_s: round(workflowRate, 1),
      pipeline_bare_asks_per_s: round(bareRate, 1),
      pipeline_asks: workflowAsks,
      pipeline_ddb_requests_per_ask: round(ddbPerAsk, 2),
      // The same ratio in CPU time per ask (this process does all the work of both sides): steadier on a busy machine.
      pipeline_cpu_ms_per_ask_workflow: round(workflowCpuMs, 2),
      pipeline_cpu_ms_per_ask_bare: round(bareCpuMs, 2),
      pipeline_cpu_ratio: round(bareCpuMs / workflowCpuMs, 3),
      // Not the goal's definition: the workflow against a bare loop that also does the six writes the promises require
      // of a first ask (six conditional writes and a SendEmail). What is left is the workflow's own overhead.
      ask_pipeline_ratio_required_io: round(workflowRate / requiredRate, 3),
      pipeline_required_io_asks_per_s: round(requiredRate, 1),
      pipeline_cpu_ms_per_ask_required_io: round(requiredCpuMs, 2),
      // Wall-clock rates depend on what else the machine runs: its 1-minute load average at the end of the measure.
      pipeline_bench_load_average: round(loadavg()[0]!, 2),
    };
  } finally {
    doc.destroy();
    sesClient.destroy();
    await ses.stop();
    await dynamo.stop();
  }
}
