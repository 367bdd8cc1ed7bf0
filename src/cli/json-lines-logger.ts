/**
 * The CLI's logger for long-running commands (`worker`): one JSON object per line, pino's shape
 * (`{"level":30,"time":…,"msg":…,…fields}`), at or above a level. The library itself never prints.
 */
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
    return (context, message) =>
      write(`${JSON.stringify({ level: LEVELS[level], time: Date.now(), ...fields(context), msg: message })}\n`);
  };
  return { debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

/** The context's fields, with errors as `{ type, message, code }` (JSON.stringify drops their properties). */
function fields(context: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    result[key] =
      value instanceof Error
        ? { type: value.name, message: value.message, ...("code" in value ? { code: value.code } : {}) }
        : typeof value === "bigint"
          ? value.toString()
          : value;
  }
  return result;
}
