/**
 * The example's settings, from flags, then `GREP_*` environment variables, then the embedded defaults under the
 * data folder (SQLite queue and status store, a local blob folder).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";

/** Resolved settings of the orchestrator (the workers take the URLs). */
export interface GrepConfig {
  /** `.data/grep` under the working directory unless `--data` / `GREP_DATA`. */
  readonly dataDir: string;
  readonly transport: string;
  readonly store: string;
  readonly blobs: string;
  /** Worker processes (with `autoscale`, the most the scaler starts). @defaultValue 3 */
  readonly workers: number;
  /** Whether the scaler runs the workers (a local fleet from zero to `workers`) instead of a fixed set. */
  readonly autoscale: boolean;
  /** Jobs each worker runs at once. @defaultValue 2 */
  readonly concurrency: number;
  /** Each delivery's lease: how soon a crashed worker's job goes to another. @defaultValue 30000 */
  readonly leaseMs: number;
  readonly webPort: number;
  readonly statusPort: number;
  readonly keepRunning: boolean;
  /** The example search. */
  readonly pattern: string;
  readonly flags: string;
}

/** The example search: requests that probe for known weaknesses. */
export const EXAMPLE_PATTERN = String.raw`wp-login|etc/passwd|phpmyadmin|sqlmap|nikto`;

/** Parses the command line and environment; throws a TypeError with the reason for a bad value. */
export function grepConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): GrepConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: "string" },
      transport: { type: "string" },
      store: { type: "string" },
      blobs: { type: "string" },
      workers: { type: "string" },
      concurrency: { type: "string" },
      "lease-ms": { type: "string" },
      "web-port": { type: "string" },
      "status-port": { type: "string" },
      pattern: { type: "string" },
      flags: { type: "string" },
      "keep-running": { type: "boolean" },
      autoscale: { type: "boolean" },
    },
    strict: true,
  });
  const dataDir = values.data ?? env["GREP_DATA"] ?? join(cwd, ".data", "grep");
  return {
    dataDir,
    transport: values.transport ?? env["GREP_TRANSPORT"] ?? `sqlite:${join(dataDir, "queue.db")}?queue=grep`,
    store: values.store ?? env["GREP_STORE"] ?? `sqlite:${join(dataDir, "status.db")}`,
    blobs: values.blobs ?? env["GREP_BLOBS"] ?? `file:${join(dataDir, "blobs")}`,
    workers: whole("--workers", values.workers ?? env["GREP_WORKERS"], 3, 1, 32),
    concurrency: whole("--concurrency", values.concurrency ?? env["GREP_CONCURRENCY"], 2, 1, 64),
    leaseMs: whole("--lease-ms", values["lease-ms"] ?? env["GREP_LEASE_MS"], 30_000, 1000, 3_600_000),
    webPort: whole("--web-port", values["web-port"] ?? env["GREP_WEB_PORT"], 0, 0, 65535),
    statusPort: whole("--status-port", values["status-port"] ?? env["GREP_STATUS_PORT"], 0, 0, 65535),
    keepRunning: values["keep-running"] ?? env["GREP_KEEP_RUNNING"] === "1",
    autoscale: values.autoscale ?? env["GREP_AUTOSCALE"] === "1",
    pattern: values.pattern ?? EXAMPLE_PATTERN,
    flags: values.flags ?? "i",
  };
}

function whole(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new TypeError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}
