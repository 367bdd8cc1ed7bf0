/**
 * The web tier's HTTP API on a real `node:http` server, over the memory transport and store and a folder blob
 * store: 202/400/404/405/413/415 paths, hostile input, and a whole search run by an in-process worker.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProducer, MemoryStatusStore, MemoryTransport, Worker, type StatusStore } from "thrift-queue";
import { FolderBlobStore } from "../../examples/grep/folder-blob-store.ts";
import { createGrepTheWebClient, GrepTheWeb } from "../../examples/grep/gen/grep.ts";
import { createGrepHandler } from "../../examples/grep/grep-handler.ts";
import { linePattern, matchDocument } from "../../examples/grep/matcher.ts";
import type { SearchStatus } from "../../examples/grep/search-status.ts";
import { startWebTier, type WebTierServer } from "../../examples/grep/web-tier.ts";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

const DOCUMENTS: Record<string, string> = {
  "a.log": "GET /one 200\nPOST /cart 500\nGET /two 200\n",
  "b.log": "POST /cart 200\n",
  "c.log": "get /three 503\nPOST /cart 502\n",
};

let folder: string;
let blobs: FolderBlobStore;
let store: StatusStore;
let transport: MemoryTransport;
let web: WebTierServer;
let queues = 0;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "grep-web-"));
  blobs = new FolderBlobStore(folder);
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    await blobs.put(`documents/small/${name}`, new TextEncoder().encode(text));
  }
  store = new MemoryStatusStore();
  transport = new MemoryTransport({ queue: `grep-${++queues}` });
  const client = createGrepTheWebClient(createProducer({ transport, store }));
  web = await startWebTier({ blobs, store, client, maxBodyBytes: 1024 });
});

afterEach(async () => {
  await web.close();
  await transport.close();
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: string | Buffer, type = "application/json"): Promise<Answer> {
  const response = await fetch(`${web.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": type },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text, and the assertions say so
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed };
}

/** Sends a raw request line (targets fetch would refuse) and returns the status line. */
function rawStatusLine(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(web.port, "127.0.0.1", () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let data = "";
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(data.split("\r\n")[0] ?? ""));
  });
}

const post = (body: unknown): Promise<Answer> => call("POST", "/v1/searches", JSON.stringify(body));

function errorCode(answer: Answer): string | undefined {
  return (answer.body as { error?: { code?: string } }).error?.code;
}

describe("POST /v1/searches", () => {
  it("answers 202 with one job per chunk, each recorded queued and on the queue", async () => {
    const answer = await post({ pattern: "cart", documentSet: "small", documentsPerChunk: 2 });
    expect(answer.status).toBe(202);
    const body = answer.body as { searchId: string; jobs: { chunkIndex: number; jobId: string }[]; statusUrl: string };
    expect(body.jobs.map((job) => job.chunkIndex)).toEqual([0, 1]);
    expect(body.statusUrl).toBe(`${web.url}/v1/searches/${body.searchId}`);
    for (const job of body.jobs) expect((await store.get(job.jobId))?.state).toBe("queued");
    expect((await transport.stats()).visible).toBe(2);
    const status = await call("GET", `/v1/searches/${body.searchId}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ state: "queued", progress: 0, pattern: "cart", documentSet: "small" });
  });

  it.each([
    [{ pattern: "(" }, "INVALID_REQUEST", "does not compile"],
    [{ pattern: "(x+x+)+y" }, "INVALID_REQUEST", "refused"],
    [{ pattern: "x", flags: "g" }, "INVALID_REQUEST", "flags"],
    [{ pattern: "x", documentSet: "../../etc" }, "INVALID_REQUEST", "documentSet"],
    [{ pattern: "x", documentSet: "missing" }, "GREP_UNKNOWN_DOCUMENT_SET", "no documents"],
    [[], "INVALID_REQUEST", "JSON object"],
  ])("refuses %j", async (body, code, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(code === "GREP_UNKNOWN_DOCUMENT_SET" ? 404 : 400);
    expect(errorCode(answer)).toBe(code);
    expect(JSON.stringify(answer.body)).toContain(message);
    expect((await transport.stats()).visible).toBe(0);
  });

  it("refuses bad JSON, bad UTF-8, other media types and big bodies", async () => {
    expect(errorCode(await call("POST", "/v1/searches", "{not json"))).toBe("INVALID_JSON");
    expect(errorCode(await call("POST", "/v1/searches", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe("INVALID_JSON");
    const plain = await call("POST", "/v1/searches", `{"pattern":"x"}`, "text/plain");
    expect([plain.status, errorCode(plain)]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    const big = await call("POST", "/v1/searches", JSON.stringify({ pattern: "x".repeat(5000) }));
    expect([big.status, errorCode(big)]).toEqual([413, "BODY_TOO_LARGE"]);
    const deep = await call("POST", "/v1/searches", `${"[".repeat(500)}${"]".repeat(500)}`);
    expect(deep.status).toBe(400);
  });

  it("refuses a body larger than it said, sent in chunks without a length", async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${web.url}/v1/searches`, {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      request.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      for (let index = 0; index < 10; index++) request.write("x".repeat(200));
      request.end();
    });
    expect(answer).toBe(413);
  });

  it("answers 503 without details when the jobs cannot be queued", async () => {
    await transport.close();
    const answer = await post({ pattern: "x", documentSet: "small" });
    expect([answer.status, errorCode(answer), answer.headers["retry-after"]]).toEqual([503, "UNAVAILABLE", "5"]);
    expect(JSON.stringify(answer.body)).not.toMatch(/closed|Transport/i);
  });

  it("answers 405 to other methods and 404 to other paths", async () => {
    const get = await call("GET", "/v1/searches");
    expect([get.status, get.headers["allow"]]).toEqual([405, "POST"]);
    expect((await call("DELETE", "/v1/searches/01a23b31-b4c8-7295-8fbb-ad83ea5989bd")).status).toBe(405);
    expect((await call("GET", "/")).status).toBe(404);
    expect((await call("GET", "/v1/searches/a/b")).status).toBe(404);
  });
});

