/** Turns what `node:sqlite` throws into {@link StatusStoreError}s that say whether a retry may help. */
import { StatusStoreError } from "../../errors.ts";
import { isSqliteBusy } from "../../transport/sqlite/sqlite-errors.ts";

/** Whether `node:sqlite` refused because the database was closed. */
function isClosedDatabase(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ERR_INVALID_STATE";
}

/**
 * Wraps an error from `node:sqlite`: a lock held past the busy timeout is `STORE_UNAVAILABLE` and retryable, a
 * closed database `STORE_CLOSED`, anything else `STORE_FAILED` (disk full, corrupt file…). StatusStoreErrors pass
 * through; the driver's error is kept as `cause`.
 */
export function toSqliteStoreError(error: unknown, doing: string): StatusStoreError {
  if (error instanceof StatusStoreError) return error;
  if (isClosedDatabase(error)) return new StatusStoreError("STORE_CLOSED", `${doing}: the status store is closed`);
  const detail = error instanceof Error ? error.message : String(error);
  if (isSqliteBusy(error)) {
    return new StatusStoreError("STORE_UNAVAILABLE", `${doing}: the database stayed locked: ${detail}`, {
      cause: error,
      retryable: true,
    });
  }
  return new StatusStoreError("STORE_FAILED", `${doing}: ${detail}`, { cause: error });
}
