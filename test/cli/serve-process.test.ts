/**
 * `thrift-queue serve` as a real process (the sources run by Node's type stripping, as bin/ runs dist/): it prints
 * its URL, answers over HTTP from a SQLite store file, and exits 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStatusStore } from "thrift-queue";
import { repoPath } from "./run-cli.ts";

const directory = mkdtempSync(join(tmpdir(), "thrift-queue-serve-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** What bin/thrift-queue.js does, from src/ instead of dist/. */
const LAUNCHER = `import { main } from "./src/cli/main.ts"; process.exitCode = await main(process.argv.slice(1));`;

describe("thrift-queue serve (process)", () => {
  it("starts, answers /healthz and /v1/jobs/:id, and exits 0 on SIGTERM", async () => {
    const path = join(directory, "status.db");
    const store = new SqliteStatusStore({ path });
    await store.enqueued([{ id: "job-1", service: "Thumbnails", method: "render", enqueuedAt: Date.UTC(2026, 0, 1) }]);
    await store.close();

    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", LAUNCHER, "serve", "--store", `sqlite:${path}`, "--port", "0"],
      { cwd: repoPath(""), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          const match = /^listening on (http:\/\/\S+)\n/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, store: "sqlite" });
      const job = await fetch(`${url}/v1/jobs/job-1`);
      expect(job.status).toBe(200);
      expect(await job.json()).toMatchObject({ id: "job-1", state: "queued", enqueuedAt: "2026-01-01T00:00:00.000Z" });
      expect((await fetch(`${url}/v1/jobs/job-2`)).status).toBe(404);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stdout).toBe(`listening on ${url}\n`);
      const messages = stderr
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { msg: string; reason?: string });
      expect(messages.map((line) => line.msg)).toEqual(["status API started", "status API stopping"]);
      expect(messages[1]?.reason).toBe("SIGTERM");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
