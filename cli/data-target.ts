// Where the data commands (import, seed, plan, review, rewards) read and write. With --target aws --stack <name>, the
// deployed table named by the stack's outputs. With --cloud or an explicit --endpoint,
// exactly there; otherwise the local engine of local/endpoints.ts (the same resolution as `npm start`: DYNAMO_PORT,
// DYNAMODB_ENDPOINT, the engine recorded for this checkout's data directory, then 8700): reused when `npm start`
// already runs it, started here on the same data directory when nothing answers, so `asks import` works on a fresh
// clone without a second terminal. A taken port or data directory is one line, never a stack trace.
import { connectDataTarget, createDocumentClient, LocalEngineDownError, type DataTarget } from '../adapters/dynamo/client.js';
import { CliError } from './output.js';
import { isAwsTarget, resolveStackOutputs, type AwsTargetOptions, type StackOutputs } from './target.js';

export interface OpenedTarget extends DataTarget {
  /** With --target aws: the deployed app's outputs (bus, secrets, API URL, state machine). */
  stack?: StackOutputs;
  /** Stops the local engine when this command started it (a no-op otherwise). */
  close(): Promise<void>;
}

export async function openDataTarget(options: { endpoint?: string; table?: string; cloud?: boolean } & AwsTargetOptions): Promise<OpenedTarget> {
  if (isAwsTarget(options)) {
    // The deployed table from the stack's outputs; endpoint, region and profile from the standard AWS settings.
    const stack = await resolveStackOutputs(options);
    const doc = createDocumentClient({});
    return { doc, tableName: stack.tableName, stack, close: async () => doc.destroy() };
  }
  if (options.cloud) {
    const target = await connectDataTarget(options);
    return { ...target, close: async () => target.doc.destroy() };
  }
  if (options.endpoint) {
    try {
      const target = await connectDataTarget(options);
      return { ...target, close: async () => target.doc.destroy() };
    } catch (error) {
      if (error instanceof LocalEngineDownError) throw new CliError(error.message);
      throw error;
    }
  }
  const { resolveLocalEndpoints, LocalEndpointError } = await import('../local/endpoints.js');
  const { openLocalDynamo } = await import('../local/servers.js');
  try {
    const endpoints = resolveLocalEndpoints(options.table ? { tableName: options.table } : {});
    const engine = await openLocalDynamo(endpoints);
    const target = await connectDataTarget({ endpoint: engine.url, table: endpoints.tableName });
    if (engine.reused) return { ...target, close: async () => target.doc.destroy() };
    return {
      ...target,
      close: async () => {
        target.doc.destroy();
        await engine.stop();
      },
    };
  } catch (error) {
    if (error instanceof LocalEndpointError) throw new CliError(error.message);
    if (error instanceof LocalEngineDownError) throw new CliError(error.message);
    throw error;
  }
}
