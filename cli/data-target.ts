// Where the data commands (import, seed, plan, review) read and write. With --cloud or an explicit --endpoint, exactly
// there; otherwise the local engine: reused when `npm start` already runs it, started here on the same data directory
// (.local/dynamo) when nothing answers, so `asks import` works on a fresh clone without a second terminal.
import { connectDataTarget, LOCAL_DEFAULTS, LocalEngineDownError, type DataTarget } from '../adapters/dynamo/client.js';
import { CliError } from './output.js';

export interface OpenedTarget extends DataTarget {
  /** Stops the local engine when this command started it (a no-op otherwise). */
  close(): Promise<void>;
}

export async function openDataTarget(options: { endpoint?: string; table?: string; cloud?: boolean }): Promise<OpenedTarget> {
  try {
    const target = await connectDataTarget(options);
    return { ...target, close: async () => target.doc.destroy() };
  } catch (error) {
    if (!(error instanceof LocalEngineDownError)) throw error;
    const defaultEndpoint = process.env.DYNAMODB_ENDPOINT || LOCAL_DEFAULTS.endpoint;
    if (options.endpoint && options.endpoint !== defaultEndpoint) throw new CliError(error.message);
    const { startDynamo } = await import('../local/servers.js');
    const port = Number(new URL(defaultEndpoint).port || 80);
    const engine = await startDynamo({ port });
    const target = await connectDataTarget({ ...options, endpoint: engine.url });
    return {
      ...target,
      close: async () => {
        target.doc.destroy();
        await engine.stop();
      },
    };
  }
}
