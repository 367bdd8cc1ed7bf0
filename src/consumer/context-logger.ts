/** A logger that adds fixed fields to every entry: the Logger interface has no `child()`, so the worker wraps it. */
import type { LogMethod, Logger } from "../logger.ts";

/** Wraps `base` so that every entry carries `fields` (the entry's own context wins on a clash). */
export function contextLogger(base: Logger, fields: Readonly<Record<string, unknown>>): Logger {
  const wrap =
    (method: LogMethod): LogMethod =>
    (context, message) =>
      method.call(base, { ...fields, ...context }, message);
  return Object.freeze({
    debug: wrap(base.debug),
    info: wrap(base.info),
    warn: wrap(base.warn),
    error: wrap(base.error),
  });
}
