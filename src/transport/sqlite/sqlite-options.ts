/** Options of the SQLite transport, their defaults (applied here only) and their validation. */
import { ConfigError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import { checkpointModeProblem, type CheckpointMode } from "../../sqlite/wal-checkpoints.ts";

/** Options of {@link SqliteTransport}. */
export interface SqliteTransportOptions {
  /**
   * The database file, shared by every transport and process that opens it (one file can hold many queues).
   * `:memory:` gives a private database that no other transport can see.
   */
  path: string;
  /** Queue name inside the file; transports on the same file and name share messages. */
  queue: string;
  /** Deliveries before a message is dead-lettered. @defaultValue 5 */
  maxAttempts?: number;
  /** Default lease of a delivery, in ms. @defaultValue 30000 */
  leaseMs?: number;
  /**
   * Largest payload accepted, in bytes; at most 1,000,000,000 (SQLite's default limit on a BLOB).
   * @defaultValue 16 MiB
   */
  maxPayloadBytes?: number;
  /**
   * How often an idle consumer looks for work written by other processes, in ms. Sends from the same process
   * wake consumers at once, whatever this says. @defaultValue 50
   */
  pollIntervalMs?: number;
  /** How long a statement waits for another connection's write lock before failing, in ms. @defaultValue 5000 */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting. `normal` (WAL's usual choice) survives a crash of any process but may lose
   * the last commits on a power failure; `full` syncs every commit to disk and survives both, more slowly.
   * @defaultValue "normal"
   */
  synchronous?: "normal" | "full";
  /**
   * Where WAL checkpoints run: `background`, on a thread of the process (commits only append to the WAL, so the
   * copy back into the file and its fsync never stall the event loop), or `inline`, in the commits as SQLite does
   * by default. A `:memory:` database has none. @defaultValue "background"
   */
  checkpoints?: CheckpointMode;
  /** Where the transport warns when its checkpoints fall back to inline. @defaultValue silent */
  logger?: Logger;
  /** Clock, for tests. @defaultValue Date.now */
  now?: () => number;
}

/** {@link SqliteTransportOptions} with every default applied. */
export type ResolvedSqliteOptions = Required<SqliteTransportOptions>;

/** SQLite's default SQLITE_MAX_LENGTH: no BLOB can be larger. */
const SQLITE_MAX_BLOB_BYTES = 1_000_000_000;

const DEFAULTS = {
  maxAttempts: 5,
  leaseMs: 30_000,
  maxPayloadBytes: 16 * 1024 * 1024,
  pollIntervalMs: 50,
  busyTimeoutMs: 5_000,
  synchronous: "normal",
  checkpoints: "background",
  logger: silentLogger,
  now: Date.now,
} as const satisfies Partial<ResolvedSqliteOptions>;

/** Applies the defaults and checks every field; throws one ConfigError naming every bad field. */
export function resolveSqliteOptions(options: SqliteTransportOptions): ResolvedSqliteOptions {
  const resolved: ResolvedSqliteOptions = {
    path: options.path,
    queue: options.queue,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    synchronous: options.synchronous ?? DEFAULTS.synchronous,
    checkpoints: options.checkpoints ?? DEFAULTS.checkpoints,
    logger: options.logger ?? DEFAULTS.logger,
    now: options.now ?? DEFAULTS.now,
  };
  const problems = validateSqliteOptions(resolved);
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid SQLite transport options: ${problems.join("; ")}`);
  }
  return resolved;
}

/** Every problem with resolved options, as readable sentences (empty when they are valid). */
export function validateSqliteOptions(options: ResolvedSqliteOptions): string[] {
  const problems: string[] = [];
  if (typeof options.path !== "string" || options.path === "") problems.push("path must be a non-empty string");
  if (typeof options.queue !== "string" || options.queue === "") problems.push("queue must be a non-empty string");
  const integer = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
    }
  };
  integer("maxAttempts", options.maxAttempts, 1);
  integer("leaseMs", options.leaseMs, 1);
  integer("maxPayloadBytes", options.maxPayloadBytes, 0, SQLITE_MAX_BLOB_BYTES);
  integer("pollIntervalMs", options.pollIntervalMs, 1);
  integer("busyTimeoutMs", options.busyTimeoutMs, 0, 2_147_483_647);
  if (options.synchronous !== "normal" && options.synchronous !== "full") {
    problems.push(`synchronous must be "normal" or "full", not ${JSON.stringify(options.synchronous)}`);
  }
  const checkpoints = checkpointModeProblem(options.checkpoints);
  if (checkpoints !== undefined) problems.push(checkpoints);
  if (typeof options.now !== "function") problems.push("now must be a function");
  return problems;
}
