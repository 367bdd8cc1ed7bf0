/**
 * The CLI's logger for long-running commands (`worker`): one JSON object per line, pino's shape
 * (`{"level":30,"time":…,"pid":…,…fields,"msg":…}`), at or above a level. The library itself never prints.
 * Any context can be logged: bigints, Maps, Sets, bytes, errors and cycles are rendered, never thrown on.
 */
import process from "node:process";
import type { Logger, LogMethod } from "../logger.ts";
import { usageError } from "./usage-error.ts";

/** Log levels, as pino numbers them. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A level name. */
export type LogLevel = keyof typeof LEVELS;

/** Parses `--log-level`; throws a usage error for anything else. */
export function logLevel(text: string | undefined): LogLevel {
  const level = text ?? "info";
  if (!Object.hasOwn(LEVELS, level)) throw usageError(`--log-level must be one of ${Object.keys(LEVELS).join(", ")}`);
  return level as LogLevel;
}

/** A logger writing JSON lines through `write`. */
export function jsonLinesLogger(write: (line: string) => void, minimum: LogLevel = "info"): Logger {
  const method = (level: LogLevel): LogMethod => {
    if (LEVELS[level] < LEVELS[minimum]) return () => undefined;
    return (context, message) => write(`${line(LEVELS[level], context, message)}\n`);
  };
  return { debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

function plainContext(context: unknown): object {
  return typeof context === "object" && context !== null ? context : { context };
}

/** Bytes longer than this are logged by length only. */
const MAX_LOGGED_BYTES = 64;

function line(level: number, context: unknown, message: string | undefined): string {
  const seen = new WeakSet<object>();
  try {
    const entry = { level, time: Date.now(), pid: process.pid, ...plainContext(context), msg: message };
    return JSON.stringify(entry, (_key, value: unknown) => loggable(value, seen));
  } catch (error) {
    // A getter that throws, say: the line still says what was being logged.
    return JSON.stringify({ level, time: Date.now(), pid: process.pid, msg: message, logError: String(error) });
  }
}

function loggable(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), item]));
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) {
    return value.length <= MAX_LOGGED_BYTES
      ? { bytes: Buffer.from(value).toString("base64") }
      : { bytes: `${value.length} bytes` };
  }
  return value;
}
