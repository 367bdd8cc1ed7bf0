/** Opens the status store named by `--store` for the commands that read it (`status`, `jobs`, `workers`, `serve`). */
import { StatusStoreError, ThriftQueueError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { openStatusStore } from "../status/open-status-store.ts";
import type { StatusStore } from "../status/status-store.ts";
import { usageError } from "./usage-error.ts";

/** Opens a store; a missing `--store` is a usage error, and any failure a ThriftQueueError (exit 2). */
export async function openCliStore(url: string | undefined, logger?: Logger): Promise<StatusStore> {
  if (url === undefined || url === "") throw usageError("missing --store");
  try {
    return await openStatusStore(url, logger === undefined ? {} : { logger });
  } catch (error) {
    if (error instanceof ThriftQueueError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StatusStoreError("STORE_UNAVAILABLE", `cannot open the status store: ${reason}`, { cause: error });
  }
}

/** Runs `body` with the store open, and closes it afterwards whatever happens. */
export async function withCliStore<T>(url: string | undefined, body: (store: StatusStore) => Promise<T>): Promise<T> {
  const store = await openCliStore(url);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
