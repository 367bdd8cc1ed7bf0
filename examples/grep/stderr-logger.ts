/** A JSON-lines logger for the example's processes (the library itself never prints). */
import type { Logger } from "thrift-queue";

type LogMethod = Logger["info"];

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Writes one JSON object per line through `write`, at `minimum` and above. */
export function jsonLinesLogger(
  write: (line: string) => void,
  minimum: keyof typeof LEVELS = "info",
  base: Record<string, unknown> = {},
): Logger {
  const method = (level: keyof typeof LEVELS): LogMethod => {
    if (LEVELS[level] < LEVELS[minimum]) return () => undefined;
    return (context, message) =>
      write(
        `${JSON.stringify({ level: LEVELS[level], time: Date.now(), ...base, ...fields(context), msg: message })}\n`,
      );
  };
  return { debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

function fields(context: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value instanceof Error) {
      result[key] = { type: value.name, message: value.message, ...("code" in value ? { code: value.code } : {}) };
    } else {
      result[key] = typeof value === "bigint" ? value.toString() : value;
    }
  }
  return result;
}
