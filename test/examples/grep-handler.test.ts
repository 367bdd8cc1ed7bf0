/** The worker's matchChunk handler: results in the blob store, progress per document, untrusted jobs refused. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, type JobContext } from "thrift-queue";
import { FolderBlobStore } from "../../examples/grep/folder-blob-store.ts";
import { ChunkResult, type ChunkJob } from "../../examples/grep/gen/grep.ts";
import { createGrepHandler } from "../../examples/grep/grep-handler.ts";
import { IsolatedMatcher } from "../../examples/grep/isolated-matcher.ts";

const SEARCH = "01a23b31-b4c8-7295-8fbb-ad83ea5989bd";
let folder: string;
let blobs: FolderBlobStore;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "grep-handler-"));
  blobs = new FolderBlobStore(folder);
  await blobs.put("documents/t/one.log", new TextEncoder().encode("red\nblue\nred blue\n"));
  await blobs.put("documents/t/two.log", new TextEncoder().encode("green\nRED\n"));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

function job(overrides: Partial<ChunkJob> = {}): ChunkJob {
  return {
    searchId: SEARCH,
    chunkIndex: 3,
    chunkCount: 4,
    pattern: "red",
    flags: "i",
    documentKeys: ["documents/t/one.log", "documents/t/two.log"],
    resultKey: `results/${SEARCH}/3.json`,
    ...overrides,
  };
}

function context(attempt = 1, signal = new AbortController().signal): JobContext & { reports: [number, string?][] } {
  const reports: [number, string?][] = [];
  return {
    jobId: "job-1",
    service: "GrepTheWeb",
    method: "matchChunk",
    attempt,
    signal,
    deadline: undefined,
    metadata: {},
    logger: silentLogger,
    progress: (percent, message) => reports.push([percent, message]),
    reports,
  };
}

async function storedResult(): Promise<ChunkResult> {
  const bytes = await blobs.get(`results/${SEARCH}/3.json`);
  return ChunkResult.fromJSON(JSON.parse(new TextDecoder().decode(bytes)));
}

describe("matchChunk", () => {
  it("writes the chunk's matches and reports progress per document", async () => {
    const handler = createGrepHandler({ blobs, workerId: "w" });
    const ctx = context();
    await handler.matchChunk({ job: job() }, ctx);
    expect(ctx.reports).toEqual([
      [50, "1/2 documents"],
      [100, "2/2 documents"],
    ]);
    expect(await storedResult()).toEqual({
      searchId: SEARCH,
      chunkIndex: 3,
      matches: [
        { document: "documents/t/one.log", line: 1, text: "red" },
        { document: "documents/t/one.log", line: 3, text: "red blue" },
        { document: "documents/t/two.log", line: 2, text: "RED" },
      ],
      matchCount: 3,
      documentsScanned: 2,
      linesScanned: 5,
      truncatedDocuments: [],
      workerId: "w",
      attempt: 1,
    });
  });

  it("overwrites the same key on a rerun, and keeps at most maxMatches", async () => {
    const handler = createGrepHandler({ blobs });
    await handler.matchChunk({ job: job() }, context(1));
    await handler.matchChunk({ job: job({ maxMatches: 1 }) }, context(2));
    const result = await storedResult();
    expect(result).toMatchObject({ attempt: 2, matchCount: 3 });
    expect(result.matches).toHaveLength(1);
    expect(await blobs.list(`results/${SEARCH}/`)).toEqual([`results/${SEARCH}/3.json`]);
  });

  it.each([
    ["no job", undefined, "GREP_INVALID_REQUEST"],
    ["a catastrophic pattern", job({ pattern: "(a+)+$" }), "GREP_INVALID_REQUEST"],
    ["a pattern that does not compile", job({ pattern: "(" }), "GREP_INVALID_REQUEST"],
    ["a stateful flag", job({ flags: "g" }), "GREP_INVALID_REQUEST"],
    ["a result key elsewhere", job({ resultKey: "documents/t/one.log" }), "GREP_INVALID_REQUEST"],
    ["a traversing search id", job({ searchId: "../x", resultKey: "results/../x/3.json" }), "GREP_INVALID_REQUEST"],
    ["a negative chunk", job({ chunkIndex: -1, resultKey: `results/${SEARCH}/-1.json` }), "GREP_INVALID_REQUEST"],
    ["no documents", job({ documentKeys: [] }), "GREP_INVALID_REQUEST"],
    ["a traversing document key", job({ documentKeys: ["../../etc/passwd"] }), "BLOB_INVALID_KEY"],
    ["a missing document", job({ documentKeys: ["documents/t/none.log"] }), "BLOB_NOT_FOUND"],
  ])("refuses %s without writing a result", async (_name, given, code) => {
    const handler = createGrepHandler({ blobs });
    await expect(handler.matchChunk({ job: given }, context())).rejects.toMatchObject({ code });
    expect(await blobs.list("results/")).toEqual([]);
  });

  it("stops when the job's signal aborts, writing nothing", async () => {
    const controller = new AbortController();
    controller.abort(new Error("timed out"));
    const handler = createGrepHandler({ blobs });
    await expect(handler.matchChunk({ job: job() }, context(1, controller.signal))).rejects.toThrow("timed out");
    expect(await blobs.list("results/")).toEqual([]);
  });
});

describe("IsolatedMatcher", () => {
  // These patterns pass no guard on purpose: the thread is what stops them.
  const hanging = { document: "d", text: `${"a".repeat(40)}!\n`, pattern: "(a+)+$", flags: "", maxMatches: 10 };

  it("kills a thread stuck in one exec at the hard limit, reports the document truncated, and goes on", async () => {
    const matcher = new IsolatedMatcher();
    try {
      expect(await matcher.match({ ...hanging, budgetMs: 50, hardLimitMs: 300 })).toEqual({
        matches: [],
        matchCount: 0,
        linesScanned: 0,
        truncated: true,
      });
      const next = await matcher.match({
        ...hanging,
        text: "ab\nb\n",
        pattern: "b$",
        budgetMs: 50,
        hardLimitMs: 10_000,
      });
      expect(next.matches.map((match) => match.line)).toEqual([1, 2]);
    } finally {
      await matcher.close();
    }
  });

  it("rejects with the signal's reason when the job aborts, even inside a hanging exec", async () => {
    const matcher = new IsolatedMatcher();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("job timed out")), 100);
    try {
      await expect(
        matcher.match({ ...hanging, budgetMs: 60_000, hardLimitMs: 60_000, signal: controller.signal }),
      ).rejects.toThrow("job timed out");
    } finally {
      await matcher.close();
    }
  });

  it("gives the same results as inline matching", async () => {
    const inline = createGrepHandler({ blobs, isolation: "inline" });
    await inline.matchChunk({ job: job() }, context());
    const inlineResult = await storedResult();
    await createGrepHandler({ blobs, isolation: "thread" }).matchChunk({ job: job() }, context());
    expect(await storedResult()).toEqual(inlineResult);
  });
});
