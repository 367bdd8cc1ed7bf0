/**
 * `thrift-queue status`, `jobs` and `workers` over a SQLite store file (as from a shell) and a named memory store
 * (shared within this process, so through the in-process runner), and `serve` in-process with an injected stop.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryStatusStore, SqliteStatusStore, type StatusStore } from "thrift-queue";
import { main } from "../../src/cli/main.ts";
import { serveCommandWith } from "../../src/cli/commands/serve.ts";
import { expectBadInput, runCli, stdoutText } from "./run-cli.ts";

const directory = mkdtempSync(join(tmpdir(), "thrift-queue-status-cli-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A store and the URL the CLI opens it by. */
interface StoreUnderTest {
  readonly url: string;
  readonly store: StatusStore;
}

const families: readonly (readonly [string, () => StoreUnderTest])[] = [
  [
    "sqlite",
    () => {
      const path = join(directory, `${randomUUID()}.db`);
      return { url: `sqlite:${path}`, store: new SqliteStatusStore({ path }) };
    },
  ],
  [
    "memory",
    () => {
      const name = `status-cli-${randomUUID()}`;
      return { url: `memory://${name}`, store: new MemoryStatusStore(name) };
    },
  ],
];

/** Seeds jobs `job-00`… (queued), one that ran and failed, and one that succeeded with progress. */
async function seed(store: StatusStore, count: number): Promise<void> {
  await store.enqueued(
    Array.from({ length: count }, (_, index) => ({
      id: `job-${String(index).padStart(2, "0")}`,
      service: "Thumbnails",
      method: index % 2 === 0 ? "render" : "purge",
      queue: "thumbnails",
      enqueuedAt: T0 + index * 1000,
    })),
  );
  await store.transition({ id: "job-01", to: "running", attempt: 1, at: T0 + 50_000, workerId: "w-1" });
  await store.progress({ id: "job-01", attempt: 1, percent: 40, message: "resizing\u001b[31m", at: T0 + 51_000 });
  await store.transition({
    id: "job-01",
    to: "failed",
    attempt: 1,
    at: T0 + 52_000,
    error: { type: "TypeError", message: "bad\nimage" },
  });
  await store.transition({ id: "job-02", to: "running", attempt: 1, at: T0 + 60_000, workerId: "w-2" });
  await store.progress({ id: "job-02", attempt: 1, percent: 100, at: T0 + 61_000 });
  await store.transition({ id: "job-02", to: "succeeded", attempt: 1, at: T0 + 62_000, result: new Uint8Array([0]) });
}

