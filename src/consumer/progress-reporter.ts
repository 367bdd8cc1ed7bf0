/**
 * Coalesces one job's progress reports: at most one store write per window, the latest value winning, and a flush
 * before the job's final status write so the store never shows progress after the outcome.
 */
import type { Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import type { TimerHandle, WorkerClock } from "./worker-clock.ts";

interface PendingProgress {
  readonly percent: number;
  readonly message: string | undefined;
}

/** What a {@link ProgressReporter} writes to. */
export interface ProgressTarget {
  readonly store: StatusStore;
  readonly jobId: string;
  readonly attempt: number;
  /** The coalescing window, in ms. */
  readonly intervalMs: number;
  readonly clock: WorkerClock;
  readonly logger: Logger;
}

/** One job's progress, written at most once per window. */
export class ProgressReporter {
  private readonly target: ProgressTarget;
  private pending: PendingProgress | undefined;
  private writing: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Store writes made so far (for tests and metrics). */
  writes = 0;

  constructor(target: ProgressTarget) {
    this.target = target;
  }

  /** Records a report (already validated); writes now if the window allows, else when it ends. */
  report(percent: number, message: string | undefined): void {
    if (this.closed) return;
    this.pending = { percent, message };
    if (this.timer !== undefined || this.writing !== undefined) return;
    const wait = this.lastWriteAt + this.target.intervalMs - this.target.clock.now();
    if (wait <= 0) this.writeNow();
    else this.schedule(wait);
  }

  /** Writes whatever is pending, after any write in progress; then accepts no more reports. */
  async flush(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    if (this.writing) await this.writing;
    if (this.pending) {
      this.writeNow();
      await this.writing;
    }
  }

  /** Drops what is pending and accepts no more reports (the job was abandoned). */
  close(): void {
    this.closed = true;
    this.pending = undefined;
    this.cancelTimer();
  }

  private schedule(wait: number): void {
    this.timer = this.target.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.pending && this.writing === undefined) this.writeNow();
    }, wait);
  }

  private writeNow(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const { store, jobId, attempt, clock } = this.target;
    const at = clock.now();
    this.lastWriteAt = at;
    this.writes++;
    const update = { id: jobId, attempt, percent: pending.percent, at };
    this.writing = store
      .progress(pending.message === undefined ? update : { ...update, message: pending.message })
      .then(
        () => undefined,
        (error: unknown) => this.target.logger.warn({ err: error }, "progress could not be recorded"),
      )
      .finally(() => {
        this.writing = undefined;
        // A report that came in during the write waits for the rest of its window.
        if (this.pending && !this.closed)
          this.schedule(Math.max(0, this.lastWriteAt + this.target.intervalMs - clock.now()));
      });
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.target.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
