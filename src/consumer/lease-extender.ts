/**
 * Keeps the leases of running jobs alive with one shared sweep (not a timer per job): every `leaseMs / 3` it
 * extends each lease set at least that long ago, so short jobs are never extended at all. A lost lease marks the
 * run, whose outcome is then not settled: the new delivery owns the job.
 */
import type { Logger } from "../logger.ts";
import type { JobRun } from "./job-run.ts";
import type { TimerHandle, WorkerClock } from "./worker-clock.ts";

/** Options of {@link LeaseExtender}. */
export interface LeaseExtenderOptions {
  /** The lease each extension asks for, in ms. */
  readonly leaseMs: number;
  readonly clock: WorkerClock;
  readonly logger: Logger;
  /** Told about extension failures other than a lost lease. */
  readonly onError: (error: unknown, run: JobRun) => void;
}

/** The shared lease-extension sweep of one worker. */
export class LeaseExtender {
  private readonly options: LeaseExtenderOptions;
  private readonly runs = new Set<JobRun>();
  private readonly periodMs: number;
  private timer: TimerHandle | undefined;

  constructor(options: LeaseExtenderOptions) {
    this.options = options;
    this.periodMs = Math.max(1, Math.floor(options.leaseMs / 3));
  }

  /** Starts the sweep; idempotent. */
  start(): void {
    this.timer ??= this.options.clock.setInterval(() => this.sweep(), this.periodMs);
  }

  /** Stops the sweep; leases are no longer extended. */
  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Keeps `run`'s lease alive until {@link remove}. */
  add(run: JobRun): void {
    this.runs.add(run);
  }

  remove(run: JobRun): void {
    this.runs.delete(run);
  }

  /** Extends every lease that is at least a third of a lease old. */
  sweep(): void {
    const now = this.options.clock.now();
    for (const run of this.runs) {
      if (now - run.leaseSetAt < this.periodMs) continue;
      run.leaseSetAt = now;
      run.delivery.extendLease(this.options.leaseMs).catch((error: unknown) => this.failed(run, error));
    }
  }

  private failed(run: JobRun, error: unknown): void {
    if (isLeaseLost(error)) {
      run.leaseLost = true;
      this.runs.delete(run);
      run.logger.warn({ err: error }, "lease lost while the handler ran: the job was delivered again");
      return;
    }
    this.options.onError(error, run);
  }
}

/** Whether `error` says the delivery's lease was lost. */
export function isLeaseLost(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "TRANSPORT_LEASE_LOST";
}
