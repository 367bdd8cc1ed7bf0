/**
 * The logger the library writes to. The library never prints; it takes a pino-compatible logger (pino, or
 * anything with the same `(context, message)` methods) and stays silent by default.
 */

/** One log method: a context object first, then the message, as pino takes them. */
export type LogMethod = (context: object, message?: string) => void;

/** A pino-compatible logger. */
export interface Logger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

const ignore: LogMethod = () => undefined;

/** A logger that drops everything: the default wherever a logger is optional. */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
