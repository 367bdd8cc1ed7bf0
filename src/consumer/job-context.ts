/**
 * What a handler sees of its job: read-only facts (id, attempt, deadline, metadata), an AbortSignal that fires on
 * timeout, at the deadline and when a stopping worker gives up waiting, a coalescing `progress()` and a logger that
 * tags every entry with the job.
 */
import { HandlerError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metadata } from "../transport/envelope.ts";
import type { JobRun } from "./job-run.ts";

/** The second argument of every handler method (use it as the generated interface's `Context`). */
export interface JobContext {
  /** The job id (the envelope's id). */
  readonly jobId: string;
  /** Unqualified service name. */
  readonly service: string;
  readonly method: string;
  /** 1 on the first delivery, counting redeliveries. */
  readonly attempt: number;
  /** Aborts on timeout, at the deadline, and when a stopping worker's grace period ends. */
  readonly signal: AbortSignal;
  /** When the producer said the job stops being worth running (metadata `deadline`). */
  readonly deadline: Date | undefined;
  /** The envelope's metadata: reserved keys and `x-` user keys. */
  readonly metadata: Metadata;
  /** Logs with `jobId`, `service`, `method` and `attempt` added. */
  readonly logger: Logger;
  /**
   * Reports progress, 0–100 with an optional message; throws `HANDLER_INVALID_PROGRESS` for anything else. Writes
   * are coalesced (at most one per `progressIntervalMs`, the latest wins) and flushed before the outcome.
   */
  progress(percent: number, message?: string): void;
}

/** The frozen context of one job, a view of the worker's mutable {@link JobRun}. */
export class WorkerJobContext implements JobContext {
  readonly #run: JobRun;

  constructor(run: JobRun) {
    this.#run = run;
    Object.freeze(this);
  }

  get jobId(): string {
    return this.#run.delivery.id;
  }

  get service(): string {
    return this.#run.service;
  }

  get method(): string {
    return this.#run.method;
  }

  get attempt(): number {
    return this.#run.delivery.attempt;
  }

  get signal(): AbortSignal {
    return this.#run.signal;
  }

  get deadline(): Date | undefined {
    const deadline = this.#run.deadline;
    return deadline === undefined ? undefined : new Date(deadline);
  }

  get metadata(): Metadata {
    return this.#run.delivery.metadata;
  }

  get logger(): Logger {
    return this.#run.logger;
  }

  progress(percent: number, message?: string): void {
    if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new HandlerError(
        "HANDLER_INVALID_PROGRESS",
        `progress must be a number from 0 to 100, got ${String(percent)}`,
      );
    }
    if (message !== undefined && typeof message !== "string") {
      throw new HandlerError("HANDLER_INVALID_PROGRESS", "a progress message must be a string");
    }
    this.#run.reportProgress(percent, message);
  }
}
