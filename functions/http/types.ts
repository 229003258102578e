// The HTTP contract shared by every page and webhook route: one router serves API Gateway (HTTP API, payload v2)
// in the cloud and node:http in the embedded runtime, so both run the very same route code.

/** Largest request body any route reads (bytes); larger bodies are answered 413 without being read further. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpRequest {
  method: string;
  /** Path without query string, e.g. "/s/abc". */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  /** The body decoded as UTF-8 (pages and forms). */
  body: string;
  /** The body's bytes exactly as received (webhook signatures are verified over these); absent when there is none. */
  rawBody?: Uint8Array;
  /** The body was larger than MAX_BODY_BYTES: nothing of it was kept (413). */
  oversized?: boolean;
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Set-Cookie values. */
  cookies?: string[];
  /** Text, or bytes (an image): API Gateway gets bytes base64-encoded with isBase64Encoded. */
  body?: string | Buffer;
}

/** Route params from the path pattern, e.g. {token: "..."} for "/s/:token". */
export type RouteParams = Record<string, string>;

export type RouteHandler<Deps> = (req: HttpRequest, params: RouteParams, deps: Deps) => Promise<HttpResponse>;

export interface Route<Deps> {
  method: 'GET' | 'POST';
  /** Pattern with :params, e.g. "/s/:token/to/:network". */
  pattern: string;
  handler: RouteHandler<Deps>;
}
