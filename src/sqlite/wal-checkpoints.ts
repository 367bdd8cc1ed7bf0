/**
 * WAL checkpoints off the writers' event loop. In WAL mode SQLite appends each commit to the `-wal` file, and by
 * default the commit that takes the WAL past 1,000 pages also copies it back into the database file and syncs
 * both — on this project's worker bench (SQLite transport and status store, ext4) 20-40 commits of 10,000 jobs
 * took 10-20 ms each that way, two thirds of all commit time, with the event loop stalled. Attached here, a
 * connection leaves that to a thread of the process: its own commits only append (its automatic checkpoint
 * moves to {@link FALLBACK_CHECKPOINT_PAGES}, a bound on the WAL should the thread fall behind), and it flags its
 * file after each commit; the thread runs a PASSIVE checkpoint of each flagged file every
 * {@link CHECKPOINT_INTERVAL_MS}, which waits for no lock and blocks no writer. One thread serves every attached
 * connection of the process and stops a second after the last detaches; it never keeps the process alive. When it cannot
 * start, stops unexpectedly or cannot checkpoint a file, the connections it served checkpoint themselves again
 * (with a warning): durability never depended on it, since a commit is in the WAL before it returns.
 */
import type { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import type { Logger } from "../logger.ts";
import { threadExecArgv } from "./thread-exec-argv.ts";
import type { CheckpointReply, CheckpointRequest, CheckpointThreadData } from "./wal-checkpoint-protocol.ts";

/** Where checkpoints run: on the checkpoint thread (the default for files) or in the commits, as SQLite does. */
export type CheckpointMode = "background" | "inline";

const CHECKPOINT_MODES: readonly unknown[] = ["background", "inline"] satisfies CheckpointMode[];

/** Whether `value` is a checkpoint mode. */
function isCheckpointMode(value: unknown): value is CheckpointMode {
  return CHECKPOINT_MODES.includes(value);
}

/** What is wrong with `value` as a checkpoint mode, as an option's validation says it; undefined when nothing. */
export function checkpointModeProblem(value: unknown): string | undefined {
  return isCheckpointMode(value)
    ? undefined
    : `checkpoints must be "background" or "inline", not ${JSON.stringify(value)}`;
}

/** How often the thread checkpoints a file that was written, in ms. */
export const CHECKPOINT_INTERVAL_MS = 200;

/** SQLite's own automatic checkpoint, in pages: what a connection goes back to without the thread. */
export const SQLITE_CHECKPOINT_PAGES = 1_000;

/** A connection's automatic checkpoint while the thread serves it (about 40 MB of WAL at 4 KiB pages). */
export const FALLBACK_CHECKPOINT_PAGES = 10_000;

/** Files one process can have attached at once; more are checkpointed inline. */
const MAX_SLOTS = 1_024;

/** How long a detaching connection waits at most for the thread to close its own connection to the file, in ms. */
const RELEASE_WAIT_MS = 1_000;

/** How long the thread outlives the last detached connection, so that a file opened again soon reuses it, in ms. */
const IDLE_STOP_MS = 1_000;

// Beside this file: .ts when the sources run directly, .js once built.
const THREAD_ENTRY = new URL(
  import.meta.url.endsWith(".ts") ? "./wal-checkpoint-thread.ts" : "./wal-checkpoint-thread.js",
  import.meta.url,
);

/** A connection's part in the checkpoint thread. */
export interface WalCheckpoints {
  /** Whether the thread checkpoints this connection's file (false: SQLite does, in the commits). */
  readonly background: boolean;
  /** Call after each commit: flags the file for the thread's next checkpoint. */
  committed(this: void): void;
  /** Call before the connection closes: the thread stops checkpointing the file and closes its own connection. */
  detach(this: void): void;
}

/** What {@link attachWalCheckpoints} needs. */
export interface AttachOptions {
  readonly mode: CheckpointMode;
  readonly logger: Logger;
  /** How often the thread looks at the file, in ms (tests). @defaultValue CHECKPOINT_INTERVAL_MS */
  readonly intervalMs?: number;
  /** Told of each checkpoint the thread runs of this file (tests). */
  readonly onCheckpoint?: (frames: number, backfilled: number) => void;
}

const INLINE: WalCheckpoints = Object.freeze({
  background: false,
  committed: () => undefined,
  detach: () => undefined,
});

/**
 * Hands the checkpoints of `database` (opened in WAL mode on `path`) to the process's checkpoint thread, or leaves
 * them to SQLite for `mode: "inline"`, for `:memory:` and once the thread has failed in this process.
 */
export function attachWalCheckpoints(database: DatabaseSync, path: string, options: AttachOptions): WalCheckpoints {
  if (options.mode === "inline" || path === ":memory:" || path === "" || threadFailed) return INLINE;
  const interval = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  if (current === undefined || current.intervalMs !== interval || current.stopping) {
    current = new CheckpointThread(interval);
  }
  return current.attach(database, path, options);
}

/** Set once a thread failed to start or stopped unexpectedly: later connections checkpoint inline. */
let threadFailed = false;
let current: CheckpointThread | undefined;

interface Attached {
  /** Which attachment of its slot this is (slots are reused). */
  readonly generation: number;
  readonly database: DatabaseSync;
  readonly path: string;
  readonly logger: Logger;
  readonly onCheckpoint: ((frames: number, backfilled: number) => void) | undefined;
}

/** One checkpoint thread and the connections it serves. */
class CheckpointThread {
  readonly intervalMs: number;
  stopping = false;
  private readonly worker: Worker;
  private readonly flags: Int32Array;
  private readonly released: Int32Array;
  private idleStop: NodeJS.Timeout | undefined;
  private readonly attached = new Map<number, Attached>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private generations = 0;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
    const dirty = new SharedArrayBuffer(MAX_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const released = new SharedArrayBuffer(MAX_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.flags = new Int32Array(dirty);
    this.released = new Int32Array(released);
    const workerData: CheckpointThreadData = { dirty, released, intervalMs };
    this.worker = new Worker(THREAD_ENTRY, {
      workerData,
      name: "thrift-queue sqlite checkpoints",
      execArgv: threadExecArgv(),
    });
    this.worker.unref();
    this.worker.on("message", (reply: CheckpointReply) => this.onReply(reply));
    this.worker.on("error", (error: Error) => this.failed(`it failed: ${error.message}`));
    this.worker.on("exit", (code) => {
      if (!this.stopping) this.failed(`it exited with code ${code}`);
    });
  }

  attach(database: DatabaseSync, path: string, options: AttachOptions): WalCheckpoints {
    const slot = this.freeSlots.pop() ?? (this.nextSlot < MAX_SLOTS ? this.nextSlot++ : undefined);
    if (slot === undefined) return INLINE;
    clearTimeout(this.idleStop);
    this.idleStop = undefined;
    try {
      database.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
    } catch {
      this.freeSlots.push(slot);
      return INLINE;
    }
    const generation = ++this.generations;
    const { logger, onCheckpoint } = options;
    this.attached.set(slot, { generation, database, path, logger, onCheckpoint });
    this.post({ kind: "add", slot, generation, path });
    const { flags } = this;
    let detached = false;
    return {
      background: true,
      committed: () => {
        Atomics.store(flags, slot, 1);
      },
      detach: () => {
        if (detached) return;
        detached = true;
        this.detach(slot, generation);
      },
    };
  }

  /**
   * Takes the file away from the thread and waits (briefly, blocking) until the thread has closed its connection:
   * the caller's connection is then the last to close, and SQLite checkpoints and removes the WAL as it would
   * without the thread.
   */
  private detach(slot: number, generation: number): void {
    // A slot given up after a failure may hold another file by now.
    if (this.attached.get(slot)?.generation !== generation) return;
    this.attached.delete(slot);
    Atomics.store(this.flags, slot, 0);
    Atomics.store(this.released, slot, 0);
    this.post({ kind: "remove", slot });
    Atomics.wait(this.released, slot, 0, RELEASE_WAIT_MS);
    this.freeSlots.push(slot);
    if (this.attached.size === 0 && !this.stopping) {
      this.idleStop = setTimeout(() => this.stop(), IDLE_STOP_MS);
      this.idleStop.unref();
    }
  }

  private stop(): void {
    if (this.stopping || this.attached.size > 0) return;
    this.stopping = true;
    this.post({ kind: "stop" });
    if (current === this) current = undefined;
  }

  private onReply(reply: CheckpointReply): void {
    const attached = this.attached.get(reply.slot);
    if (attached === undefined || attached.generation !== reply.generation) return;
    if (reply.kind === "checkpointed") {
      attached.onCheckpoint?.(reply.frames, reply.backfilled);
      return;
    }
    this.attached.delete(reply.slot);
    this.freeSlots.push(reply.slot);
    inlineAgain(attached, `the checkpoint thread gave ${attached.path} up (${reply.message})`);
  }

  /** The thread is gone: every connection it served checkpoints itself again, and so will later ones. */
  private failed(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    threadFailed = true;
    if (current === this) current = undefined;
    for (const attached of this.attached.values()) inlineAgain(attached, `the checkpoint thread stopped: ${why}`);
    this.attached.clear();
  }

  private post(request: CheckpointRequest): void {
    try {
      this.worker.postMessage(request);
    } catch {
      // The thread is gone; its exit event already handed the connections back.
    }
  }
}

/** Gives a connection its automatic checkpoint back, saying why; a closed connection needs nothing. */
function inlineAgain(attached: Attached, why: string): void {
  try {
    if (attached.database.isOpen) attached.database.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`);
  } catch {
    // Closing meanwhile.
  }
  try {
    attached.logger.warn({ path: attached.path }, `SQLite: ${why}; its commits checkpoint the file again`);
  } catch {
    // A logger that throws must not take the process down from a worker event.
  }
}
