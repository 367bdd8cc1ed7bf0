/**
 * The queue writes asked for in one event-loop turn — sends, acks, nacks, dead-letters, releases — committed in one
 * `BEGIN IMMEDIATE` transaction: a worker finishing many jobs while a producer sends takes the write lock and
 * commits once instead of once per call (a commit per ack, and one per small send batch, were the SQLite
 * transport's largest costs per job). Each write is undone alone when it fails: the batch first runs them all in
 * one transaction, and only when one throws rolls it back and runs each write in a transaction of its own — which
 * is why a write must touch nothing but the database (running it twice, the first undone, is then harmless). A
 * failed `BEGIN` or `COMMIT` fails the whole batch: nothing of it was written. Nothing here awaits: the lock is
 * held for the statements of one batch only, so any number of connections and processes can share the file.
 */
import type { DatabaseSync } from "node:sqlite";

/** One write waiting for its batch. */
interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The write batches of one connection. */
export class WriteBatch {
  private readonly database: DatabaseSync;
  private readonly maxBatchSize: number;
  private readonly afterCommit: () => void;
  private pending: PendingWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /** `afterCommit` runs after each commit (it must not throw): the WAL checkpoint thread's flag. */
  constructor(database: DatabaseSync, maxBatchSize: number, afterCommit: () => void = () => undefined) {
    this.database = database;
    this.maxBatchSize = maxBatchSize;
    this.afterCommit = afterCommit;
  }

  /**
   * Runs `work` (database statements only) in the next batch; resolves with its result once the batch committed,
   * rejects with what `node:sqlite` threw (and nothing of `work` is written).
   */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Runs every waiting write now (before the connection closes). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.pending.length > 0) this.runBatch(this.pending.splice(0, this.maxBatchSize));
  }

  private runBatch(batch: readonly PendingWrite[]): void {
    try {
      this.database.exec("BEGIN IMMEDIATE");
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    const values: unknown[] = [];
    for (const write of batch) {
      try {
        values.push(write.work());
      } catch {
        // Undo the batch (the failed write may have run some statements), then give each write its own try.
        this.rollback();
        for (const each of batch) this.runAlone(each);
        return;
      }
    }
    try {
      this.database.exec("COMMIT");
    } catch (error) {
      this.rollback();
      for (const write of batch) write.reject(error);
      return;
    }
    this.afterCommit();
    batch.forEach((write, index) => write.resolve(values[index]));
  }

  private runAlone(write: PendingWrite): void {
    try {
      this.database.exec("BEGIN IMMEDIATE");
      const value = write.work();
      this.database.exec("COMMIT");
      this.afterCommit();
      write.resolve(value);
    } catch (error) {
      this.rollback();
      write.reject(error);
    }
  }

  private rollback(): void {
    if (!this.database.isTransaction) return;
    try {
      this.database.exec("ROLLBACK");
    } catch {
      // Nothing more to undo.
    }
  }
}