describe("GET /v1/searches/:id", () => {
  it("answers 404 for an unknown search and 400 for a malformed id or page", async () => {
    const unknown = await call("GET", "/v1/searches/01a23b31-b4c8-7295-8fbb-ad83ea5989bd");
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "SEARCH_NOT_FOUND"]);
    for (const id of ["nope", "%2e%2e%2f%2e%2e%2fsecret", "%E0%A4%A", "a.b", "x".repeat(4000)]) {
      expect((await call("GET", `/v1/searches/${id}`)).status, id).toBe(400);
    }
    const accepted = (await post({ pattern: "x", documentSet: "small" })).body as { searchId: string };
    for (const query of ["limit=-1", "limit=10001", "offset=1e3", "limit=abc"]) {
      expect((await call("GET", `/v1/searches/${accepted.searchId}?${query}`)).status, query).toBe(400);
    }
  });

  it("reports progress and, once every chunk succeeded, the merged results sorted by document and line", async () => {
    const accepted = (await post({ pattern: "cart|^get", flags: "i", documentSet: "small", documentsPerChunk: 1 }))
      .body as { searchId: string; jobs: unknown[] };
    expect(accepted.jobs).toHaveLength(3);
    const worker = new Worker({ transport, store, workerId: "w1", concurrency: 2, progressIntervalMs: 0 });
    worker.handle(GrepTheWeb, createGrepHandler({ blobs, workerId: "w1" }));
    worker.start();
    let status: SearchStatus | undefined;
    for (let tries = 0; tries < 200 && status?.state !== "succeeded"; tries++) {
      status = (await call("GET", `/v1/searches/${accepted.searchId}?limit=2&offset=1`)).body as SearchStatus;
      if (status.state !== "succeeded") await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await worker.stop();
    expect(status?.state).toBe("succeeded");
    expect(status?.progress).toBe(100);
    expect(status?.chunks.map((chunk) => [chunk.state, chunk.progress, chunk.workerId])).toEqual([
      ["succeeded", 100, "w1"],
      ["succeeded", 100, "w1"],
      ["succeeded", 100, "w1"],
    ]);
    const expected = Object.entries(DOCUMENTS).flatMap(
      ([name, text]) => matchDocument(`documents/small/${name}`, text, linePattern("cart|^get", "i")).matches,
    );
    expect(status?.results).toMatchObject({ matchCount: expected.length, documentsScanned: 3, linesScanned: 6 });
    expect(status?.results?.matches).toEqual(expected.slice(1, 3));
    const all = (await call("GET", `/v1/searches/${accepted.searchId}?limit=100`)).body as SearchStatus;
    expect(all.results?.matches.map((match) => `${match.document}:${match.line}`)).toEqual([
      "documents/small/a.log:1",
      "documents/small/a.log:2",
      "documents/small/a.log:3",
      "documents/small/b.log:1",
      "documents/small/c.log:1",
      "documents/small/c.log:2",
    ]);
  });

  it("answers 503 without details when the blob store fails, and keeps serving", async () => {
    const accepted = (await post({ pattern: "x", documentSet: "small" })).body as { searchId: string };
    await rm(join(folder, "searches", `${accepted.searchId}.json`));
    await blobs.put(`searches/${accepted.searchId}.json`, new TextEncoder().encode("{damaged"));
    const answer = await call("GET", `/v1/searches/${accepted.searchId}`);
    expect([answer.status, errorCode(answer)]).toEqual([503, "UNAVAILABLE"]);
    expect(JSON.stringify(answer.body)).not.toContain("damaged");
    expect((await post({ pattern: "x", documentSet: "small" })).status).toBe(202);
  });
});

describe("hostile input", () => {
  it("survives random bodies and paths, answering JSON every time", async () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const fragments = ['{"pattern":', '"', "\\u0000", "(", "+", "]", "{", "}", "null", "9e999", ",", "\u{1F600}", "\\"];
    for (let round = 0; round < 60; round++) {
      const body = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => fragments[Math.floor(random() * fragments.length)],
      ).join("");
      const answer = await call("POST", "/v1/searches", body);
      expect([202, 400, 404]).toContain(answer.status);
      expect(typeof answer.body).toBe("object");
    }
    expect((await call("GET", "/v1/searches/%00")).status).toBe(400);
    for (const target of ["http://[", "http://a:b@[::1", "*", "/v1/searches/\u00ff", "/v1/searches/%"]) {
      expect(await rawStatusLine(target), target).toMatch(/^HTTP\/1\.1 (400|404) /);
    }
    expect((await call("GET", "//v1//searches")).status).toBe(404);
  });
});
