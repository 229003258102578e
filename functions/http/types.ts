// The HTTP contract shared by every page and webhook route: one router serves API Gateway (HTTP API, payload v2)
// in the cloud and node:http in the embedded runtime, so both run the very same route code.

export interface HttpRequest {
  method: string;
  /** Path without query string, e.g. "/s/abc". */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  /** Raw body as received (needed for webhook signatures). */
  body: string;
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Set-Cookie values. */
  cookies?: string[];
  body?: string;
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
