/**
 * The SQLite status store on a thread of its own, beyond the conformance suite it passes with the others: what a
 * `sqlite:` URL opens, typed failures when the file cannot be opened or an argument cannot cross to the thread,
 * the order of calls around close, a thread that dies, the caller's logger, and a process that exits while the
 * store is idle.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  openStatusStore,
  SqliteStatusStore,
  StatusStoreError,
  ThreadedSqliteStatusStore,
  type Logger,
} from "thrift-queue";

const UNCLOSED = fileURLToPath(new URL("./fixtures/sqlite-status-unclosed.ts", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "tq-sqlite-status-thread-"));
let files = 0;
const freshPath = (): string => join(directory, `status-${files++}.db`);
const job = (id: string) => ({ id, service: "S", method: "m", enqueuedAt: 1 });

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("SQLite status store on its own thread", () => {
  it("is what sqlite:…?thread=true opens; by default (or ?thread=false) the connection stays on the caller's thread", async () => {
    const path = freshPath();
    const threaded = await openStatusStore(`sqlite://${path}?thread=true`);
    const inline = await openStatusStore(`sqlite://${path}`);
    const alsoInline = await openStatusStore(`sqlite://${path}?thread=false`);
    expect(alsoInline).toBeInstanceOf(SqliteStatusStore);
    await alsoInline.close();
    expect(threaded).toBeInstanceOf(ThreadedSqliteStatusStore);
    expect(inline).toBeInstanceOf(SqliteStatusStore);
    expect(threaded.kind).toBe("sqlite");
    await threaded.enqueued([job("shared")]);
    expect((await inline.get("shared"))?.state).toBe("queued");
    await Promise.all([threaded.close(), inline.close()]);
    await expect(openStatusStore(`sqlite://${path}?thread=maybe`)).rejects.toThrow(/thread must be true or false/);
  });

  it("refuses bad options with a ConfigError before starting a thread", async () => {
    const opening = ThreadedSqliteStatusStore.open({ path: freshPath(), maxBatchSize: 0 });
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("rejects with a StatusStoreError when the thread cannot open the file", async () => {
    const notADatabase = freshPath();
    writeFileSync(notADatabase, "this is not a database, just text that is long enough to be read as a header....");
    const error = await ThreadedSqliteStatusStore.open({ path: notADatabase }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StatusStoreError);
    expect((error as StatusStoreError).code).toBe("STORE_FAILED");
    const aDirectory = join(directory, "a-directory");
    mkdirSync(aDirectory);
    await expect(ThreadedSqliteStatusStore.open({ path: aDirectory })).rejects.toBeInstanceOf(StatusStoreError);
  });

  it("carries typed errors back from the thread, code and retryability", async () => {
    const store = await ThreadedSqliteStatusStore.open({ path: freshPath() });
    const bad = store.transition({ id: "t", to: "running", attempt: Number.NaN, at: 1 });
    await expect(bad).rejects.toBeInstanceOf(StatusStoreError);
    await expect(bad).rejects.toMatchObject({ code: "STORE_INVALID_RECORD", retryable: false });
    await expect(store.list({ limit: 0 })).rejects.toMatchObject({ code: "STORE_INVALID_QUERY" });
    await store.close();
  });

  it("refuses an argument that cannot cross to the thread, alone, and runs the calls beside it", async () => {
    const store = await ThreadedSqliteStatusStore.open({ path: freshPath() });
    const uncloneable = { ...job("fn"), service: () => "S" } as never;
    const results = await Promise.allSettled([
      store.enqueued([job("before")]),
      store.enqueued([uncloneable]),
      store.list({ service: Symbol("s") as never }),
      store.enqueued([job("after")]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(results[1]).toMatchObject({ reason: { code: "STORE_INVALID_RECORD" } });
    expect(results[2]).toMatchObject({ reason: { code: "STORE_INVALID_QUERY" } });
    // Newest id first, and these ids sort as text.
    expect((await store.list()).jobs.map((record) => record.id)).toEqual(["before", "after"]);
    await store.close();
  });

  it("runs every call made before close, then refuses later ones with STORE_CLOSED", async () => {
    const path = freshPath();
    const store = await ThreadedSqliteStatusStore.open({ path });
    const writes = Array.from({ length: 500 }, (_, index) => store.enqueued([job(`j${index}`)]));
    const closing = store.close();
    expect(store.close()).toBe(closing);
    await expect(store.get("j0")).rejects.toMatchObject({ code: "STORE_CLOSED" });
    await closing;
    expect((await Promise.all(writes)).every((created) => created === 1)).toBe(true);
    const reopened = new SqliteStatusStore({ path });
    expect((await reopened.counts()).queued).toBe(500);
    await reopened.close();
  });

  it("fails waiting and later calls with STORE_FAILED when its thread dies, and still closes", async () => {
    const store = await ThreadedSqliteStatusStore.open({ path: freshPath() });
    await store.enqueued([job("a")]);
    const thread = (store as unknown as { thread: { terminate(): Promise<number> } }).thread;
    const waiting = store.get("a");
    await thread.terminate();
    await expect(waiting).rejects.toMatchObject({ code: "STORE_FAILED" });
    await expect(store.enqueued([job("b")])).rejects.toMatchObject({ code: "STORE_FAILED" });
    await expect(store.close()).resolves.toBeUndefined();
  });

  it("reports a lock held past the busy timeout as retryable STORE_UNAVAILABLE, and serves once it is free", async () => {
    const path = freshPath();
    const store = await ThreadedSqliteStatusStore.open({ path, busyTimeoutMs: 0 });
    const { DatabaseSync } = await import("node:sqlite");
    const holder = new DatabaseSync(path);
    holder.exec("BEGIN IMMEDIATE");
    const locked = await store.enqueued([job("locked")]).catch((caught: unknown) => caught);
    expect(locked).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    expect((locked as StatusStoreError).cause).toMatchObject({ code: "ERR_SQLITE_ERROR" });
    holder.exec("ROLLBACK");
    holder.close();
    expect(await store.enqueued([job("free")])).toBe(1);
    await store.close();
  });

  it("writes the thread's log records to the caller's logger", async () => {
    const records: { level: string; context: Record<string, unknown>; message: string | undefined }[] = [];
    const record =
      (level: string) =>
      (context: object, message?: string): void => {
        records.push({ level, context: context as Record<string, unknown>, message });
      };
    const logger: Logger = {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    };
    const path = freshPath();
    const store = await ThreadedSqliteStatusStore.open({ path, logger });
    // A trigger another connection adds rolls the store's whole transaction back: its group fails, and it says so.
    const { DatabaseSync } = await import("node:sqlite");
    const other = new DatabaseSync(path);
    other.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON thrift_queue_status_jobs WHEN NEW.id = 'boom'
      BEGIN SELECT RAISE(ROLLBACK, 'boom is refused'); END`);
    other.close();
    await expect(store.enqueued([job("boom")])).rejects.toMatchObject({ code: "STORE_FAILED" });
    await store.close();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: "warn",
      message: "SQLite status store: a write transaction failed",
      context: { writes: 1 },
    });
    expect(records[0]!.context["err"]).toBeInstanceOf(Error);
    expect((records[0]!.context["err"] as Error).message).toMatch(/boom is refused/);
  });

  it("survives a logger that throws", async () => {
    const path = freshPath();
    const fails = (): void => {
      throw new Error("the logger is broken");
    };
    const logger: Logger = { debug: fails, info: fails, warn: fails, error: fails };
    const store = await ThreadedSqliteStatusStore.open({ path, logger });
    const { DatabaseSync } = await import("node:sqlite");
    const other = new DatabaseSync(path);
    other.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON thrift_queue_status_jobs WHEN NEW.id = 'boom'
      BEGIN SELECT RAISE(ROLLBACK, 'boom is refused'); END`);
    other.close();
    await expect(store.enqueued([job("boom")])).rejects.toMatchObject({ code: "STORE_FAILED" });
    expect(await store.enqueued([job("fine")])).toBe(1);
    await store.close();
  });

  it("does not keep an idle process alive, unclosed", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [UNCLOSED, `sqlite://${freshPath()}?thread=true`], {
      timeout: 20_000,
    });
    expect(stdout).toBe("written\n");
  });

  it("starts its thread in a process run as `node --input-type=module -e …` (the flag is not passed on)", async () => {
    const run = promisify(execFile);
    const script = `await import(${JSON.stringify(pathToFileURL(UNCLOSED).href)});`;
    const url = `sqlite://${freshPath()}?thread=true`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script, url], { timeout: 20_000 });
    expect(stdout).toBe("written\n");
  });
});
