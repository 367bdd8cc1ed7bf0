/**
 * One real process: `node bin/thrift-queue.js` as users run it, through the compiled dist/. The in-process
 * tests cover behaviour; this one covers the launcher, real stdin/stdout bytes and the process exit code.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";
import { beforeAll, describe, expect, it } from "vitest";
import { repoPath } from "./run-cli.ts";

const ROOT = repoPath("");
const COMPILED_MAIN = repoPath("dist/cli/main.js");

/** Newest modification time of the TypeScript sources under `folder`. */
function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts")) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Compiles src/ to dist/ unless dist/cli/main.js is newer than every source. tsc still emits when some
 * unrelated file has a type error (the type checker is another test's job), so only a missing output fails.
 */
function ensureBuilt(): void {
  if (existsSync(COMPILED_MAIN) && statSync(COMPILED_MAIN).mtimeMs >= newestSource(repoPath("src"))) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
  if (!existsSync(COMPILED_MAIN)) {
    throw new Error(`tsc -p tsconfig.build.json did not produce dist/cli/main.js:\n${build.stdout}${build.stderr}`);
  }
}

/** Runs the CLI as a child process. */
function thriftQueue(argv: readonly string[], input: string | Uint8Array) {
  const child = spawnSync(process.execPath, ["bin/thrift-queue.js", ...argv], { cwd: ROOT, input, timeout: 30_000 });
  return { code: child.status, stdout: new Uint8Array(child.stdout), stderr: child.stderr.toString("utf8") };
}

describe("node bin/thrift-queue.js", () => {
  beforeAll(ensureBuilt, 120_000);

  it("encodes a call, decodes it back, and reports bad input with exit code 2", () => {
    const args = { job: { imageId: "img", requestedAt: "9007199254740993", sizes: ["64x64"], labels: { k: "v" } } };
    const encoded = thriftQueue(
      ["encode", "--idl", "idl/jobs.thrift", "--call", "Thumbnails.render", "--protocol", "compact", "--multiplexed"],
      JSON.stringify({ args }),
    );
    expect({ code: encoded.code, stderr: encoded.stderr }).toEqual({ code: 0, stderr: "" });
    expect(encoded.stdout[0]).toBe(0x82);

    const decoded = thriftQueue(
      ["decode", "--idl", "idl/jobs.thrift", "--call", "--protocol", "compact"],
      encoded.stdout,
    );
    expect({ code: decoded.code, stderr: decoded.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(new TextDecoder().decode(decoded.stdout))).toEqual({
      service: "Thumbnails",
      method: "render",
      type: "oneway",
      seqid: 0,
      args: { job: { ...args.job, priority: "NORMAL" } },
    });

    const bad = thriftQueue(
      ["encode", "--idl", "idl/jobs.thrift", "--call", "Thumbnails.render"],
      JSON.stringify({ args: { job: { imageId: "img", requestedAt: 1, sizes: ["a", 5] } } }),
    );
    expect(bad).toEqual({
      code: 2,
      stdout: new Uint8Array(),
      stderr: "thrift-queue: job.sizes[1]: expected string, got 5\n",
    });
  });
});
