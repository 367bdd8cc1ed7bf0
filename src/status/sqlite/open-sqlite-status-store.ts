/**
 * Opens the status store a `sqlite:` URL names: on a thread of its own by default ({@link ThreadedSqliteStatusStore}),
 * on the caller's thread with `?thread=false` ({@link SqliteStatusStore}).
 */
import type { OpenStatusStoreOptions } from "../open-status-store.ts";
import type { StatusStore } from "../status-store.ts";
import { sqliteStatusStoreUrl } from "./sqlite-status-options.ts";
import { SqliteStatusStore } from "./sqlite-status-store.ts";
import { ThreadedSqliteStatusStore } from "./threaded-sqlite-status-store.ts";

/** Opens `sqlite:<path>` (relative to the working directory) or `sqlite:///<absolute path>`. */
export async function openSqliteStatusStore(url: URL, options: OpenStatusStoreOptions): Promise<StatusStore> {
  const named = sqliteStatusStoreUrl(url, options.logger);
  return named.thread ? ThreadedSqliteStatusStore.open(named.options) : new SqliteStatusStore(named.options);
}
