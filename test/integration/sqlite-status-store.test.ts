/**
 * The SQLite status store: the conformance suite (a fresh file per open, a second connection to the same file for
 * the races), its URL and file handling, and real processes racing transitions on one file.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openStatusStore, SqliteStatusStore, StatusStoreError, ThreadedSqliteStatusStore } from "thrift-queue";
import { runStatusStoreConformance } from "../conformance/status-store-conformance.ts";
import type { RacerArguments } from "./fixtures/sqlite-status-racer.ts";

const RACER = fileURLToPath(new URL("./fixtures/sqlite-status-racer.ts", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "tq-sqlite-status-"));
let files = 0;
const freshPath = (): string => join(directory, `status-${files++}.db`);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

runStatusStoreConformance("sqlite", {
  open: () => {
    const path = freshPath();
    return Promise.resolve({
      store: new SqliteStatusStore({ path }),
      another: () => Promise.resolve(new SqliteStatusStore({ path })),
    });
  },
});

runStatusStoreConformance("sqlite (one write per transaction, table prefix)", {
  open: () => {
    const path = freshPath();
    const options = { path, tablePrefix: "other_", maxBatchSize: 1 };
    return Promise.resolve({
      store: new SqliteStatusStore(options),
      another: () => Promise.resolve(new SqliteStatusStore(options)),
    });
  },
});

runStatusStoreConformance("sqlite on its own thread", {
  open: async () => {
    const path = freshPath();
    return {
      store: await ThreadedSqliteStatusStore.open({ path }),
      another: () => ThreadedSqliteStatusStore.open({ path }),
    };
  },
});

runStatusStoreConformance("sqlite on its own thread, beside one on the caller's thread", {
  open: async () => {
    const path = freshPath();
    return {
      store: await ThreadedSqliteStatusStore.open({ path, maxBatchSize: 1 }),
      another: () => Promise.resolve(new SqliteStatusStore({ path, maxBatchSize: 1 })),
    };
  },
});

describe("SQLite status store files and URLs", () => {
  it("opens sqlite:<path> relative to the working directory, creating parent folders", async () => {
    const relative = join("nested", "deeper", "status.db");
    const cwd = process.cwd();
    process.chdir(directory);
    try {
      const store = await openStatusStore(`sqlite:${relative}?tablePrefix=app_&busyTimeoutMs=100`);
      expect(store.kind).toBe("sqlite");
      await store.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: 1 }]);
      await store.close();
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(directory, relative))).toBe(true);
    const again = await openStatusStore(`sqlite://${join(directory, relative)}?tablePrefix=app_`);
    expect((await again.get("a"))?.state).toBe("queued");
    const otherPrefix = await openStatusStore(`sqlite://${join(directory, relative)}?tablePrefix=b_`);
    expect(await otherPrefix.get("a")).toBeUndefined();
    await Promise.all([again.close(), otherPrefix.close()]);
  });

  it("shares one file with the SQLite transport's queues", async () => {
    const path = freshPath();
    const { SqliteTransport } = await import("thrift-queue");
    const transport = new SqliteTransport({ path, queue: "jobs" });
    const store = new SqliteStatusStore({ path });
    await store.enqueued([{ id: "j", service: "S", method: "m", enqueuedAt: 1 }]);
    expect((await store.get("j"))?.state).toBe("queued");
    await Promise.all([store.close(), transport.close()]);
  });

  it("refuses bad URLs and options with a ConfigError naming each problem", async () => {
    for (const url of [
      "sqlite:",
      "sqlite://host/x.db",
      "sqlite:x.db?tablePrefix=a;drop",
      "sqlite:x.db?busyTimeoutMs=soon",
      "sqlite:x.db?synchronous=sometimes",
      "sqlite:x.db?maxBatchSize=0",
      "sqlite:x.db?color=blue",
      "sqlite:%zz.db",
    ]) {
      await expect(openStatusStore(url), url).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
    expect(() => new SqliteStatusStore({ path: "", busyTimeoutMs: -1 })).toThrow(/path.*busyTimeoutMs/);
  });

  it("refuses a file that is not a database with a StatusStoreError", () => {
    const path = freshPath();
    writeFileSync(path, "this is not a database, just text that is long enough to be read as a header....");
    expect(() => new SqliteStatusStore({ path })).toThrow(StatusStoreError);
  });

  it("refuses a newer schema version rather than misreading it", async () => {
    const path = freshPath();
    await new SqliteStatusStore({ path }).close();
    const { DatabaseSync } = await import("node:sqlite");
    const database = new DatabaseSync(path);
    database.exec("UPDATE thrift_queue_schema SET version = 99 WHERE component LIKE 'sqlite-status-store:%'");
    database.close();
    expect(() => new SqliteStatusStore({ path })).toThrow(/schema version 99/);
  });

  it("reports a row edited into an unknown state as STORE_INVALID_RECORD, and keeps serving", async () => {
    const path = freshPath();
    const store = new SqliteStatusStore({ path });
    await store.enqueued([{ id: "bad", service: "S", method: "m", enqueuedAt: 1 }]);
    const { DatabaseSync } = await import("node:sqlite");
    const database = new DatabaseSync(path);
    database.exec("UPDATE thrift_queue_status_jobs SET state = 'exploded' WHERE id = 'bad'");
    database.close();
    await expect(store.get("bad")).rejects.toMatchObject({ code: "STORE_INVALID_RECORD" });
    await expect(store.list()).rejects.toMatchObject({ code: "STORE_INVALID_RECORD" });
    expect((await store.counts()).queued).toBe(0);
    await store.enqueued([{ id: "good", service: "S", method: "m", enqueuedAt: 1 }]);
    expect((await store.get("good"))?.state).toBe("queued");
    await store.close();
  });

  it("refuses malformed input with STORE_INVALID_RECORD without spoiling the writes grouped with it", async () => {
    const store = new SqliteStatusStore({ path: freshPath() });
    const bad = { id: "x", service: undefined, method: "m", enqueuedAt: Number.NaN } as never;
    const results = await Promise.allSettled([
      store.enqueued([{ id: "ok-1", service: "S", method: "m", enqueuedAt: 1 }]),
      store.enqueued([{ id: "x2", service: "S", method: "m", enqueuedAt: 1 }, bad]),
      store.transition({ id: "t", to: "running", attempt: Number.NaN, at: 1 }),
      store.transition({ id: "t", to: "queued" as never, attempt: 1, at: 1 }),
      store.progress({ id: "t", attempt: 1, percent: Number.POSITIVE_INFINITY, at: 1 }),
      store.acquireLease({ name: "l", holder: "h", ttlMs: -5, now: 1 }),
      store.enqueued([{ id: "ok-2", service: "S", method: "m", enqueuedAt: 1 }]),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "STORE_INVALID_RECORD" });
    }
    expect(await store.get("x2")).toBeUndefined();
    expect((await store.list()).jobs.map((job) => job.id)).toEqual(["ok-2", "ok-1"]);
    await store.close();
  });

  it("refuses input of the wrong type with a typed rejection, never a raw error or a throw", async () => {
    const store = new SqliteStatusStore({ path: freshPath() });
    const calls: [string, () => Promise<unknown>][] = [
      ["STORE_INVALID_RECORD", () => store.transition(null as never)],
      ["STORE_INVALID_RECORD", () => store.enqueued(null as never)],
      ["STORE_INVALID_RECORD", () => store.enqueued([null] as never)],
      ["STORE_INVALID_RECORD", () => store.progress(undefined as never)],
      ["STORE_INVALID_RECORD", () => store.heartbeat(null as never)],
      ["STORE_INVALID_RECORD", () => store.acquireLease(null as never)],
      ["STORE_INVALID_QUERY", () => store.get(undefined as never)],
      ["STORE_INVALID_QUERY", () => store.lease({} as never)],
      ["STORE_INVALID_QUERY", () => store.list({ service: 3 } as never)],
      ["STORE_INVALID_QUERY", () => store.counts({ method: [] } as never)],
      ["STORE_INVALID_QUERY", () => store.scrub({} as never)],
      ["STORE_INVALID_QUERY", () => store.scrub({ jobsFinishedBefore: 1, workersSeenBefore: "now" } as never)],
    ];
    for (const [code, call] of calls) {
      let outcome: unknown;
      try {
        outcome = await call().then(
          () => "resolved",
          (error: unknown) => error,
        );
      } catch (error) {
        outcome = `threw synchronously: ${String(error)}`;
      }
      expect(outcome).toBeInstanceOf(StatusStoreError);
      expect(outcome).toMatchObject({ code });
    }
    await store.enqueued([{ id: "still-works", service: "S", method: "m", enqueuedAt: 1 }]);
    expect((await store.scrub({ jobsFinishedBefore: Infinity, workersSeenBefore: -Infinity })).jobs).toBe(0);
    expect((await store.get("still-works"))?.state).toBe("queued");
    await store.close();
  });

  it("rolls back only the failing write of a group when SQLite refuses it", async () => {
    const path = freshPath();
    const store = new SqliteStatusStore({ path });
    const { DatabaseSync } = await import("node:sqlite");
    const database = new DatabaseSync(path);
    // A trigger stands in for any statement-level failure inside the transaction.
    database.exec(`CREATE TRIGGER refuse BEFORE INSERT ON thrift_queue_status_jobs WHEN NEW.id = 'refused'
      BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END`);
    database.close();
    const results = await Promise.allSettled([
      store.enqueued([{ id: "before", service: "S", method: "m", enqueuedAt: 1 }]),
      store.enqueued([
        { id: "same-batch", service: "S", method: "m", enqueuedAt: 1 },
        { id: "refused", service: "S", method: "m", enqueuedAt: 1 },
      ]),
      store.enqueued([{ id: "after", service: "S", method: "m", enqueuedAt: 1 }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failure = (results[1] as PromiseRejectedResult).reason as StatusStoreError;
    expect(failure).toBeInstanceOf(StatusStoreError);
    expect(failure.code).toBe("STORE_FAILED");
    expect(await store.get("same-batch")).toBeUndefined();
    expect((await store.list()).jobs.map((job) => job.id)).toEqual(["before", "after"]);
    await store.close();
  });

  it("reads what was written before, even when the write has not been awaited", async () => {
    const store = new SqliteStatusStore({ path: freshPath() });
    void store.enqueued([{ id: "early", service: "S", method: "m", enqueuedAt: 1 }]);
    expect((await store.get("early"))?.state).toBe("queued");
    void store.enqueued([{ id: "pending", service: "S", method: "m", enqueuedAt: 1 }]);
    const closing = store.close();
    await closing;
    const reopened = new SqliteStatusStore({ path: (store as unknown as { options: { path: string } }).options.path });
    expect((await reopened.get("pending"))?.state).toBe("queued");
    await reopened.close();
  });

  it("waits for another connection's write lock, and reports one held too long as retryable", async () => {
    const path = freshPath();
    const store = new SqliteStatusStore({ path, busyTimeoutMs: 50 });
    const { DatabaseSync } = await import("node:sqlite");
    const holder = new DatabaseSync(path);
    holder.exec("BEGIN IMMEDIATE");
    const error = await store.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: 1 }]).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(StatusStoreError);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    holder.exec("ROLLBACK");
    holder.close();
    expect(await store.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: 1 }])).toBe(1);
    await store.close();
  });
});

/** Runs racer processes, starts them together, and collects their reports. */
async function race(path: string, ids: readonly string[], outcomes: RacerArguments["outcome"][]) {
  const children = outcomes.map((outcome, index) => {
    const args: RacerArguments = { path, ids, name: `p${index}`, outcome };
    const child = spawn(process.execPath, [RACER, JSON.stringify(args)], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    const ready = new Promise<void>((resolve) =>
      createInterface({ input: child.stdout }).on("line", (line) => {
        lines.push(line);
        if (line === "ready") resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    return { child, ready, exited, lines, stderr: () => stderr };
  });
  await Promise.all(children.map((child) => child.ready));
  for (const { child } of children) child.stdin.write("go\n");
  const codes = await Promise.all(children.map((child) => child.exited));
  return children.map((child, index) => {
    expect(codes[index], child.stderr()).toBe(0);
    return JSON.parse(child.lines.at(-1)!) as { started: string[]; finished: string[]; errors: string[] };
  });
}

describe("SQLite status store across processes", () => {
  it("lets exactly one of three processes start and one finish each job, with no raw SQLite errors", async () => {
    const path = freshPath();
    await new SqliteStatusStore({ path }).close();
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    const reports = await race(path, ids, ["succeeded", "failed", "dead"]);
    for (const report of reports) expect(report.errors).toEqual([]);
    const starts = reports.flatMap((report) => report.started).sort();
    const finishes = reports.flatMap((report) => report.finished).sort();
    expect(starts).toEqual([...ids].sort());
    expect(finishes).toEqual([...ids].sort());

    const store = new SqliteStatusStore({ path });
    const counts = await store.counts();
    expect(counts.succeeded + counts.failed + counts.dead).toBe(ids.length);
    expect(counts.running + counts.queued).toBe(0);
    for (const [index, report] of reports.entries()) {
      const expected = (["succeeded", "failed", "dead"] as const)[index]!;
      for (const id of report.finished) expect((await store.get(id))?.state).toBe(expected);
    }
    await store.close();
  }, 60_000);

  it("lets several processes create the same new file at once", async () => {
    // No process opened it before: each one races to create the folder, switch to WAL and create the tables.
    const path = join(directory, "created-at-once", "status.db");
    const ids = Array.from({ length: 20 }, (_, i) => `new-${i}`);
    const reports = await race(path, ids, ["succeeded", "failed", "dead"]);
    for (const report of reports) expect(report.errors).toEqual([]);
    expect(reports.flatMap((report) => report.started).sort()).toEqual([...ids].sort());
    const store = new SqliteStatusStore({ path });
    const counts = await store.counts();
    expect(counts.succeeded + counts.failed + counts.dead).toBe(ids.length);
    await store.close();
  }, 60_000);
});

describe("SQLite scaler events in a file of the previous layout", () => {
  it("gains the scaler events table on open, keeping its jobs, leases and schema version", async () => {
    const path = freshPath();
    const before = new SqliteStatusStore({ path });
    await before.enqueued([{ id: "kept", service: "S", method: "m", enqueuedAt: 1 }]);
    const lease = await before.acquireLease({ name: "scaler:fleet", holder: "a", ttlMs: 1000, now: 1 });
    await before.close();
    const { DatabaseSync } = await import("node:sqlite");
    // The file as the previous version left it: no scaler events table (nor its indexes).
    const raw = new DatabaseSync(path);
    raw.exec("DROP TABLE thrift_queue_status_scaler_events");
    const tables = (): unknown[] =>
      raw
        .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'thrift_queue_status_scaler_events%' ORDER BY name")
        .all()
        .map((row) => row["name"]);
    expect(tables()).toEqual([]);

    const after = new SqliteStatusStore({ path });
    expect(tables()).toEqual([
      "thrift_queue_status_scaler_events",
      "thrift_queue_status_scaler_events_by_at",
      "thrift_queue_status_scaler_events_by_lease",
    ]);
    expect(
      raw
        .prepare("SELECT version FROM thrift_queue_schema")
        .all()
        .map((row) => row["version"]),
    ).toEqual([1]);
    raw.close();
    expect((await after.get("kept"))?.state).toBe("queued");
    const event = {
      id: "e1",
      lease: "scaler:fleet",
      scalerId: "a",
      fencingToken: lease!.token,
      kind: "decision" as const,
      at: 2,
      reason: "first after the upgrade",
    };
    expect(await after.recordScalerEvent(event)).toBe(true);
    expect(await after.scalerEvents()).toEqual([event]);
    await after.close();
  });
});
