/**
 * Wakes the consumers of a queue file in this process when a transport of the same process makes work
 * available (a send, a release, a redrive), so they need not wait for their next poll. Other processes cannot be
 * signalled this way: their consumers poll.
 */
import { randomUUID } from "node:crypto";
import { realpathSync } from "node:fs";
import { resolve } from "node:path";

const wakersByKey = new Map<string, Set<() => void>>();

/**
 * The key under which transports of one process meet for `queue` of the file at `path` (call it once the file
 * exists). A `:memory:` database is private to its connection, so it gets a key of its own.
 */
export function sqliteWorkKey(path: string, queue: string): string {
  if (path === ":memory:" || path === "") return `private:${randomUUID()}\u0000${queue}`;
  let file: string;
  try {
    file = realpathSync(path);
  } catch {
    file = resolve(path);
  }
  return `file:${file}\u0000${queue}`;
}

/** Subscribes to work signalled under `key`; returns the function that unsubscribes. */
export function onSqliteWork(key: string, wake: () => void): () => void {
  let wakers = wakersByKey.get(key);
  if (!wakers) wakersByKey.set(key, (wakers = new Set()));
  wakers.add(wake);
  const subscribed = wakers;
  return () => {
    subscribed.delete(wake);
    if (subscribed.size === 0 && wakersByKey.get(key) === subscribed) wakersByKey.delete(key);
  };
}

/** Wakes every consumer subscribed under `key`. */
export function notifySqliteWork(key: string): void {
  const wakers = wakersByKey.get(key);
  if (wakers) for (const wake of [...wakers]) wake();
}
