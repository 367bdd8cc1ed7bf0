/**
 * Routes of the status API and how a request finds one: a path pattern of literal segments and `:name`
 * parameters, GET only (HEAD is answered like GET without a body). More routes are mounted with the `routes`
 * option of `createStatusApi` (the scaler's `GET /v1/scaler`).
 */
import { StatusApiError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { Transport } from "../../transport/transport.ts";
import type { StatusStore } from "../status-store.ts";

/** What a route handler gets. */
export interface StatusRouteRequest {
  /** The `:name` segments of the pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  readonly store: StatusStore;
  readonly transports: readonly Transport[];
  readonly logger: Logger;
  /** The time the request is answered at (Unix ms), from the API's clock. */
  readonly now: number;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** What a route handler answers: a status and a JSON body. */
export interface StatusRouteResponse {
  /** @defaultValue 200 */
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One route. `handle` answers, or throws a `StatusApiError` (its status and code are answered) or a
 * `StatusStoreError` (503 for an unavailable store, 400 for an invalid query, 500 otherwise).
 */
export interface StatusRoute {
  /** `/v1/jobs/:id`: literal segments and `:name` parameters, matched segment by segment. */
  readonly path: string;
  handle(request: StatusRouteRequest): Promise<StatusRouteResponse>;
}

/** A route found for a path, with its parameters. */
export interface RouteMatch {
  readonly route: StatusRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** The first route whose pattern matches `path` (already split off its query string), or undefined. */
export function matchRoute(routes: readonly StatusRoute[], path: string): RouteMatch | undefined {
  const segments = path.split("/");
  for (const route of routes) {
    const params = matchPattern(route.path.split("/"), segments);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params[part.slice(1)] = decodeSegment(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** A percent-decoded path segment; malformed escapes (`%zz`, `%E0%A4`) are a 400, not an exception. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new StatusApiError("API_INVALID_PARAMETER", 400, "the path has a malformed percent-encoding");
  }
}

/** The route parameter `name`; a 400 naming it when it is missing or empty. */
export function requireParam(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") {
    throw new StatusApiError("API_INVALID_PARAMETER", 400, `missing ${name}`);
  }
  return value;
}
