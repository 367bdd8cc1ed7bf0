/** The status API on an ephemeral port for tests, a store seeded with known jobs, raw requests and failing stores. */
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { afterEach } from "vitest";
import {
  MemoryStatusStore,
  startStatusServer,
  type JobRecord,
  type Logger,
  type StatusServer,
  type StatusServerOptions,
  type StatusStore,
} from "thrift-queue";

/** A log line the API wrote. */
export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly context: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A logger that keeps what it is given. */
export function recordingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const method =
    (level: LogEntry["level"]) =>
    (context: object, message?: string): void => {
      entries.push({ level, context: context as Record<string, unknown>, message });
    };
  return { entries, debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Starts the API on 127.0.0.1 and a free port; closed after each test. */
export async function serve(options: StatusServerOptions): Promise<StatusServer> {
  const server = await startStatusServer({ port: 0, ...options });
  servers.push(server);
  return server;
}

/** A response: status, headers and the body parsed as JSON (undefined when empty). */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Sends a request and parses the JSON body. */
export async function request(server: StatusServer, path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

/** Sends `head` as it is over a socket (no URL normalisation) and returns the whole raw response. */
export function rawRequest(server: StatusServer, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
    socket.write(head, "latin1");
  });
}

/** The status code of a raw HTTP response. */
export function rawStatus(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
}

/** The JSON body of a raw HTTP response (Content-Length framed). */
export function rawBody(response: string): unknown {
  const start = response.indexOf("\r\n\r\n");
  return JSON.parse(Buffer.from(response.slice(start + 4), "latin1").toString("utf8"));
}

/** A fresh memory store of its own. */
export function freshStore(): MemoryStatusStore {
  return new MemoryStatusStore(`status-api-${randomUUID()}`);
}

/** Seeds a job that ran once and succeeded with a result, and returns its record. */
export async function succeededJob(store: StatusStore, id: string, at = 1_767_323_045_000): Promise<JobRecord> {
  await store.enqueued([{ id, service: "Thumbnails", method: "render", queue: "thumbnails", enqueuedAt: at }]);
  await store.transition({ id, to: "running", attempt: 1, at: at + 1000, workerId: "worker-1" });
  await store.progress({ id, attempt: 1, percent: 50, message: "half way", at: at + 1500 });
  const result = new Uint8Array([0x0b, 0x00, 0x00, 0x00]);
  const outcome = await store.transition({ id, to: "succeeded", attempt: 1, at: at + 2000, result });
  return outcome.record!;
}

/** `store` with some methods replaced (the others still reach the store). */
export function storeWith(store: StatusStore, overrides: Partial<StatusStore>): StatusStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof StatusStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A promise that never settles (a hung store or broker). */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
