/** GrepTheWeb's pure parts: request validation, the catastrophic-pattern guard, chunking, matching, merging. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chunkJobs, resultKey, splitIntoChunks } from "../../examples/grep/chunking.ts";
import type { ChunkResult } from "../../examples/grep/gen/grep.ts";
import { linePattern, matchDocument, splitLines } from "../../examples/grep/matcher.ts";
import { compareMatches, mergeChunkResults } from "../../examples/grep/merge-results.ts";
import { catastrophicShape, MAX_MATCHED_LINE_LENGTH } from "../../examples/grep/pattern-safety.ts";
import { SAMPLE_FOLDER, sampleDocuments } from "../../examples/grep/sample-documents.ts";
import { MAX_PATTERN_LENGTH, parseSearchRequest } from "../../examples/grep/search-request.ts";

describe("parseSearchRequest", () => {
  it("accepts a search and applies the defaults", () => {
    expect(parseSearchRequest({ pattern: "GET /api" })).toEqual({
      ok: true,
      request: { pattern: "GET /api", flags: "", documentSet: "sample", documentsPerChunk: 2 },
    });
    expect(parseSearchRequest({ pattern: "x", flags: "iu", documentSet: "logs-2026", documentsPerChunk: 7 })).toEqual({
      ok: true,
      request: { pattern: "x", flags: "iu", documentSet: "logs-2026", documentsPerChunk: 7 },
    });
  });

  it.each([
    [null, "the body must be a JSON object"],
    [[1], "the body must be a JSON object"],
    ["pattern", "the body must be a JSON object"],
    [{}, "pattern must be a non-empty string"],
    [{ pattern: "" }, "pattern must be a non-empty string"],
    [{ pattern: 42 }, "pattern must be a non-empty string"],
    [{ pattern: "x".repeat(MAX_PATTERN_LENGTH + 1) }, `at most ${MAX_PATTERN_LENGTH} characters`],
    [{ pattern: "(" }, "pattern does not compile"],
    [{ pattern: "[z-a]" }, "pattern does not compile"],
    [{ pattern: "(a+)+$" }, "pattern refused"],
    [{ pattern: "x", flags: "g" }, "flags must be"],
    [{ pattern: "x", flags: "ii" }, "flags must be"],
    [{ pattern: "x", flags: 1 }, "flags must be"],
    [{ pattern: "x", documentSet: "../etc" }, "documentSet must be"],
    [{ pattern: "x", documentSet: "" }, "documentSet must be"],
    [{ pattern: "x", documentsPerChunk: 0 }, "documentsPerChunk must be"],
    [{ pattern: "x", documentsPerChunk: 1.5 }, "documentsPerChunk must be"],
    [{ pattern: "x", documentsPerChunk: 101 }, "documentsPerChunk must be"],
    [{ pattern: "x", extra: true }, 'unknown field "extra"'],
    [JSON.parse('{"pattern":"x","__proto__":{"admin":true}}') as unknown, 'unknown field "__proto__"'],
  ])("refuses %j", (body, problem) => {
    const parsed = parseSearchRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join("; ")).toContain(problem);
  });

  it("reports every problem at once", () => {
    const parsed = parseSearchRequest({ pattern: "", flags: "zz", documentSet: "A B" });
    expect(parsed.ok ? [] : parsed.problems).toHaveLength(3);
  });
});

describe("catastrophicShape", () => {
  it.each([
    "(a+)+",
    "(a*)*b",
    "(a|aa)*",
    "(.*x){2,}",
    "((ab)*c)+",
    "(x+x+)+y",
    "(?:a+){3,}",
    "(\\w+\\s?)*$",
    "(a)\\1",
    "(?<n>a)\\k<n>",
  ])("refuses %s", (pattern) => expect(catastrophicShape(pattern)).toBeDefined());

  it.each([
    "wp-login|etc/passwd",
    "GET /api/v[0-9]+/orders",
    "(GET|POST) /cart",
    "(ab)+",
    "a+b+c*",
    "[(a+)+]",
    "\\(a+\\)+",
    "(a+)?",
    "x{2,5}",
    "(a{2}){3}",
  ])("accepts %s", (pattern) => expect(catastrophicShape(pattern)).toBeUndefined());
});

describe("chunking", () => {
  it("splits into consecutive chunks, the last one shorter", () => {
    expect(splitIntoChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitIntoChunks([], 3)).toEqual([]);
    expect(() => splitIntoChunks([1], 0)).toThrow(RangeError);
  });

  it("makes one job per chunk over the sorted keys, each with its own result key", () => {
    const request = { pattern: "x", flags: "i", documentSet: "s", documentsPerChunk: 2 };
    const jobs = chunkJobs("id-1", request, ["d/c", "d/a", "d/b"], { maxMatches: 5, documentBudgetMs: 10 });
    expect(jobs).toEqual([
      {
        searchId: "id-1",
        chunkIndex: 0,
        chunkCount: 2,
        pattern: "x",
        flags: "i",
        documentKeys: ["d/a", "d/b"],
        resultKey: "results/id-1/0.json",
        maxMatches: 5,
        documentBudgetMs: 10,
      },
      expect.objectContaining({ chunkIndex: 1, chunkCount: 2, documentKeys: ["d/c"], resultKey: resultKey("id-1", 1) }),
    ]);
  });
});

describe("matchDocument", () => {
  const text = "alpha\r\nbeta\nALPHA beta\n\ngamma alpha\n";

  it("splits lines as grep counts them", () => {
    expect(splitLines(text)).toEqual(["alpha", "beta", "ALPHA beta", "", "gamma alpha"]);
    expect(splitLines("no newline")).toEqual(["no newline"]);
    expect(splitLines("")).toEqual([]);
  });

  it("returns 1-based matching lines, honouring flags", () => {
    const found = matchDocument("doc", text, linePattern("alpha", "i"));
    expect(found).toEqual({
      matches: [
        { document: "doc", line: 1, text: "alpha" },
        { document: "doc", line: 3, text: "ALPHA beta" },
        { document: "doc", line: 5, text: "gamma alpha" },
      ],
      matchCount: 3,
      linesScanned: 5,
      truncated: false,
    });
    expect(matchDocument("doc", text, linePattern("^beta$", "")).matches.map((match) => match.line)).toEqual([2]);
  });

  it("keeps at most maxMatches but counts every match", () => {
    const found = matchDocument("doc", text, linePattern("alpha", "i"), { maxMatches: 1 });
    expect(found.matches).toHaveLength(1);
    expect(found.matchCount).toBe(3);
  });

  it("stops at the time budget and says so", () => {
    const many = "x\n".repeat(2000);
    let clock = 0;
    const found = matchDocument("doc", many, /x/, { budgetMs: 5, now: () => (clock += 1) });
    expect(found.truncated).toBe(true);
    expect(found.linesScanned).toBeLessThan(2000);
    expect(found.matchCount).toBe(found.linesScanned);
  });

  it("throws the signal's reason when aborted", () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    expect(() => matchDocument("doc", "x\n".repeat(1000), /x/, { signal: controller.signal })).toThrow("stop");
  });

  it("matches only the first part of a very long line, and cuts the text kept", () => {
    const line = `${"a".repeat(MAX_MATCHED_LINE_LENGTH)}needle`;
    expect(matchDocument("doc", line, /needle/).matchCount).toBe(0);
    const kept = matchDocument("doc", `needle${"b".repeat(2000)}`, /needle/).matches[0];
    expect(kept?.text).toHaveLength(500);
  });
});

describe("mergeChunkResults", () => {
  const result = (chunkIndex: number, matches: [string, number][], extra: Partial<ChunkResult> = {}): ChunkResult => ({
    searchId: "s",
    chunkIndex,
    matches: matches.map(([document, line]) => ({ document, line, text: `${document}:${line}` })),
    matchCount: matches.length,
    documentsScanned: 1,
    linesScanned: 10,
    ...extra,
  });

  it("sorts by document then line, sums the counts and ranks documents", () => {
    const merged = mergeChunkResults([
      result(
        1,
        [
          ["b", 9],
          ["b", 2],
        ],
        { truncatedDocuments: ["b"] },
      ),
      result(
        0,
        [
          ["a", 10],
          ["a", 3],
          ["a", 100],
        ],
        { matchCount: 7 },
      ),
    ]);
    expect(merged.matches.map((match) => [match.document, match.line])).toEqual([
      ["a", 3],
      ["a", 10],
      ["a", 100],
      ["b", 2],
      ["b", 9],
    ]);
    expect(merged).toMatchObject({ matchCount: 9, documentsScanned: 2, linesScanned: 20, truncatedDocuments: ["b"] });
    expect(merged.perDocument).toEqual([
      { document: "a", matches: 3 },
      { document: "b", matches: 2 },
    ]);
  });

  it("counts a chunk given twice once", () => {
    expect(mergeChunkResults([result(0, [["a", 1]]), result(0, [["a", 1]])]).matchCount).toBe(1);
  });

  it("orders document keys by code unit, as sort() does", () => {
    const keys = ["b", "B", "a-1", "a", "a/x"];
    const sorted = keys.map((document) => ({ document, line: 1, text: "" })).sort(compareMatches);
    expect(sorted.map((match) => match.document)).toEqual([...keys].sort());
  });
});

describe("the sample document set", () => {
  it("is what the seeded generator writes (regenerate with node examples/grep/sample-documents.ts)", async () => {
    const generated = sampleDocuments();
    const names = (await readdir(SAMPLE_FOLDER)).sort();
    expect(names).toEqual(generated.map((document) => document.name).sort());
    for (const document of generated) {
      expect(await readFile(join(SAMPLE_FOLDER, document.name), "utf8")).toBe(document.text);
    }
    const bytes = generated.reduce((sum, document) => sum + document.text.length, 0);
    expect(bytes).toBeGreaterThan(500_000);
  });
});
