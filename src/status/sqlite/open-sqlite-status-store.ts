/**
 * Opens the status store a `sqlite:` URL names: on the caller's thread by default ({@link SqliteStatusStore}), on a
 * thread of its own with `?thread=true` ({@link ThreadedSqliteStatusStore}).
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
