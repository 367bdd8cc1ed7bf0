/**
 * The status API: a `node:http` request handler answering JSON about jobs, workers and queues from a status
 * store. It never throws and never lets a request crash the process: every failure is a JSON error response, and
 * failures of the store or the handler are logged, never sent (no stacks or driver messages leave the process).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConfigError, StatusApiError, StatusStoreError, ThriftQueueError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import type { Transport } from "../../transport/transport.ts";
import type { StatusStore } from "../status-store.ts";
import { builtInRoutes } from "./status-routes.ts";
import { matchRoute, type StatusRoute, type StatusRouteResponse } from "./status-route.ts";
import { withinTime } from "./within-time.ts";

/** Options of {@link createStatusApi}. */
export interface StatusApiOptions {
  /** Where jobs and workers are read. The API never closes it. */
  readonly store: StatusStore;
  /** Queues reported by `GET /v1/queues`. The API never closes them. @defaultValue [] */
  readonly transports?: readonly Transport[];
  /** More routes (the scaler's `GET /v1/scaler`); matched after the built-in ones. @defaultValue [] */
  readonly routes?: readonly StatusRoute[];
  /** Where store failures and handler errors are logged. @defaultValue silentLogger */
  readonly logger?: Logger;
  /** A worker last seen longer ago than this is stale (three missed 5 s heartbeats). @defaultValue 15000 */
  readonly staleAfterMs?: number;
  /** A store call taking longer is answered 503 `STORE_UNAVAILABLE`. @defaultValue 5000 */
  readonly storeTimeoutMs?: number;
  /** A transport's `stats()` taking longer gives that queue an error entry. @defaultValue 5000 */
  readonly statsTimeoutMs?: number;
  /** Seconds in the `Retry-After` header of a 503. @defaultValue 5 */
  readonly retryAfterSeconds?: number;
  /** The clock workers' staleness is measured with. @defaultValue Date.now */
  readonly now?: () => number;
}

/** A `node:http` request handler (also usable with `http.createServer` or a framework's raw handler slot). */
export type StatusApiHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Longest request target (path and query) answered; longer is 414. */
const MAX_TARGET_LENGTH = 8192;
const ALLOW = "GET, HEAD";
const JSON_TYPE = "application/json; charset=utf-8";

/** Creates the status API's request handler. Throws ConfigError naming every bad option at once. */
export function createStatusApi(options: StatusApiOptions): StatusApiHandler {
  const settings = resolvedSettings(options);
  const storeTimeoutError = (): StatusStoreError =>
    new StatusStoreError("STORE_UNAVAILABLE", `the status store did not answer within ${settings.storeTimeoutMs} ms`, {
      retryable: true,
    });
  const routes = [
    ...builtInRoutes({
      staleAfterMs: settings.staleAfterMs,
      statsTimeoutMs: settings.statsTimeoutMs,
      withinStoreTimeout: (call) => withinTime(call, settings.storeTimeoutMs, storeTimeoutError),
    }),
    ...(options.routes ?? []),
  ];
  return (request, response) => {
    answer(request, response, routes, options, settings)
      .then((reply) => send(request, response, reply, settings.logger))
      // `answer` and `send` map every error to a response; this guards against a failure of the socket itself.
      .catch((error: unknown) => {
        settings.logger.error({ err: error }, "status API could not answer a request");
        response.destroy();
      });
  };
}

type Settings = Required<Pick<StatusApiOptions, "logger" | "staleAfterMs" | "storeTimeoutMs" | "statsTimeoutMs">> & {
  readonly retryAfterSeconds: number;
  readonly now: () => number;
};

