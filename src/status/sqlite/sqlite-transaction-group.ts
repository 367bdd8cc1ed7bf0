/**
 * Groups the writes issued in one event-loop turn into one `BEGIN IMMEDIATE` transaction: a worker settling many
 * jobs at once, or a producer's batch beside a consumer's starts, then take the write lock and commit once instead
 * of once per call. A write that fails is undone alone and the others still commit; a failed commit fails every
 * write of the group. Writes rarely fail, so a group first runs them all without savepoints (two statements fewer
 * per write); only when one fails is the group rolled back and run again with a savepoint per write — which is why
 * a write's work must touch nothing but the database (running it twice, the first undone, is then harmless).
 * Nothing here awaits: the lock is held for the few statements of one group only, so any number of connections
 * and processes can share the file.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StatusStoreError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";

/** One write waiting for its group. */
interface PendingWrite {
  readonly work: () => unknown;
  readonly doing: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: StatusStoreError) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** How a group reports what `node:sqlite` threw. */
export type ErrorMapper = (error: unknown, doing: string) => StatusStoreError;

/** The write groups of one connection. */
export class TransactionGroup {
  private readonly database: DatabaseSync;
  private readonly maxGroupSize: number;
  private readonly toError: ErrorMapper;
  private readonly logger: Logger;
  private readonly afterCommit: () => void;
  private readonly savepoint: { begin: StatementSync; release: StatementSync; undo: StatementSync };
  private pending: PendingWrite[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /** `afterCommit` runs after each commit (it must not throw): the WAL checkpoint thread's flag. */
  constructor(
    database: DatabaseSync,
    maxGroupSize: number,
    toError: ErrorMapper,
    logger: Logger,
    afterCommit: () => void = () => undefined,
  ) {
    this.database = database;
    this.afterCommit = afterCommit;
    this.maxGroupSize = maxGroupSize;
    this.toError = toError;
    this.logger = logger;
    this.savepoint = {
      begin: database.prepare("SAVEPOINT tq_write"),
      release: database.prepare("RELEASE tq_write"),
      undo: database.prepare("ROLLBACK TO tq_write"),
    };
  }

  /** Whether writes are waiting for their group. */
  get busy(): boolean {
    return this.pending.length > 0;
  }

  /** Runs `work` (which touches only the database) in the next group; resolves once its group committed. */
  write<T>(doing: string, work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, doing, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Runs every waiting write now (before the connection closes). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.pending.length > 0) this.runGroup(this.pending.splice(0, this.maxGroupSize));
  }

  private runGroup(group: readonly PendingWrite[]): void {
    if (!this.begin(group)) return;
    let outcomes = group.length === 1 ? [this.runAlone(group[0]!)] : this.runUnsaved(group);
    if (outcomes === undefined) {
      // Whatever the failed write did before it threw is in the transaction: undo the group, then run each write
      // in a savepoint of its own so that only the failing one is undone.
      this.rollback();
      if (!this.begin(group)) return;
      outcomes = group.map((write) => this.runSaved(write));
    }
    if (!this.database.isTransaction) {
      // SQLite rolled the whole transaction back (disk full, I/O error…): nothing of the group was written.
      const cause = outcomes.find((outcome) => !outcome.ok);
      const error = cause && !cause.ok ? cause.error : new Error("the transaction was rolled back");
      this.failGroup(group, error);
      return;
    }
    try {
      this.database.exec("COMMIT");
    } catch (error) {
      this.failGroup(group, error);
      return;
    }
    this.afterCommit();
    group.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(this.toError(outcome.error, write.doing));
    });
  }

  private begin(group: readonly PendingWrite[]): boolean {
    try {
      this.database.exec("BEGIN IMMEDIATE");
      return true;
    } catch (error) {
      for (const write of group) write.reject(this.toError(error, write.doing));
      return false;
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

  /**
   * Runs the writes one after the other without savepoints; undefined as soon as one fails (the rest are not run:
   * the failure may have ended the transaction, and a write outside it would commit on its own).
   */
  private runUnsaved(group: readonly PendingWrite[]): Outcome[] | undefined {
    const outcomes: Outcome[] = [];
    for (const write of group) {
      const outcome = this.runAlone(write);
      if (!outcome.ok) return undefined;
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** A write without a savepoint: alone in its group (a failure leaves nothing else to keep), or in a first try. */
  private runAlone(write: PendingWrite): Outcome {
    try {
      return { ok: true, value: write.work() };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private runSaved(write: PendingWrite): Outcome {
    if (!this.database.isTransaction) return { ok: false, error: new Error("the transaction was rolled back") };
    try {
      this.savepoint.begin.run();
      const value = write.work();
      this.savepoint.release.run();
      return { ok: true, value };
    } catch (error) {
      if (this.database.isTransaction) {
        try {
          this.savepoint.undo.run();
          this.savepoint.release.run();
        } catch {
          // The transaction is gone after all; runGroup sees it and fails the group.
        }
      }
      return { ok: false, error };
    }
  }

  private failGroup(group: readonly PendingWrite[], error: unknown): void {
    this.rollback();
    this.logger.warn({ err: error, writes: group.length }, "SQLite status store: a write transaction failed");
    for (const write of group) write.reject(this.toError(error, write.doing));
  }
}
