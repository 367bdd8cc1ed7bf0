/**
 * The web tier (GrepTheWeb's "launch controller"): a `node:http` JSON API.
 *
 *   POST /v1/searches       {"pattern","flags","documentSet","documentsPerChunk"} → 202 {searchId, jobs, statusUrl}
 *   GET  /v1/searches/:id   ?offset=&limit= → chunk states and progress; merged results once every chunk succeeded
 *
 * Bad input is 400, an unknown search 404, a wrong method 405, a big body 413, a non-JSON body 415. No request
 * can crash the process: every failure is a JSON error, and unexpected ones are logged, never sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorBody, silentLogger, type Logger, type Receipt, type StatusStore } from "thrift-queue";
import type { BlobStore } from "./blob-store.ts";
import type { GrepTheWebClient } from "./gen/grep.ts";
import { GrepError } from "./grep-error.ts";
import { parseSearchRequest } from "./search-request.ts";
import { readManifest, SEARCH_ID } from "./search-manifest.ts";
import { searchStatus } from "./search-status.ts";
import { submitSearch } from "./search-submission.ts";

/** Options of {@link createWebTier}. */
export interface WebTierOptions {
  readonly blobs: BlobStore;
  /** Where chunk states are read. */
  readonly store: StatusStore;
  /** The generated client over a producer that records `queued` in `store`. */
  readonly client: GrepTheWebClient<Receipt>;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
  /** Largest request body, in bytes. @defaultValue 16384 */
  readonly maxBodyBytes?: number;
  /** Most documents one search may cover. @defaultValue 10000 */
  readonly maxDocuments?: number;
  /** Matches each chunk keeps (the rest are counted). @defaultValue 10000 */
  readonly maxMatchesPerChunk?: number;
  /** Time budget of one document on a worker, in ms. @defaultValue 2000 */
  readonly documentBudgetMs?: number;
  /** Base of `statusUrl` in answers (the server's own URL). @defaultValue "" (a relative URL) */
  readonly baseUrl?: string;
}

/** A `node:http` request handler. */
export type WebTierHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** An error answer. */
class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const MAX_RESULT_PAGE = 10_000;

/** Creates the web tier's request handler. */
export function createWebTier(options: WebTierOptions): WebTierHandler {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const submission = {
    blobs: options.blobs,
    client: options.client,
    maxDocuments: options.maxDocuments ?? 10_000,
    limits: { maxMatches: options.maxMatchesPerChunk ?? 10_000, documentBudgetMs: options.documentBudgetMs ?? 2000 },
  };

  async function route(request: IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> {
    if (url.pathname === "/v1/searches") {
      if (request.method !== "POST") throw new HttpProblem(405, "METHOD_NOT_ALLOWED", "use POST", { allow: "POST" });
      const parsed = parseSearchRequest(await readJsonBody(request, maxBodyBytes));
      if (!parsed.ok) throw new HttpProblem(400, "INVALID_REQUEST", parsed.problems.join("; "));
      const accepted = await submitSearch(submission, parsed.request);
      const statusUrl = `${options.baseUrl ?? ""}/v1/searches/${accepted.searchId}`;
      return { status: 202, body: { ...accepted, statusUrl } };
    }
    const match = /^\/v1\/searches\/([^/]+)$/.exec(url.pathname);
    if (!match) throw new HttpProblem(404, "NOT_FOUND", "no such route");
    if (request.method !== "GET" && request.method !== "HEAD") {
      throw new HttpProblem(405, "METHOD_NOT_ALLOWED", "use GET", { allow: "GET, HEAD" });
    }
    const searchId = safeDecode(match[1] ?? "");
    if (!SEARCH_ID.test(searchId)) throw new HttpProblem(400, "INVALID_SEARCH_ID", "a search id is a UUID");
    const page = {
      offset: pageParam(url, "offset", 0, Infinity),
      limit: pageParam(url, "limit", 100, MAX_RESULT_PAGE),
    };
    const manifest = await readManifest(options.blobs, searchId);
    if (!manifest) throw new HttpProblem(404, "SEARCH_NOT_FOUND", `no search ${searchId}`);
    return { status: 200, body: await searchStatus(manifest, options.store, options.blobs, page) };
  }

  return (request, response) => {
    const url = URL.parse(request.url ?? "/", "http://web-tier.invalid") ?? new URL("http://web-tier.invalid/");
    route(request, url).then(
      ({ status, body }) => send(response, status, body, request.method === "HEAD"),
      (error: unknown) => {
        const problem = toProblem(error);
        if (problem.status >= 500) logger.error({ err: error, path: url.pathname }, "web tier request failed");
        send(response, problem.status, errorBody(problem.code, problem.message), false, problem.headers);
        // A refused upload may still be arriving: stop reading it.
        if (!request.complete) request.destroy();
      },
    );
  };
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof GrepError) {
    if (error.code === "GREP_UNKNOWN_DOCUMENT_SET") return new HttpProblem(404, error.code, error.message);
    if (error.code === "GREP_INVALID_REQUEST") return new HttpProblem(400, error.code, error.message);
  }
  return new HttpProblem(503, "UNAVAILABLE", "the search could not be served now; try again", { "retry-after": "5" });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return "";
  }
}

function pageParam(url: URL, name: string, fallback: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text) || value > max) {
    throw new HttpProblem(400, "INVALID_PARAMETER", `${name} must be a whole number from 0 to ${max}`);
  }
  return value;
}

/** Reads and parses a JSON body of at most `maxBytes`. */
async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send the search as application/json");
  }
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > maxBytes) throw new HttpProblem(413, "BODY_TOO_LARGE", `the body is limited to ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpProblem(413, "BODY_TOO_LARGE", `the body is limited to ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks))) as unknown;
  } catch {
    throw new HttpProblem(400, "INVALID_JSON", "the body is not valid UTF-8 JSON");
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headOnly: boolean,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  response.end(headOnly ? undefined : text);
}

/** A listening web tier. */
export interface WebTierServer {
  /** e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes connections (idle at once, busy after 5 s). Idempotent. */
  close(): Promise<void>;
}

/** Starts the web tier on `host:port` (0 picks a free port). */
export async function startWebTier(
  options: Omit<WebTierOptions, "baseUrl"> & { readonly port?: number; readonly host?: string },
): Promise<WebTierServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host}:${port}`;
  // Attached in the same turn as the listen callback, so no request arrives before it; it needs the bound port.
  server.on("request", createWebTier({ ...options, baseUrl }));
  let closing: Promise<void> | undefined;
  return { url: baseUrl, port, close: () => (closing ??= closeServer(server)) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), 5000);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
