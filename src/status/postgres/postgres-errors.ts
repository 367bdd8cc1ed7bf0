/**
 * Turns what `pg` throws into {@link StatusStoreError}s: a server that cannot be reached, went away or is
 * overloaded is `STORE_UNAVAILABLE` (retryable); serialisation failures and deadlocks are `STORE_FAILED` but
 * retryable; anything else is `STORE_FAILED`. The driver error is kept as `cause`.
 */
import { StatusStoreError } from "../../errors.ts";

/** Node.js socket error codes that mean the server could not be reached or dropped the connection. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs of an unavailable server: admin/crash shutdown and "cannot connect now" (57P01–57P03), too many
 * connections (53300), out of memory or disk (53xxx), and the whole connection exception class (08xxx).
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith("08") || code.startsWith("53") || code === "57P01" || code === "57P02" || code === "57P03";
}

/** serialization_failure and deadlock_detected: the same statement may well succeed if tried again. */
const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);

/** Messages of `pg` errors that carry no code but mean the connection is gone or never came. */
const CONNECTION_MESSAGE =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|client has encountered a connection error|not queryable|connection closed/i;

/** What `pg` and Node attach to their errors. */
interface DriverErrorShape {
  readonly code?: unknown;
  readonly message?: unknown;
}

/** Whether an error means the server is unreachable or went away (as opposed to refusing a statement). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const { code, message } = error as DriverErrorShape;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return unavailableSqlState(code);
  }
  return typeof message === "string" && CONNECTION_MESSAGE.test(message);
}

/** Wraps an error from `pg` (StatusStoreErrors pass through); `doing` says what the store was doing. */
export function toPostgresStoreError(error: unknown, doing: string): StatusStoreError {
  if (error instanceof StatusStoreError) return error;
  const detail = describe(error);
  if (isConnectionError(error)) {
    return new StatusStoreError("STORE_UNAVAILABLE", `PostgreSQL status store: ${doing}: ${detail}`, {
      cause: error,
      retryable: true,
    });
  }
  const code = typeof error === "object" && error !== null ? (error as DriverErrorShape).code : undefined;
  return new StatusStoreError("STORE_FAILED", `PostgreSQL status store: ${doing}: ${detail}`, {
    cause: error,
    retryable: typeof code === "string" && RETRYABLE_SQLSTATES.has(code),
  });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const { code } = error as DriverErrorShape;
    const message = error.message === "" ? error.name : error.message;
    return typeof code === "string" ? `${message} (${code})` : message;
  }
  return String(error);
}
