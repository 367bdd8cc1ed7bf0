/**
 * Opening the SQLite transport from a parsed `sqlite:<path>?queue=<queue>` URL (the embedded default). The path
 * is relative to the working directory unless absolute (`sqlite:/var/lib/jobs.db` or `sqlite:///var/lib/jobs.db`),
 * percent-decoded. Parameters beyond the common ones: `pollIntervalMs`, `maxPayloadBytes`, `busyTimeoutMs`,
 * `synchronous` (`normal` or `full`), `checkpoints` (`background` or `inline`).
 */
import { ConfigError } from "../../errors.ts";
import { checkpointModeProblem, type CheckpointMode } from "../../sqlite/wal-checkpoints.ts";
import type { CommonTransportSettings } from "../open-transport.ts";
import type { Transport } from "../transport.ts";
import { numericParam, type TransportUrl } from "../transport-url.ts";
import type { SqliteTransportOptions } from "./sqlite-options.ts";

/** Query parameters the SQLite transport reads itself. */
const OWN_NUMERIC_PARAMETERS = ["pollIntervalMs", "maxPayloadBytes", "busyTimeoutMs"] as const;

/** Parameters read by the common layer ({@link CommonTransportSettings}). */
const COMMON_PARAMETERS = ["maxAttempts", "leaseMs"];

/** The transport options a parsed `sqlite:` URL names; throws one ConfigError naming every problem. */
export function sqliteOptionsFromUrl(url: TransportUrl, settings: CommonTransportSettings): SqliteTransportOptions {
  const problems: string[] = [];
  if (url.url.host !== "")
    problems.push("a sqlite: URL names a local file: sqlite:<path> or sqlite:///<absolute path>");
  let path = "";
  try {
    path = decodeURIComponent(url.url.pathname);
  } catch {
    problems.push(`the path ${JSON.stringify(url.url.pathname)} is not valid percent-encoding`);
  }
  const options: SqliteTransportOptions = { path, queue: url.queue, ...settings };
  for (const name of OWN_NUMERIC_PARAMETERS) {
    try {
      const value = numericParam(url, name, Number.NaN);
      if (!Number.isNaN(value)) options[name] = value;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  const synchronous = url.params.get("synchronous");
  if (synchronous === "normal" || synchronous === "full") options.synchronous = synchronous;
  else if (synchronous !== undefined) {
    problems.push(`synchronous must be "normal" or "full", not ${JSON.stringify(synchronous)}`);
  }
  const checkpoints = url.params.get("checkpoints");
  if (checkpoints !== undefined) {
    const problem = checkpointModeProblem(checkpoints);
    if (problem === undefined) options.checkpoints = checkpoints as CheckpointMode;
    else problems.push(problem);
  }
  const known = new Set<string>([...COMMON_PARAMETERS, ...OWN_NUMERIC_PARAMETERS, "synchronous", "checkpoints"]);
  for (const name of url.params.keys()) {
    if (!known.has(name)) problems.push(`unknown parameter ${JSON.stringify(name)}`);
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid sqlite: URL: ${problems.join("; ")}`);
  return options;
}

/** The opener of the `sqlite` family for `openTransport` (imported lazily, like every family). */
export async function openSqliteTransport(url: TransportUrl, settings: CommonTransportSettings): Promise<Transport> {
  const options = sqliteOptionsFromUrl(url, settings);
  const { SqliteTransport } = await import("./sqlite-transport.ts");
  return new SqliteTransport(options);
}
