/** Turns what `node:sqlite` throws into {@link TransportError}s that say whether a retry may help. */
import { TransportError } from "../../errors.ts";

/** Primary result codes (the low byte of an extended code) that mean "locked by someone else, try again". */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** What `node:sqlite` attaches to its errors. */
interface SqliteErrorShape {
  readonly code?: unknown;
  readonly errcode?: unknown;
}

/** Whether an error from `node:sqlite` is a lock timeout (another connection held the file too long). */
export function isSqliteBusy(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { errcode } = error as SqliteErrorShape;
  if (typeof errcode !== "number") return false;
  const primary = errcode & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

/** Whether `node:sqlite` refused because the database was closed. */
function isClosedDatabase(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as SqliteErrorShape).code === "ERR_INVALID_STATE";
}

/**
 * Wraps an error from `node:sqlite`: lock timeouts are `TRANSPORT_UNAVAILABLE` and retryable, a closed database is
 * `TRANSPORT_CLOSED`, anything else `TRANSPORT_UNAVAILABLE` (disk full, corrupt file…). TransportErrors pass through.
 */
export function toSqliteTransportError(
  error: unknown,
  doing: string,
  queue: string,
  messageIds: readonly string[] = [],
): TransportError {
  if (error instanceof TransportError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (isClosedDatabase(error)) {
    return new TransportError("TRANSPORT_CLOSED", `${doing}: the transport is closed`, { queue, messageIds });
  }
  return new TransportError("TRANSPORT_UNAVAILABLE", `${doing}: ${detail}`, {
    cause: error,
    retryable: isSqliteBusy(error),
    queue,
    messageIds,
  });
}
