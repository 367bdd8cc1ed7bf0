/**
 * The settlements (acks, nacks, dead-letters, releases) asked for in one event-loop turn, committed in one
 * `BEGIN IMMEDIATE` transaction: a worker finishing many jobs at once takes the write lock and commits once
 * instead of once per message (one commit per ack was the SQLite transport's largest cost per job). Each
 * settlement is a single statement, so one that fails changes nothing and the others still commit; a failed
 * `BEGIN` or `COMMIT`, or a failure that ends the transaction, fails them all — those messages stay leased and
 * come back when their lease runs out, as after any failed settlement. Nothing here awaits: the lock is held for
 * the statements of one batch only.
 */
import type { DatabaseSync } from "node:sqlite";

/** One settlement waiting for its batch. */
interface PendingSettlement {
  readonly work: () => boolean;
  readonly resolve: (changed: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** The settlement batches of one connection. */
export class SettleBatch {
  private readonly database: DatabaseSync;
  private readonly maxBatchSize: number;
  private pending: PendingSettlement[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(database: DatabaseSync, maxBatchSize: number) {
    this.database = database;
    this.maxBatchSize = maxBatchSize;
  }

  /**
   * Runs `work` (one statement; true when it changed the row) in the next batch; resolves with its result once
   * the batch committed, rejects with what `node:sqlite` threw.
   */
  settle(work: () => boolean): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Runs every waiting settlement now (before the connection closes). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.pending.length > 0) this.runBatch(this.pending.splice(0, this.maxBatchSize));
  }

  private runBatch(batch: readonly PendingSettlement[]): void {
    if (batch.length === 1) {
      // A statement alone commits on its own: no BEGIN and COMMIT to pay for.
      const only = batch[0]!;
      try {
        only.resolve(only.work());
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    try {
      this.database.exec("BEGIN IMMEDIATE");
    } catch (error) {
      for (const settlement of batch) settlement.reject(error);
      return;
    }
    const outcomes: ({ ok: true; changed: boolean } | { ok: false; error: unknown })[] = [];
    for (const settlement of batch) {
      try {
        outcomes.push({ ok: true, changed: settlement.work() });
      } catch (error) {
        if (!this.database.isTransaction) {
          // SQLite rolled the whole transaction back (disk full, I/O error…): nothing of the batch was written.
          for (const each of batch) each.reject(error);
          return;
        }
        outcomes.push({ ok: false, error });
      }
    }
    try {
      this.database.exec("COMMIT");
    } catch (error) {
      if (this.database.isTransaction) this.rollback();
      for (const settlement of batch) settlement.reject(error);
      return;
    }
    batch.forEach((settlement, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) settlement.resolve(outcome.changed);
      else settlement.reject(outcome.error);
    });
  }

  private rollback(): void {
    try {
      this.database.exec("ROLLBACK");
    } catch {
      // Nothing more to undo.
    }
  }
}
