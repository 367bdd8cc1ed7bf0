/**
 * The worker's mutable record of one delivery while it is being handled: what it is, its signal (created only
 * when a handler reads it), its timers, its progress reporter and whether a stopping worker abandoned it.
 */
import type { Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import type { Delivery } from "../transport/transport.ts";
import { contextLogger } from "./context-logger.ts";
import type { Route } from "./handler-registry.ts";
import { ProgressReporter } from "./progress-reporter.ts";
import type { TimerHandle, WorkerClock } from "./worker-clock.ts";

/** What every run of a worker shares. */
export interface JobRunShared {
  readonly store: StatusStore | undefined;
  readonly clock: WorkerClock;
  readonly logger: Logger;
  readonly progressIntervalMs: number;
}

/** One delivery being handled. */
export class JobRun {
  readonly delivery: Delivery;
  readonly shared: JobRunShared;
  readonly receivedAt: number;
  route: Route | undefined;
  service = "";
  method = "";
  /** Unix ms, from metadata `deadline`. */
  deadline: number | undefined;
  startedAt = 0;
  /** When the lease was last set or extended. */
  leaseSetAt: number;
  /** A stopping worker gave up waiting: nothing more is written or settled for this delivery. */
  abandoned = false;
  /** The lease was lost: the new delivery owns the job. */
  leaseLost = false;
  /** Set while a handler with a timeout or deadline runs: ends the wait with a failure. */
  interrupt: ((error: Error) => void) | undefined;
  timer: TimerHandle | undefined;
  private controller: AbortController | undefined;
  private abortReason: Error | undefined;
  private reporter: ProgressReporter | undefined;
  private childLogger: Logger | undefined;

  constructor(delivery: Delivery, shared: JobRunShared) {
    this.delivery = delivery;
    this.shared = shared;
    this.receivedAt = shared.clock.now();
    this.leaseSetAt = this.receivedAt;
  }

  /** The job's signal, created on first use (most handlers never read it). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Whether the signal was aborted (read without creating it). */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** The logger with the job's fields, created on first use. */
  get logger(): Logger {
    this.childLogger ??= contextLogger(this.shared.logger, {
      jobId: this.delivery.id,
      service: this.service,
      method: this.method,
      attempt: this.delivery.attempt,
    });
    return this.childLogger;
  }

  /** Aborts the signal once with `reason`. */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  /** Hands a validated report to the coalescing reporter (none without a store). */
  reportProgress(percent: number, message: string | undefined): void {
    const { store } = this.shared;
    if (!store || this.abandoned) return;
    this.reporter ??= new ProgressReporter({
      store,
      jobId: this.delivery.id,
      attempt: this.delivery.attempt,
      intervalMs: this.shared.progressIntervalMs,
      clock: this.shared.clock,
      logger: this.logger,
    });
    this.reporter.report(percent, message);
  }

  /** Writes pending progress before the outcome. */
  flushProgress(): Promise<void> | undefined {
    return this.reporter?.flush();
  }

  /** Clears the run's timeout or deadline timer (the handler's wait is over). */
  clearTimer(): void {
    if (this.timer !== undefined) this.shared.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.interrupt = undefined;
  }

  /** Clears the timer and drops pending progress (the run was abandoned). */
  dispose(): void {
    this.clearTimer();
    this.reporter?.close();
  }
}