function resolvedSettings(options: StatusApiOptions): Settings {
  const problems: string[] = [];
  if (typeof options.store !== "object" || options.store === null) problems.push("store is required");
  for (const name of ["staleAfterMs", "storeTimeoutMs", "statsTimeoutMs", "retryAfterSeconds"] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      problems.push(`${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
  }
  if (problems.length > 0)
    throw new ConfigError("CONFIG_INVALID", `invalid status API options: ${problems.join("; ")}`);
  return {
    logger: options.logger ?? silentLogger,
    staleAfterMs: options.staleAfterMs ?? 15_000,
    storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
    statsTimeoutMs: options.statsTimeoutMs ?? 5_000,
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    now: options.now ?? Date.now,
  };
}

/** The response to one request; never rejects for anything the request or the store does. */
async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  routes: readonly StatusRoute[],
  options: StatusApiOptions,
  settings: Settings,
): Promise<StatusRouteResponse> {
  try {
    if ((request.url ?? "").length > MAX_TARGET_LENGTH) {
      throw new StatusApiError(
        "API_URI_TOO_LONG",
        414,
        `the request target is longer than ${MAX_TARGET_LENGTH} characters`,
      );
    }
    const target = originForm(request.url ?? "/");
    const queryStart = target.indexOf("?");
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1));
    const match = matchRoute(routes, path);
    if (match === undefined) throw new StatusApiError("API_NOT_FOUND", 404, "no such route");
    if (request.method !== "GET" && request.method !== "HEAD") {
      const error = new StatusApiError("API_METHOD_NOT_ALLOWED", 405, `use ${ALLOW}`);
      return { ...errorResponse(error), headers: { allow: ALLOW } };
    }
    const controller = new AbortController();
    response.once("close", () => {
      if (!response.writableEnded) controller.abort();
    });
    return await match.route.handle({
      params: match.params,
      query,
      store: options.store,
      transports: options.transports ?? [],
      logger: settings.logger,
      now: settings.now(),
      signal: controller.signal,
    });
  } catch (error) {
    return failureResponse(error, request, settings);
  }
}

/** The path and query of a request target; the absolute form (`http://host/path`, for proxies) loses its origin. */
function originForm(target: string): string {
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute === null) return target;
  const rest = target.slice(absolute[0].length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/** An error as a response: the API's own with their status, the store's mapped, anything else a logged 500. */
function failureResponse(error: unknown, request: IncomingMessage, settings: Settings): StatusRouteResponse {
  if (error instanceof StatusApiError) return errorResponse(error);
  const context = { err: error, method: request.method, path: pathForLog(request.url) };
  if (error instanceof StatusStoreError) {
    if (error.code === "STORE_INVALID_QUERY") return errorResponse(error, 400);
    if (error.code === "STORE_UNAVAILABLE" || error.code === "STORE_CLOSED") {
      settings.logger.warn(context, "status store unavailable");
      const headers: Record<string, string> =
        error.code === "STORE_UNAVAILABLE" ? { "retry-after": String(settings.retryAfterSeconds) } : {};
      return { status: 503, body: errorBody(error.code, "the status store is unavailable"), headers };
    }
  }
  settings.logger.error(context, "status API request failed");
  const code = error instanceof ThriftQueueError ? error.code : "API_INTERNAL";
  return { status: 500, body: errorBody(code, "internal error; see the server log") };
}

function errorResponse(error: ThriftQueueError & { readonly status?: number }, status?: number): StatusRouteResponse {
  return { status: status ?? error.status ?? 500, body: errorBody(error.code, error.message) };
}

/** The body of every error response. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** The path without its query string (which may carry anything), shortened for a log line. */
function pathForLog(target: string | undefined): string {
  const path = (target ?? "").split("?")[0] ?? "";
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function send(request: IncomingMessage, response: ServerResponse, reply: StatusRouteResponse, logger: Logger): void {
  if (response.headersSent || response.destroyed) return;
  let status = reply.status ?? 200;
  let headers = reply.headers;
  let body: string;
  try {
    body = JSON.stringify(reply.body) ?? "null";
  } catch (error) {
    // A mounted route answered something JSON cannot hold (a BigInt, a cycle).
    logger.error({ err: error, path: pathForLog(request.url) }, "status API response is not JSON");
    status = 500;
    headers = {};
    body = JSON.stringify(errorBody("API_INTERNAL", "internal error; see the server log"));
  }
  response.writeHead(status, {
    ...headers,
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}
