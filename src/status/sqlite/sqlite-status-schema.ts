/**
 * The SQLite file layout of the status store (docs/status-stores.md) and opening a connection to it: WAL so that
 * readers never wait for the writer, a busy timeout so that processes queue for each other's write lock, the
 * tables created when missing and the schema version checked. The file may also hold the SQLite transport's
 * queues: both record their layout version in `thrift_queue_schema`, one row per component.
 */
import process from "node:process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { StatusStoreError } from "../../errors.ts";
import { scalerEventsTableSql } from "./sqlite-scaler-events.ts";
import { toSqliteStoreError } from "./sqlite-status-errors.ts";

/**
 * The layout this code reads and writes; a file with a newer one is refused rather than misread. Tables added
 * since (scaler events) are created when missing and leave the version as it is: older code that ignores them
 * still reads the file correctly.
 */
export const STATUS_SCHEMA_VERSION = 1;

/** The names of the store's tables under one prefix. */
export interface StatusTables {
  readonly jobs: string;
  readonly workers: string;
  readonly leases: string;
  readonly scalerEvents: string;
}

/** The table names for `prefix` (already checked to be an identifier). */
export function statusTables(prefix: string): StatusTables {
  return {
    jobs: `${prefix}jobs`,
    workers: `${prefix}workers`,
    leases: `${prefix}leases`,
    scalerEvents: `${prefix}scaler_events`,
  };
}

function createTablesSql({ jobs, workers, leases, scalerEvents }: StatusTables): string {
  // WITHOUT ROWID: the rows live in id order, which is the order `list` pages in.
  return `
  CREATE TABLE IF NOT EXISTS thrift_queue_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS ${jobs} (
    id TEXT PRIMARY KEY NOT NULL,
    service TEXT NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    progress REAL,
    progress_message TEXT,
    worker_id TEXT,
    queue TEXT,
    enqueued_at INTEGER,
    started_at INTEGER,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    error_type TEXT,
    error_message TEXT,
    result BLOB
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS ${jobs}_by_state ON ${jobs} (state, id);
  CREATE INDEX IF NOT EXISTS ${jobs}_by_service ON ${jobs} (service, method, id);
  CREATE INDEX IF NOT EXISTS ${jobs}_by_method ON ${jobs} (method, id);
  CREATE INDEX IF NOT EXISTS ${jobs}_by_update ON ${jobs} (updated_at);
  CREATE TABLE IF NOT EXISTS ${workers} (
    worker_id TEXT PRIMARY KEY NOT NULL,
    instance_id TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    status TEXT NOT NULL,
    queues TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    in_flight INTEGER NOT NULL,
    processed INTEGER NOT NULL,
    failed INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS ${workers}_by_seen ON ${workers} (last_seen_at);
  CREATE TABLE IF NOT EXISTS ${leases} (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    token INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  ${scalerEventsTableSql(scalerEvents)}`;
}

/** How {@link openStatusDatabase} sets up the connection. */
export interface OpenStatusDatabaseOptions {
  readonly path: string;
  readonly tablePrefix: string;
  readonly busyTimeoutMs: number;
  readonly synchronous: "normal" | "full";
}

/** Opens (creating when missing) a status database file; throws StatusStoreError when it cannot be used. */
export function openStatusDatabase(options: OpenStatusDatabaseOptions): DatabaseSync {
  let database: DatabaseSync | undefined;
  try {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    database = new (loadNodeSqlite())(options.path);
    // The busy timeout comes first: switching to WAL takes a lock another process may hold.
    database.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
    database.exec("PRAGMA journal_mode = WAL");
    database.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    createSchema(database, options.tablePrefix);
    return database;
  } catch (error) {
    database?.close();
    throw toSqliteStoreError(error, `cannot open SQLite status store file ${options.path}`);
  }
}

/** `node:sqlite`, loaded when the first SQLite store opens, so users of other stores never load it. */
function loadNodeSqlite(): typeof DatabaseSync {
  let sqlite: { DatabaseSync: typeof DatabaseSync } | undefined;
  try {
    sqlite = process.getBuiltinModule("node:sqlite");
  } catch {
    sqlite = undefined;
  }
  if (!sqlite) {
    const message = "node:sqlite is not available: the SQLite status store needs Node.js 22.13 or later";
    throw new StatusStoreError("STORE_UNAVAILABLE", message);
  }
  return sqlite.DatabaseSync;
}

function createSchema(database: DatabaseSync, prefix: string): void {
  const component = `sqlite-status-store:${prefix}`;
  database.exec("BEGIN IMMEDIATE");
  try {
    database.exec(createTablesSql(statusTables(prefix)));
    const row = database.prepare("SELECT version FROM thrift_queue_schema WHERE component = ?").get(component);
    const version = row?.["version"];
    if (version === undefined) {
      database
        .prepare("INSERT INTO thrift_queue_schema (component, version) VALUES (?, ?)")
        .run(component, STATUS_SCHEMA_VERSION);
    } else if (typeof version !== "number" || version > STATUS_SCHEMA_VERSION) {
      throw new StatusStoreError(
        "STORE_FAILED",
        `the status tables have schema version ${String(version)}; this thrift-queue reads version ${STATUS_SCHEMA_VERSION}`,
      );
    }
    database.exec("COMMIT");
  } catch (error) {
    if (database.isTransaction) database.exec("ROLLBACK");
    throw error;
  }
}
