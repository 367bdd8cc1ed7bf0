/** The status API's error paths: bad parameters, unknown routes and methods, failing stores and transports. */
import { describe, expect, it } from "vitest";
import { createStatusApi, MemoryTransport, StatusStoreError, type QueueStats, type Transport } from "thrift-queue";
import { freshStore, never, recordingLogger, request, serve, storeWith } from "./api-harness.ts";

describe("400 for bad parameters, naming the parameter", () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ["/v1/jobs?state=bogus", "API_INVALID_PARAMETER", /^state must be one of queued, running, .* got "bogus"$/],
    ["/v1/jobs?limit=0", "API_INVALID_PARAMETER", /^limit must be a whole number from 1 to 1000, got "0"$/],
    ["/v1/jobs?limit=1001", "API_INVALID_PARAMETER", /^limit .* got "1001"$/],
    ["/v1/jobs?limit=1.5", "API_INVALID_PARAMETER", /^limit /],
    ["/v1/jobs?limit=", "API_INVALID_PARAMETER", /^limit /],
    ["/v1/jobs?limit=-3", "API_INVALID_PARAMETER", /^limit /],
    ["/v1/jobs?limit=99999999999999999999", "API_INVALID_PARAMETER", /^limit /],
    ["/v1/jobs?since=yesterday", "API_INVALID_PARAMETER", /^since must be an RFC 3339 time or Unix milliseconds/],
    ["/v1/jobs?since=2026-13-45T99:00:00Z", "API_INVALID_PARAMETER", /^since /],
    ["/v1/jobs?since=2026-01-02", "API_INVALID_PARAMETER", /^since /],
    ["/v1/jobs?since=2026-02-30T00:00:00Z", "API_INVALID_PARAMETER", /^since .* got "2026-02-30T00:00:00Z"$/],
    ["/v1/jobs?since=2026-01-01T24:00:00Z", "API_INVALID_PARAMETER", /^since /],
    ["/v1/jobs?since=2026-01-01T00:00:00%2B24:00", "API_INVALID_PARAMETER", /^since /],
    ["/v1/jobs?since=1e3", "API_INVALID_PARAMETER", /^since /],
    ["/v1/jobs?cursor=garbage!!", "STORE_INVALID_QUERY", /cursor/],
    ["/v1/jobs?cursor=Z2FyYmFnZQ", "STORE_INVALID_QUERY", /cursor/],
    ["/v1/jobs?cursor=", "API_INVALID_PARAMETER", /^cursor must not be empty$/],
    ["/v1/jobs?service=", "API_INVALID_PARAMETER", /^service must not be empty$/],
    [`/v1/jobs?method=${"m".repeat(3000)}`, "API_INVALID_PARAMETER", /^method is longer than 2048 characters$/],
    ["/v1/jobs?stat=running", "API_INVALID_PARAMETER", /^unknown parameter "stat"; use state, service, method/],
    ["/v1/jobs?state=running&state=queued", "API_INVALID_PARAMETER", /^parameter state is given more than once$/],
    ["/v1/counts?state=running", "API_INVALID_PARAMETER", /^unknown parameter "state"; use service, method$/],
    ["/v1/jobs/x?verbose=1", "API_INVALID_PARAMETER", /^unknown parameter "verbose"; none are accepted$/],
    ["/v1/workers?x", "API_INVALID_PARAMETER", /^unknown parameter "x"/],
    ["/healthz?deep=1", "API_INVALID_PARAMETER", /^unknown parameter "deep"/],
    ["/v1/jobs/%E0%A4%A", "API_INVALID_PARAMETER", /^the path has a malformed percent-encoding$/],
    ["/v1/jobs/%zz", "API_INVALID_PARAMETER", /percent-encoding/],
  ];
  it.each(cases)("%s", async (path, code, message) => {
    const server = await serve({ store: freshStore() });
    const response = await request(server, path);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.body).toEqual({ error: { code, message: expect.stringMatching(message) as unknown } });
  });
});

describe("404 and 405", () => {
  it("answers 404 for unknown paths, trailing slashes and the bare jobs id slot", async () => {
    const server = await serve({ store: freshStore() });
    for (const path of ["/", "/v1", "/v1/jobs/", "/v1/jobs/a/b", "/v2/jobs", "/healthz/", "/V1/JOBS", "/v1/scaler"]) {
      const response = await request(server, path);
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 404,
        body: { error: { code: "API_NOT_FOUND", message: "no such route" } },
      });
    }
  });

  it("answers 405 with Allow for other methods on a known route", async () => {
    const server = await serve({ store: freshStore() });
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const response = await request(server, "/v1/jobs", { method, body: method === "OPTIONS" ? null : "{}" });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
      expect(response.body).toEqual({ error: { code: "API_METHOD_NOT_ALLOWED", message: "use GET, HEAD" } });
    }
  });
});

