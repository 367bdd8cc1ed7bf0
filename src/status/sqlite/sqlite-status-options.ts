/**
 * Options of the SQLite status store, their defaults (applied here only), their validation and how a
 * `sqlite:<path>?tablePrefix=…&busyTimeoutMs=…&synchronous=…&checkpoints=…&maxBatchSize=…&thread=…` URL names them.
 */
import { ConfigError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import { checkpointModeProblem, type CheckpointMode } from "../../sqlite/wal-checkpoints.ts";

/** Options of {@link SqliteStatusStore}. */
export interface SqliteStatusStoreOptions {
  /**
   * The database file, relative to the working directory unless absolute; missing parent folders are created.
   * Every store and process that opens the same file and prefix shares its records. `:memory:` is private.
   */
  readonly path: string;
  /** Prefix of the table names, so that several stores can share one file. @defaultValue "thrift_queue_status_" */
  readonly tablePrefix?: string;
  /** How long a write waits for another connection's lock before failing, in ms. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting: `normal` survives any process crash but may lose the last commits on a power
   * failure; `full` syncs each commit and survives both, more slowly. @defaultValue "normal"
   */
  readonly synchronous?: "normal" | "full";
  /**
   * Where WAL checkpoints run: `background`, on a thread of the process (commits only append to the WAL, so the
   * copy back into the file and its fsync never stall the event loop), or `inline`, in the commits as SQLite does
   * by default. A `:memory:` database has none. @defaultValue "background"
   */
  readonly checkpoints?: CheckpointMode;
  /** Most writes issued in the same event-loop turn that share one transaction. @defaultValue 256 */
  readonly maxBatchSize?: number;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
}

/** {@link SqliteStatusStoreOptions} with every default applied. */
export type ResolvedSqliteStatusStoreOptions = Required<SqliteStatusStoreOptions>;

const DEFAULTS = {
  tablePrefix: "thrift_queue_status_",
  busyTimeoutMs: 5_000,
  synchronous: "normal",
  checkpoints: "background",
  maxBatchSize: 256,
  logger: silentLogger,
} as const;

/** Table prefixes are written into SQL, so only identifier characters are accepted. */
const TABLE_PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Applies the defaults and checks every field; throws one ConfigError naming every bad field. */
export function resolveSqliteStatusStoreOptions(options: SqliteStatusStoreOptions): ResolvedSqliteStatusStoreOptions {
  const resolved: ResolvedSqliteStatusStoreOptions = {
    path: options.path,
    tablePrefix: options.tablePrefix ?? DEFAULTS.tablePrefix,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    synchronous: options.synchronous ?? DEFAULTS.synchronous,
    checkpoints: options.checkpoints ?? DEFAULTS.checkpoints,
    maxBatchSize: options.maxBatchSize ?? DEFAULTS.maxBatchSize,
    logger: options.logger ?? DEFAULTS.logger,
  };
  const problems: string[] = [];
  if (typeof resolved.path !== "string" || resolved.path === "") problems.push("path must be a non-empty string");
  if (typeof resolved.tablePrefix !== "string" || !TABLE_PREFIX.test(resolved.tablePrefix)) {
    problems.push(`tablePrefix must be letters, digits and _ (not first a digit), not ${show(resolved.tablePrefix)}`);
  }
  const integer = (name: string, value: number, min: number, max: number): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${show(value)}`);
    }
  };
  integer("busyTimeoutMs", resolved.busyTimeoutMs, 0, 2_147_483_647);
  integer("maxBatchSize", resolved.maxBatchSize, 1, 100_000);
  if (resolved.synchronous !== "normal" && resolved.synchronous !== "full") {
    problems.push(`synchronous must be "normal" or "full", not ${show(resolved.synchronous)}`);
  }
  const checkpoints = checkpointModeProblem(resolved.checkpoints);
  if (checkpoints !== undefined) problems.push(checkpoints);
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid SQLite status store options: ${problems.join("; ")}`);
  }
  return resolved;
}

/** What a `sqlite:` status store URL names: the store's options, and whether it runs on a thread of its own. */
export interface SqliteStatusStoreUrl {
  readonly options: SqliteStatusStoreOptions;
  /** `?thread=true` runs the connection on a worker thread of its own. @defaultValue false */
  readonly thread: boolean;
}

/** Parses a `sqlite:` status store URL; throws one ConfigError naming every problem. */
export function sqliteStatusStoreUrl(url: URL, logger: Logger | undefined): SqliteStatusStoreUrl {
  const problems: string[] = [];
  if (url.host !== "") problems.push("a sqlite: URL names a local file: sqlite:<path> or sqlite:///<absolute path>");
  let path = "";
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    problems.push(`the path ${JSON.stringify(url.pathname)} is not valid percent-encoding`);
  }
  if (path === "") problems.push("the URL names no file: use sqlite:<path>");
  const options: { -readonly [K in keyof SqliteStatusStoreOptions]: SqliteStatusStoreOptions[K] } = { path };
  if (logger !== undefined) options.logger = logger;
  let thread = false;
  for (const [name, value] of url.searchParams) {
    if (name === "tablePrefix") options.tablePrefix = value;
    else if (name === "thread") {
      if (value === "true" || value === "false") thread = value === "true";
      else problems.push(`thread must be true or false, got ${JSON.stringify(value)}`);
    } else if (name === "synchronous") options.synchronous = value as "normal" | "full";
    else if (name === "checkpoints") options.checkpoints = value as CheckpointMode;
    else if (name === "busyTimeoutMs" || name === "maxBatchSize") {
      const number = value.trim() === "" ? Number.NaN : Number(value);
      if (Number.isFinite(number)) options[name] = number;
      else problems.push(`${name} must be a number, got ${JSON.stringify(value)}`);
    } else problems.push(`unknown parameter ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid sqlite: URL: ${problems.join("; ")}`);
  return { options, thread };
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
