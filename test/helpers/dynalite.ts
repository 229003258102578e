// Test helper: an in-memory dynalite on 127.0.0.1 (random port) and uniquely named tables with the real schema.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, ensureTable } from '../../adapters/dynamo/client.js';

const require = createRequire(import.meta.url);
// dynalite ships no types; this is the slice of its API we use.
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface RunningDynalite {
  endpoint: string;
  stop(): Promise<void>;
}

/** Start an in-memory dynalite; tables become ACTIVE at once. */
export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let counter = 0;

/** Create a table with a unique name (the full schema from adapters/dynamo/table-def.ts) and return its name. */
export async function freshTable(doc: DynamoDBDocumentClient, prefix = 'test'): Promise<string> {
  counter += 1;
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
  await ensureTable(doc, name);
  return name;
}

/** Convenience: a document client for a running dynalite. */
export function localDoc(endpoint: string): DynamoDBDocumentClient {
  return createDocumentClient({ endpoint });
}