describe("store failures", () => {
  it("answer 503 with Retry-After for STORE_UNAVAILABLE, logged, without the store's message", async () => {
    const logger = recordingLogger();
    const down = new StatusStoreError("STORE_UNAVAILABLE", "connect ECONNREFUSED db.internal:5432", {
      retryable: true,
    });
    const store = storeWith(freshStore(), {
      get: () => Promise.reject(down),
      list: () => Promise.reject(down),
      counts: () => Promise.reject(down),
      workers: () => Promise.reject(down),
    });
    const server = await serve({ store, logger, retryAfterSeconds: 7 });
    for (const path of ["/healthz", "/v1/jobs/x", "/v1/jobs", "/v1/counts", "/v1/workers"]) {
      const response = await request(server, path);
      expect({ path, status: response.status, retryAfter: response.headers.get("retry-after") }).toEqual({
        path,
        status: 503,
        retryAfter: "7",
      });
      expect(response.body).toEqual({
        error: { code: "STORE_UNAVAILABLE", message: "the status store is unavailable" },
      });
    }
    expect(logger.entries.filter((entry) => entry.level === "warn")).toHaveLength(5);
    expect(logger.entries[0]?.context).toMatchObject({ err: down, method: "GET", path: "/healthz" });
  });

  it("answer 503 when the store does not answer within storeTimeoutMs", async () => {
    const store = storeWith(freshStore(), { get: () => never() });
    const server = await serve({ store, storeTimeoutMs: 50 });
    const response = await request(server, "/healthz");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.body).toMatchObject({ error: { code: "STORE_UNAVAILABLE" } });
  });

  it("answer 503 without Retry-After once the store is closed", async () => {
    const store = freshStore();
    await store.close();
    const server = await serve({ store });
    const response = await request(server, "/healthz");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBeNull();
    expect(response.body).toMatchObject({ error: { code: "STORE_CLOSED" } });
  });

  it("answer 500 for anything else, logged with the error, leaking neither message nor stack", async () => {
    const logger = recordingLogger();
    const secret = new Error("password=hunter2 at /srv/secret/file.ts:12");
    const store = storeWith(freshStore(), {
      get: () => Promise.reject(secret),
      list: () => {
        throw new StatusStoreError("STORE_INVALID_RECORD", "row 7 of db.internal is corrupt");
      },
    });
    const server = await serve({ store, logger });
    const plain = await request(server, "/v1/jobs/x");
    expect(plain.status).toBe(500);
    expect(plain.body).toEqual({ error: { code: "API_INTERNAL", message: "internal error; see the server log" } });
    const typed = await request(server, "/v1/jobs");
    expect(typed.status).toBe(500);
    expect(typed.body).toEqual({
      error: { code: "STORE_INVALID_RECORD", message: "internal error; see the server log" },
    });
    expect(logger.entries.map((entry) => [entry.level, entry.context.err])).toEqual([
      ["error", secret],
      ["error", expect.objectContaining({ code: "STORE_INVALID_RECORD" })],
    ]);
  });
});

/** A transport whose stats are replaced. */
function transportWithStats(queue: string, stats: () => Promise<QueueStats>): Transport {
  const transport = new MemoryTransport({ queue });
  return new Proxy(transport, {
    get: (target, property, receiver) =>
      property === "stats" ? stats : (Reflect.get(target, property, receiver) as unknown),
  });
}

describe("GET /v1/queues with failing transports", () => {
  it("gives a failing or hung queue an error entry and still reports the others", async () => {
    const logger = recordingLogger();
    const good = new MemoryTransport({ queue: `api-good-${Math.random()}` });
    const failing = transportWithStats("failing", () => Promise.reject(new Error("amqp://guest:secret@mq down")));
    const throwing = transportWithStats("throwing", () => {
      throw new TypeError("not a promise");
    });
    const hung = transportWithStats("hung", () => never());
    try {
      const server = await serve({
        store: freshStore(),
        transports: [good, failing, throwing, hung],
        logger,
        statsTimeoutMs: 50,
      });
      const response = await request(server, "/v1/queues");
      expect(response.status).toBe(200);
      const queues = (response.body as { queues: Record<string, unknown>[] }).queues;
      expect(queues.map((queue) => [queue.queue, queue.error])).toEqual([
        [good.queue, null],
        ["failing", { code: "STATS_FAILED", message: "the queue's stats could not be read" }],
        ["throwing", { code: "STATS_FAILED", message: "the queue's stats could not be read" }],
        ["hung", { code: "TRANSPORT_UNAVAILABLE", message: "stats did not answer within 50 ms" }],
      ]);
      expect(queues[1]).toMatchObject({ kind: "memory", stats: null, capabilities: { depth: true } });
      expect(JSON.stringify(response.body)).not.toContain("secret");
      expect(logger.entries.filter((entry) => entry.level === "warn")).toHaveLength(3);
    } finally {
      await good.close({ drainTimeoutMs: 0 });
    }
  });
});

describe("mounted routes that fail", () => {
  it("answer 500 for a thrown error or a body JSON cannot hold, their own status for a StatusApiError", async () => {
    const logger = recordingLogger();
    const server = await serve({
      store: freshStore(),
      logger,
      routes: [
        { path: "/boom", handle: () => Promise.reject(new Error("secret detail")) },
        { path: "/bigint", handle: () => Promise.resolve({ body: { n: 1n } }) },
        { path: "/bad-header", handle: () => Promise.resolve({ body: {}, headers: { "x-a": "a\r\nb" } }) },
      ],
    });
    const boom = await request(server, "/boom");
    expect(boom).toMatchObject({ status: 500, body: { error: { code: "API_INTERNAL" } } });
    expect(JSON.stringify(boom.body)).not.toContain("secret");
    expect(await request(server, "/bigint")).toMatchObject({ status: 500, body: { error: { code: "API_INTERNAL" } } });
    await expect(request(server, "/bad-header")).rejects.toThrow();
    expect((await request(server, "/healthz")).status).toBe(200);
    expect(logger.entries.map((entry) => entry.level)).toEqual(["error", "error", "error"]);
  });
});

describe("options", () => {
  it("are checked at once, every bad field named", () => {
    expect(() =>
      createStatusApi({ store: freshStore(), staleAfterMs: 0, storeTimeoutMs: 1.5, retryAfterSeconds: -1 }),
    ).toThrow(
      /^invalid status API options: staleAfterMs must be a whole number ≥ 1, got 0; storeTimeoutMs .* got 1\.5; retryAfterSeconds .* got -1$/,
    );
  });
});
