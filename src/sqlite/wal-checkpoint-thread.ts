/**
 * The WAL checkpoint thread (started by wal-checkpoints.ts): one connection per file it serves, and every
 * `intervalMs` a PASSIVE checkpoint of each file whose flag says it was written since the last one. A PASSIVE
 * checkpoint never waits for a lock and never blocks the writers; it copies what the WAL holds into the database
 * file and syncs both, which is the part that took the writers' event loop 10-20 ms every thousand pages when
 * SQLite ran it inside a commit. Only node builtins are used: the file runs as .ts from the sources and as .js
 * once built.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { CheckpointReply, CheckpointRequest, CheckpointThreadData } from "./wal-checkpoint-protocol.ts";

interface ServedFile {
  readonly generation: number;
  readonly database: DatabaseSync;
  readonly checkpoint: StatementSync;
}

const port = parentPort;
if (port === null) throw new Error("wal-checkpoint-thread.ts runs as a worker thread");
const { dirty, released, intervalMs } = workerData as CheckpointThreadData;
const flags = new Int32Array(dirty);
const releasedFlags = new Int32Array(released);
const files = new Map<number, ServedFile>();
const sqlite = process.getBuiltinModule("node:sqlite");

const reply = (message: CheckpointReply): void => port.postMessage(message);
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function add(slot: number, generation: number, path: string): void {
  try {
    const database = new sqlite.DatabaseSync(path);
    try {
      // A checkpoint never waits for a lock, but opening reads the schema, which may.
      database.exec("PRAGMA busy_timeout = 1000");
      files.set(slot, { generation, database, checkpoint: database.prepare("PRAGMA wal_checkpoint(PASSIVE)") });
    } catch (error) {
      database.close();
      throw error;
    }
    // Commits made before the file was added are checkpointed at the next tick too.
    Atomics.store(flags, slot, 1);
  } catch (error) {
    reply({ kind: "failed", slot, generation, message: `cannot open ${path}: ${describe(error)}` });
  }
}

function remove(slot: number): void {
  const file = files.get(slot);
  files.delete(slot);
  try {
    file?.database.close();
  } catch {
    // Closed already.
  }
  // The connection waits for this before it closes its own, so that it is the last and removes the WAL.
  Atomics.store(releasedFlags, slot, 1);
  Atomics.notify(releasedFlags, slot);
}

function tick(): void {
  for (const [slot, file] of files) {
    if (Atomics.exchange(flags, slot, 0) !== 1) continue;
    try {
      const row = file.checkpoint.get();
      const { generation } = file;
      reply({
        kind: "checkpointed",
        slot,
        generation,
        frames: Number(row?.["log"]),
        backfilled: Number(row?.["checkpointed"]),
      });
    } catch (error) {
      remove(slot);
      reply({ kind: "failed", slot, generation: file.generation, message: `checkpoint failed: ${describe(error)}` });
    }
  }
}

const timer = setInterval(tick, intervalMs);

port.on("message", (request: CheckpointRequest) => {
  if (request.kind === "add") add(request.slot, request.generation, request.path);
  else if (request.kind === "remove") remove(request.slot);
  else {
    clearInterval(timer);
    for (const slot of [...files.keys()]) remove(slot);
    port.close();
  }
});
