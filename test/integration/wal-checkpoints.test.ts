/**
 * WAL checkpoints on the checkpoint thread (src/sqlite/wal-checkpoints.ts), against real files: the thread copies
 * a flagged file's WAL into it while the connection's own automatic checkpoint steps back, a file it cannot serve
 * goes back to SQLite's checkpoints with a warning, and the SQLite transport and status store use it by default.
 * "In the database file" is read with `immutable=1`, which ignores the WAL.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStatusStore, SqliteTransport, type Logger } from "../../src/index.ts";
import {
  attachWalCheckpoints,
  FALLBACK_CHECKPOINT_PAGES,
  SQLITE_CHECKPOINT_PAGES,
} from "../../src/sqlite/wal-checkpoints.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFile(name: string): string {
  const folder = mkdtempSync(join(tmpdir(), "tq-wal-"));
  folders.push(folder);
  return join(folder, name);
}

function walDatabase(path: string): DatabaseSync {
  const database = new DatabaseSync(path);
  database.exec("PRAGMA journal_mode = WAL");
  return database;
}

function autocheckpoint(database: DatabaseSync): number {
  return Number(database.prepare("PRAGMA wal_autocheckpoint").get()?.["wal_autocheckpoint"]);
}

/** Rows of `table` in the database file itself, the WAL ignored (undefined: the table is not in the file yet). */
function rowsInFile(path: string, table: string): number | undefined {
  const url = pathToFileURL(path);
  url.searchParams.set("immutable", "1");
  const reader = new DatabaseSync(url, { readOnly: true });
  try {
    return Number(reader.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.["n"]);
  } catch {
    return undefined;
  } finally {
    reader.close();
  }
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Warning {
  readonly context: object;
  readonly message: string | undefined;
}

function recordingLogger(): Logger & { readonly warnings: Warning[] } {
  const warnings: Warning[] = [];
  const ignore = (): void => undefined;
  return {
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (context, message) => warnings.push({ context, message }),
    warnings,
  };
}

describe("WAL checkpoints on the checkpoint thread", () => {
  it("checkpoints a file after its commits are flagged, and only then; the connection's own checkpoint steps back", async () => {
    const path = tempFile("flagged.db");
    const database = walDatabase(path);
    const checkpoints: { frames: number; backfilled: number }[] = [];
    const link = attachWalCheckpoints(database, path, {
      mode: "background",
      logger: recordingLogger(),
      intervalMs: 20,
      onCheckpoint: (frames, backfilled) => checkpoints.push({ frames, backfilled }),
    });
    expect(link.background).toBe(true);
    expect(autocheckpoint(database)).toBe(FALLBACK_CHECKPOINT_PAGES);
    // The thread checkpoints a file once when it takes it on.
    await eventually(() => checkpoints.length === 1);

    database.exec(
      "CREATE TABLE t (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t SELECT i FROM n",
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(checkpoints).toHaveLength(1); // not flagged: left alone
    expect(rowsInFile(path, "t")).toBeUndefined(); // only in the WAL

    link.committed();
    await eventually(() => checkpoints.length === 2);
    expect(checkpoints[1]!.frames).toBeGreaterThan(0);
    expect(checkpoints[1]!.backfilled).toBe(checkpoints[1]!.frames);
    expect(rowsInFile(path, "t")).toBe(500);

    link.detach();
    link.detach(); // twice is harmless
    database.close();
    // detach waited for the thread to close its connection: this one was the last, and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("serves several files from one thread and lets each go on its own", async () => {
    const paths = [tempFile("a.db"), tempFile("b.db")];
    const databases = paths.map(walDatabase);
    const done = [0, 0];
    const links = databases.map((database, index) =>
      attachWalCheckpoints(database, paths[index]!, {
        mode: "background",
        logger: recordingLogger(),
        intervalMs: 20,
        onCheckpoint: () => (done[index]! += 1),
      }),
    );
    await eventually(() => done[0] === 1 && done[1] === 1);
    databases[0]!.exec("CREATE TABLE a (x); INSERT INTO a VALUES (1), (2)");
    links[0]!.committed();
    await eventually(() => done[0] === 2);
    expect(rowsInFile(paths[0]!, "a")).toBe(2);
    links[0]!.detach();
    databases[0]!.close();

    databases[1]!.exec("CREATE TABLE b (x); INSERT INTO b VALUES (1)");
    links[1]!.committed();
    await eventually(() => done[1] === 2);
    expect(rowsInFile(paths[1]!, "b")).toBe(1);
    links[1]!.detach();
    databases[1]!.close();
  });

  it("gives a file it cannot open back to SQLite's own checkpoints, with a warning", async () => {
    const path = tempFile("real.db");
    const database = walDatabase(path);
    const logger = recordingLogger();
    const link = attachWalCheckpoints(database, join(path, "not-a-folder", "missing.db"), {
      mode: "background",
      logger,
      intervalMs: 20,
    });
    expect(link.background).toBe(true);
    await eventually(() => logger.warnings.length > 0);
    expect(logger.warnings[0]!.message).toMatch(/checkpoint thread gave .*missing\.db up \(cannot open/);
    expect(autocheckpoint(database)).toBe(SQLITE_CHECKPOINT_PAGES);
    link.detach();
    database.close();
  });

  it("a link given up after a failure does not detach the file that took its slot over", async () => {
    const failing = walDatabase(tempFile("failing.db"));
    const logger = recordingLogger();
    const given = attachWalCheckpoints(failing, join(tmpdir(), "tq-no-such-folder", "x", "missing.db"), {
      mode: "background",
      logger,
      intervalMs: 20,
    });
    await eventually(() => logger.warnings.length > 0);
    const path = tempFile("successor.db");
    const database = walDatabase(path);
    let checkpoints = 0;
    const link = attachWalCheckpoints(database, path, {
      mode: "background",
      logger: recordingLogger(),
      intervalMs: 20,
      onCheckpoint: () => (checkpoints += 1),
    });
    await eventually(() => checkpoints === 1);
    given.detach(); // the slot it had is the successor's now
    database.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    link.committed();
    await eventually(() => checkpoints === 2);
    expect(rowsInFile(path, "t")).toBe(1);
    link.detach();
    database.close();
    failing.close();
  });

  it("leaves inline mode and :memory: to SQLite", () => {
    const path = tempFile("inline.db");
    const database = walDatabase(path);
    const inline = attachWalCheckpoints(database, path, { mode: "inline", logger: recordingLogger() });
    expect(inline.background).toBe(false);
    expect(autocheckpoint(database)).toBe(SQLITE_CHECKPOINT_PAGES);
    database.close();
    const memory = new DatabaseSync(":memory:");
    expect(attachWalCheckpoints(memory, ":memory:", { mode: "background", logger: recordingLogger() }).background).toBe(
      false,
    );
    memory.close();
  });
});

describe("the SQLite transport and status store checkpoint on the thread by default", () => {
  it("the transport's sends reach the database file without a commit checkpointing", async () => {
    const path = tempFile("queue.db");
    const transport = new SqliteTransport({ path, queue: "jobs" });
    const payload = new Uint8Array(100);
    await transport.send(Array.from({ length: 200 }, (_, index) => ({ id: `m${index}`, payload, metadata: {} })));
    // 200 small messages are far below SQLite's 1,000-page checkpoint: only the thread puts them in the file.
    await eventually(() => rowsInFile(path, "thrift_queue_messages") === 200);
    await transport.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // closed last, as without the thread
  });

  it("checkpoints=inline leaves the transport's writes in the WAL until SQLite's own checkpoint", async () => {
    const path = tempFile("inline-queue.db");
    const transport = new SqliteTransport({ path, queue: "jobs", checkpoints: "inline" });
    await transport.send([{ id: "m1", payload: new Uint8Array(1), metadata: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(rowsInFile(path, "thrift_queue_messages") ?? 0).toBe(0);
    await transport.close();
  });

  it("the status store's writes reach the database file", async () => {
    const path = tempFile("status.db");
    const store = new SqliteStatusStore({ path });
    await store.enqueued([{ id: "job-1", service: "S", method: "m", enqueuedAt: Date.now() }]);
    await eventually(() => rowsInFile(path, "thrift_queue_status_jobs") === 1);
    await store.close();
  });

  it("refuses an unknown checkpoint mode", () => {
    const path = tempFile("bad.db");
    expect(() => new SqliteTransport({ path, queue: "jobs", checkpoints: "sometimes" as "inline" })).toThrow(
      /checkpoints must be "background" or "inline"/,
    );
    expect(() => new SqliteStatusStore({ path, checkpoints: "never" as "inline" })).toThrow(
      /checkpoints must be "background" or "inline"/,
    );
  });
});