for (const [family, open] of families) {
  describe(`${family}: thrift-queue status`, () => {
    it("prints aligned lines, or the record as one JSON line", async () => {
      const { url, store } = open();
      try {
        await seed(store, 3);
        const human = await runCli(["status", "job-01", "--store", url]);
        expect({ code: human.code, stderr: human.stderr }).toEqual({ code: 0, stderr: "" });
        expect(stdoutText(human)).toBe(
          [
            "job       job-01",
            "call      Thumbnails.purge",
            "state     failed",
            "attempt   1",
            "progress  40% resizing\\u001b[31m",
            "worker    w-1",
            "queue     thumbnails",
            "enqueued  2026-01-02T03:04:06.000Z",
            "started   2026-01-02T03:04:55.000Z",
            "updated   2026-01-02T03:04:57.000Z",
            "finished  2026-01-02T03:04:57.000Z",
            "error     TypeError: bad\\u000aimage",
            "result    -",
            "",
          ].join("\n"),
        );
        const json = await runCli(["status", "job-02", "--store", url, "--json"]);
        expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: "" });
        const lines = stdoutText(json).split("\n");
        expect(lines).toHaveLength(2);
        expect(JSON.parse(lines[0]!)).toMatchObject({
          id: "job-02",
          state: "succeeded",
          progress: 100,
          workerId: "w-2",
          result: "AA==",
          error: null,
          finishedAt: "2026-01-02T03:05:07.000Z",
        });
      } finally {
        await store.close();
      }
    });

    it("exits 2 with one line for an unknown id", async () => {
      const { url, store } = open();
      try {
        await seed(store, 1);
        expectBadInput(
          await runCli(["status", "nope", "--store", url]),
          'thrift-queue: no job "nope" in the status store',
        );
        expectBadInput(
          await runCli(["status", "a\nb", "--store", url, "--json"]),
          'thrift-queue: no job "a\\nb" in the status store',
        );
      } finally {
        await store.close();
      }
    });
  });

  describe(`${family}: thrift-queue jobs`, () => {
    it("prints a table, filtered, with the next cursor on stderr; the cursor continues where the page ended", async () => {
      const { url, store } = open();
      try {
        await seed(store, 5);
        const all = await runCli(["jobs", "--store", url]);
        expect({ code: all.code, stderr: all.stderr }).toEqual({ code: 0, stderr: "" });
        expect(stdoutText(all)).toBe(
          [
            "ID      CALL               STATE      ATTEMPT  PROGRESS  UPDATED",
            "job-04  Thumbnails.render  queued     0        -         2026-01-02T03:04:09.000Z",
            "job-03  Thumbnails.purge   queued     0        -         2026-01-02T03:04:08.000Z",
            "job-02  Thumbnails.render  succeeded  1        100%      2026-01-02T03:05:07.000Z",
            "job-01  Thumbnails.purge   failed     1        40%       2026-01-02T03:04:57.000Z",
            "job-00  Thumbnails.render  queued     0        -         2026-01-02T03:04:05.000Z",
            "",
          ].join("\n"),
        );
        const first = await runCli(["jobs", "--store", url, "--limit", "2", "--method", "render"]);
        expect(
          stdoutText(first)
            .split("\n")
            .slice(1, -1)
            .map((line) => line.split(" ")[0]),
        ).toEqual(["job-04", "job-02"]);
        const hint = /^more: --cursor (\S+)\n$/.exec(first.stderr);
        expect(hint).not.toBeNull();
        const second = await runCli([
          "jobs",
          "--store",
          url,
          "--limit",
          "2",
          "--method",
          "render",
          "--cursor",
          hint![1]!,
        ]);
        expect(second.stderr).toBe("");
        expect(
          stdoutText(second)
            .split("\n")
            .slice(1, -1)
            .map((line) => line.split(" ")[0]),
        ).toEqual(["job-00"]);
        const failed = await runCli(["jobs", "--store", url, "--state", "failed"]);
        expect(
          stdoutText(failed)
            .split("\n")
            .slice(1, -1)
            .map((line) => line.split(" ")[0]),
        ).toEqual(["job-01"]);
        const since = await runCli([
          "jobs",
          "--store",
          url,
          "--since",
          "2026-01-02T03:04:08Z",
          "--service",
          "Thumbnails",
        ]);
        expect(
          stdoutText(since)
            .split("\n")
            .slice(1, -1)
            .map((line) => line.split(" ")[0]),
        ).toEqual(["job-04", "job-03", "job-02", "job-01"]);
      } finally {
        await store.close();
      }
    });

    it("--json prints a line per job and the next cursor as a last line; paging covers every job once", async () => {
      const { url, store } = open();
      try {
        await seed(store, 7);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const run = await runCli([
            "jobs",
            "--store",
            url,
            "--limit",
            "3",
            "--json",
            ...(cursor ? ["--cursor", cursor] : []),
          ]);
          expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
          const lines = stdoutText(run)
            .trimEnd()
            .split("\n")
            .map((line) => JSON.parse(line) as { id?: string; nextCursor?: string });
          cursor = lines.at(-1)?.nextCursor;
          seen.push(...lines.filter((line) => line.id !== undefined).map((line) => line.id!));
          if (cursor === undefined) break;
          expect(lines).toHaveLength(4);
        }
        expect(seen).toEqual(["job-06", "job-05", "job-04", "job-03", "job-02", "job-01", "job-00"]);
      } finally {
        await store.close();
      }
    });

    it("rejects bad options with exit 2 and one line", async () => {
      const { url, store } = open();
      try {
        const bad = async (args: readonly string[], line: string | RegExp): Promise<void> => {
          expectBadInput(await runCli(["jobs", "--store", url, ...args]), line);
        };
        await bad(
          ["--state", "done"],
          /^thrift-queue jobs: --state must be one of queued, running, .* got "done"; see/,
        );
        await bad(["--limit", "0"], /^thrift-queue jobs: --limit must be a whole number from 1 to 1000, got "0"; see/);
        await bad(["--limit", "1001"], /--limit must be a whole number from 1 to 1000/);
        await bad(["--since", "tomorrow"], /--since must be an RFC 3339 time or Unix milliseconds, got "tomorrow"/);
        await bad(["--cursor", "garbage!"], "thrift-queue: invalid cursor");
        await bad(["--service", ""], /--service must not be empty/);
        await bad(["--bogus"], /^thrift-queue jobs: unknown option --bogus; see/);
        await bad(["extra"], /unexpected argument "extra"/);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${family}: thrift-queue workers`, () => {
    it("prints a table with health, or JSON lines", async () => {
      const { url, store } = open();
      try {
        const base = { instanceId: "i-1", host: "box", pid: 7, startedAt: Date.now() - 100_000, processed: 3 };
        await store.heartbeat({
          ...base,
          workerId: "w-ok",
          status: "running",
          queues: ["a", "b"],
          lastSeenAt: Date.now() - 2000,
          inFlight: 1,
          failed: 0,
        });
        await store.heartbeat({
          ...base,
          workerId: "w-old",
          status: "running",
          queues: ["a"],
          lastSeenAt: Date.now() - 600_000,
          inFlight: 0,
          failed: 1,
        });
        const table = await runCli(["workers", "--store", url]);
        expect({ code: table.code, stderr: table.stderr }).toEqual({ code: 0, stderr: "" });
        const lines = stdoutText(table).split("\n");
        expect(lines[0]).toMatch(/^WORKER +STATUS +HEALTH +HOST +PID +QUEUES +IN-FLIGHT +PROCESSED +FAILED +SEEN$/);
        expect(lines[1]).toMatch(/^w-ok +running +healthy +box +7 +a,b +1 +3 +0 +2s ago$/);
        expect(lines[2]).toMatch(/^w-old +running +stale +box +7 +a +0 +3 +1 +10m 0s ago$/);
        const json = await runCli(["workers", "--store", url, "--json", "--stale-after", "1000"]);
        const records = stdoutText(json)
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line) as { workerId: string; healthy: boolean; stale: boolean });
        expect(records.map((record) => [record.workerId, record.healthy, record.stale])).toEqual([
          ["w-ok", true, false],
          ["w-old", true, false],
        ]);
        expectBadInput(await runCli(["workers", "--store", url, "--stale-after", "0"]), /--stale-after must be/);
      } finally {
        await store.close();
      }
    });
  });
}

describe("store URLs", () => {
  it("are required and checked: exit 2, one line, nothing on stdout", async () => {
    for (const command of ["status x", "jobs", "workers", "serve"]) {
      expectBadInput(await runCli([...command.split(" ")]), /missing --store; see `thrift-queue \w+ --help`$/);
      expectBadInput(
        await runCli([...command.split(" "), "--store", "redis://x"]),
        /^thrift-queue: invalid status store URL "redis:\/\/x"/,
      );
    }
    expectBadInput(await runCli(["status", "--store", "memory:"]), /missing the job id/);
    expectBadInput(await runCli(["status", "a", "b", "--store", "memory:"]), /unexpected argument "b"/);
  });

  it("an unreachable PostgreSQL store is one line, exit 2", async () => {
    const run = await runCli(["jobs", "--store", "postgres://postgres@127.0.0.1:1/test?connectTimeoutMs=500"]);
    expectBadInput(run, /^thrift-queue: /);
  });
});

describe("thrift-queue serve (in-process)", () => {
  it("prints the URL, answers until stopped, then closes the store and exits 0", async () => {
    const name = `serve-cli-${randomUUID()}`;
    const store = new MemoryStatusStore(name);
    await seed(store, 3);
    let stop: (reason: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const command = serveCommandWith(() => stopped);
    let stdout = "";
    let stderr = "";
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const io = {
      readStdin: () => Promise.resolve(new Uint8Array()),
      writeStdout: (chunk: string | Uint8Array) => {
        stdout += String(chunk);
        const match = /^listening on (http:\/\/\S+)\n$/.exec(stdout);
        if (match) listening(match[1]!);
      },
      writeStderr: (text: string) => (stderr += text),
    };
    const transportUrl = `memory://serve-cli-queue-${randomUUID()}`;
    const running = command.run(["--store", `memory://${name}`, "--port", "0", "--transport", transportUrl], io);
    const base = await url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, store: "memory" });
    expect(await (await fetch(`${base}/v1/jobs/job-02`)).json()).toMatchObject({ id: "job-02", state: "succeeded" });
    const queues = (await (await fetch(`${base}/v1/queues`)).json()) as { queues: { kind: string; error: unknown }[] };
    expect(queues.queues).toMatchObject([{ kind: "memory", error: null }]);
    await store.acquireLease({ name: "scaler:fleet", holder: "s-1", ttlMs: 60_000, now: Date.now() });
    const event = { id: "ev-1", lease: "scaler:fleet", scalerId: "s-1", fencingToken: 1, at: Date.now() };
    expect(await store.recordScalerEvent({ ...event, kind: "decision", reason: "steady", desired: 2 })).toBe(true);
    expect(await (await fetch(`${base}/v1/scaler`)).json()).toMatchObject({
      leases: [{ name: "scaler:fleet", holder: "s-1", token: 1, held: true }],
      lastDecision: { id: "ev-1", desired: 2 },
      events: [{ id: "ev-1", kind: "decision", reason: "steady" }],
      nextBefore: null,
    });
    stop("test");
    expect(await running).toBe(0);
    expect(stdout).toBe(`listening on ${base}\n`);
    expect(
      stderr
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { msg: string }).msg),
    ).toEqual(["status API started", "status API stopping"]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    await store.close();
  });

  it("rejects bad options and a taken port with exit 2", async () => {
    expectBadInput(
      await runCli(["serve", "--store", "memory:", "--port", "70000"]),
      /--port must be a whole number ≤ 65535/,
    );
    expectBadInput(await runCli(["serve", "--store", "memory:", "--port", "x"]), /--port must be a whole number ≥ 0/);
    expectBadInput(await runCli(["serve", "--store", "memory:", "--log-level", "loud"]), /--log-level must be one of/);
    let release: (reason: string) => void = () => undefined;
    const blocker = serveCommandWith(() => new Promise((resolve) => (release = resolve)));
    let blocking: Promise<number> = Promise.resolve(0);
    const taken = await new Promise<string>((resolve) => {
      blocking = blocker.run(["--store", "memory:", "--port", "0"], {
        readStdin: () => Promise.resolve(new Uint8Array()),
        writeStdout: (chunk) => resolve(String(chunk).trim().split(":").at(-1)!),
        writeStderr: () => undefined,
      });
    });
    const run = await runCli(["serve", "--store", "memory:", "--port", taken]);
    expectBadInput(run, `thrift-queue: cannot listen on 127.0.0.1:${taken}: the address is in use`);
    release("test");
    expect(await blocking).toBe(0);
    expect(
      await main(["serve", "--help"], {
        readStdin: () => Promise.resolve(new Uint8Array()),
        writeStdout: () => undefined,
        writeStderr: () => undefined,
      }),
    ).toBe(0);
  });
});
