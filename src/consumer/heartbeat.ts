/**
 * The worker's heartbeat: its record in the status store (status, queues, jobs in flight, processed and failed
 * counts), written on start, every interval, on draining and once more as `stopped`.
 */
import { hostname } from "node:os";
import process from "node:process";
import type { Logger } from "../logger.ts";
import type { StatusStore, WorkerRecord, WorkerStatus } from "../status/status-store.ts";
import type { TimerHandle, WorkerClock } from "./worker-clock.ts";

/** The counts a heartbeat reports, read when it is written. */
export interface WorkerCounts {
  readonly inFlight: number;
  readonly processed: number;
  readonly failed: number;
}

/** Options of {@link Heartbeat}. */
export interface HeartbeatOptions {
  readonly store: StatusStore;
  readonly workerId: string;
  readonly instanceId: string;
  readonly queues: readonly string[];
  readonly intervalMs: number;
  readonly clock: WorkerClock;
  readonly logger: Logger;
  readonly counts: () => WorkerCounts;
}

/** Writes one worker's record periodically. */
export class Heartbeat {
  private readonly options: HeartbeatOptions;
  private readonly startedAt: number;
  private status: WorkerStatus = "running";
  private timer: TimerHandle | undefined;
  private writing: Promise<void> | undefined;

  constructor(options: HeartbeatOptions) {
    this.options = options;
    this.startedAt = options.clock.now();
  }

  /** Writes the first beat and starts the interval. */
  start(): void {
    this.timer ??= this.options.clock.setInterval(() => void this.beat(), this.options.intervalMs);
    void this.beat();
  }

  /** Writes a beat now with `status` (skipped if one is still being written, unless it changes the status). */
  async beat(status: WorkerStatus = this.status): Promise<void> {
    if (this.writing && status === this.status) return;
    this.status = status;
    if (this.writing) await this.writing;
    this.writing = this.options.store
      .heartbeat(this.record())
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "heartbeat could not be written"))
      .finally(() => (this.writing = undefined));
    await this.writing;
  }

  /** Stops the interval and writes the final `stopped` beat. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) this.options.clock.clearInterval(this.timer);
    this.timer = undefined;
    await this.beat("stopped");
  }

  /** The record as it stands now. */
  record(): WorkerRecord {
    const { workerId, instanceId, queues, clock } = this.options;
    const counts = this.options.counts();
    return {
      workerId,
      instanceId,
      host: hostname(),
      pid: process.pid,
      status: this.status,
      queues,
      startedAt: this.startedAt,
      lastSeenAt: clock.now(),
      inFlight: counts.inFlight,
      processed: counts.processed,
      failed: counts.failed,
    };
  }
}
