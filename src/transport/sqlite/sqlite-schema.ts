/**
 * The SQLite file layout of the transport (docs/transports-sqlite.md) and opening a connection to it: WAL so that
 * readers never block the writer, a busy timeout so that processes wait for each other's write locks, the tables
 * created when missing and the schema version checked.
 */
import process from "node:process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { TransportError } from "../../errors.ts";
import { toSqliteTransportError } from "./sqlite-errors.ts";

/** The table holding every queue's messages and dead letters. */
export const MESSAGES_TABLE = "thrift_queue_messages";

/** The transport's row in the `thrift_queue_schema` table. */
const SCHEMA_COMPONENT = "sqlite-transport";

/** The layout this code reads and writes; a file with a newer one is refused rather than misread. */
export const SCHEMA_VERSION = 1;

const CREATE_TABLES = `
  CREATE TABLE IF NOT EXISTS thrift_queue_schema (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${MESSAGES_TABLE} (
    seq INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    dead INTEGER NOT NULL DEFAULT 0,
    id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload BLOB NOT NULL,
    enqueued_at INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    lease_token TEXT,
    last_reason TEXT,
    dead_reason TEXT
  );
  CREATE INDEX IF NOT EXISTS ${MESSAGES_TABLE}_take ON ${MESSAGES_TABLE} (queue, dead, available_at);
`;

/** How {@link openQueueDatabase} sets up the connection. */
export interface OpenQueueDatabaseOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly synchronous: "normal" | "full";
  /** For error messages. */
  readonly queue: string;
}

/** Opens (creating when missing) a queue database file; throws TransportError when it cannot be used. */
export function openQueueDatabase(options: OpenQueueDatabaseOptions): DatabaseSync {
  let database: DatabaseSync | undefined;
  try {
    // The embedded default lives under a data folder that a fresh checkout does not have yet.
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    database = new (loadNodeSqlite(options.queue))(options.path);
    // The busy timeout comes first: switching to WAL takes a lock another process may hold.
    database.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
    database.exec("PRAGMA journal_mode = WAL");
    database.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    createSchema(database, options.queue);
    return database;
  } catch (error) {
    database?.close();
    throw toSqliteTransportError(error, `cannot open SQLite queue file ${options.path}`, options.queue);
  }
}

/**
 * `node:sqlite`, loaded when the first SQLite transport opens rather than when thrift-queue is imported: users of
 * other transports never load it (nor see the warning older Node versions print for it).
 */
function loadNodeSqlite(queue: string): typeof DatabaseSync {
  let sqlite: { DatabaseSync: typeof DatabaseSync } | undefined;
  try {
    sqlite = process.getBuiltinModule("node:sqlite");
  } catch {
    sqlite = undefined;
  }
  if (!sqlite) {
    const message = "node:sqlite is not available: the SQLite transport needs Node.js 22.13 or later";
    throw new TransportError("TRANSPORT_UNSUPPORTED", message, { queue });
  }
  return sqlite.DatabaseSync;
}

function createSchema(database: DatabaseSync, queue: string): void {
  database.exec("BEGIN IMMEDIATE");
  try {
    database.exec(CREATE_TABLES);
    const row = database.prepare("SELECT version FROM thrift_queue_schema WHERE component = ?").get(SCHEMA_COMPONENT);
    const version = row?.["version"];
    if (version === undefined) {
      database
        .prepare("INSERT INTO thrift_queue_schema (component, version) VALUES (?, ?)")
        .run(SCHEMA_COMPONENT, SCHEMA_VERSION);
    } else if (typeof version !== "number" || version > SCHEMA_VERSION) {
      throw new TransportError(
        "TRANSPORT_UNSUPPORTED",
        `the queue file has schema version ${String(version)}; this thrift-queue reads version ${SCHEMA_VERSION}`,
        { queue },
      );
    }
    database.exec("COMMIT");
  } catch (error) {
    if (database.isTransaction) database.exec("ROLLBACK");
    throw error;
  }
}
