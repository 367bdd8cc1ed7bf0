/** The messages between a process's connections and its WAL checkpoint thread (wal-checkpoints.ts). */

/** What the thread is given when it starts. */
export interface CheckpointThreadData {
  /** One Int32 a slot: 1 when the slot's file has commits not yet checkpointed. */
  readonly dirty: SharedArrayBuffer;
  /** One Int32 a slot: set to 1 (and notified) once the thread has closed its connection to the slot's file. */
  readonly released: SharedArrayBuffer;
  /** How often the thread looks at the flags, in ms. */
  readonly intervalMs: number;
}

/** To the thread: checkpoint `path` when slot `slot` is flagged; stop checkpointing a slot; stop altogether. */
export type CheckpointRequest =
  | { readonly kind: "add"; readonly slot: number; readonly generation: number; readonly path: string }
  | { readonly kind: "remove"; readonly slot: number }
  | { readonly kind: "stop" };

/**
 * From the thread: a file it could not open or checkpoint (it gives the slot up), or a checkpoint done (tests).
 * `generation` is the one of the `add` that gave the slot its file, so that a reply about a file a slot no longer
 * holds is ignored.
 */
export type CheckpointReply =
  | { readonly kind: "failed"; readonly slot: number; readonly generation: number; readonly message: string }
  | {
      readonly kind: "checkpointed";
      readonly slot: number;
      readonly generation: number;
      readonly frames: number;
      readonly backfilled: number;
    };
