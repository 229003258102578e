// Lambda entry for the HTTP API (API Gateway HTTP API, payload format 2.0): event -> HttpRequest, route, response.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parse as parseCookies } from 'cookie';
import { httpDepsFromEnv } from './deps.js';
import { handleHttp } from './handle.js';
import { MAX_BODY_BYTES, type HttpRequest, type HttpResponse } from './types.js';
import { inFunction } from '../../adapters/aws-clients.js';
import { FUNCTION_ID } from '../ids.js';

const logger = new Logger({ serviceName: 'referral-asks' });

export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const cookies = parseCookies((event.cookies ?? []).join('; ')) as Record<string, string>;
  const raw = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  const oversized = raw !== undefined && raw.length > MAX_BODY_BYTES;
  const body = raw === undefined || oversized ? '' : event.isBase64Encoded ? raw.toString('utf8') : event.body!;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  return { method: event.requestContext.http.method, path: event.rawPath, query, headers, cookies, body, ...(raw && !oversized ? { rawBody: raw } : {}), ...(oversized ? { oversized } : {}), sourceIp: event.requestContext.http.sourceIp };
}

// Attributed to Api from the start: the deps read the secrets (adapters/aws-clients.ts records the calls in tests).
export const handler = inFunction(FUNCTION_ID.Api, async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const deps = await httpDepsFromEnv();
  const res = await handleHttp(toHttpRequest(event), deps, (error) => logger.error('route failed', { error: error as Error, path: event.rawPath }));
  return toGatewayResult(res);
});

/** HttpResponse -> API Gateway (payload 2.0) result; bytes (an image) go base64-encoded with isBase64Encoded. */
export function toGatewayResult(res: HttpResponse): APIGatewayProxyStructuredResultV2 {
  const base = { statusCode: res.status, headers: res.headers ?? {}, ...(res.cookies ? { cookies: res.cookies } : {}) };
  return Buffer.isBuffer(res.body) ? { ...base, body: res.body.toString('base64'), isBase64Encoded: true } : { ...base, body: res.body ?? '' };
}
