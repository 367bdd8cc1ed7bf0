/**
 * The status side of the ack rules: the conditional `running` write that decides whether a delivery runs at all
 * (rule 3), and the outcome write that must succeed before a job is settled — when the store stays unavailable
 * the delivery is given back instead, so a job is never acked without its outcome recorded.
 */
import { isFinal } from "../status/job-state.ts";
import type { JobTransition, StatusStore, TransitionOutcome } from "../status/status-store.ts";
import { MetadataKey } from "../transport/envelope.ts";
import { metadataTime } from "./call-decoding.ts";
import type { Route } from "./handler-registry.ts";
import type { JobRun } from "./job-run.ts";
import type { JobRunnerOptions } from "./job-runner-options.ts";
import { ACK, type JobSettler } from "./job-settlement.ts";
import { transitionWithRetry } from "./status-writer.ts";

/** Writes a run's status moves. */
export class JobStatusWrites {
  private readonly options: JobRunnerOptions;
  private readonly settler: JobSettler;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: JobRunnerOptions, settler: JobSettler) {
    this.options = options;
    this.settler = settler;
    this.sleep = (ms) => new Promise((resolve) => options.clock.setTimeout(resolve, ms));
  }

  /**
   * Rule 3: `running` at this attempt, or no run at all — a job already final is acked (a duplicate), one that
   * another delivery runs now comes back in about a lease, and a store that fails gives the delivery back.
   */
  async markRunning(run: JobRun, store: StatusStore, route: Route): Promise<boolean> {
    const { settler } = this;
    let outcome;
    try {
      outcome = await store.transition(this.move(run, "running"));
    } catch (error) {
      settler.reportError(error, run, "the running status could not be written: the job is given back");
      const attempt = run.delivery.attempt;
      await settler.settle(run, settler.nack(route.settings.backoff, attempt, "the status store is unavailable"));
      return false;
    }
    if (outcome.applied) return true;
    const record = outcome.record;
    if (record && isFinal(record.state)) {
      const { events } = this.options;
      if (events.listens("job:duplicate")) events.emit("job:duplicate", { ...settler.eventBase(run), record });
      await settler.settle(run, ACK);
      return false;
    }
    // Another delivery of the same job runs this attempt: come back in about one lease rather than run it twice.
    const delayMs = Math.min(this.options.leaseMs, this.options.transport.capabilities.maxDelayMs);
    await settler.settle(run, { kind: "nack", delayMs, reason: "the job is running in another delivery" });
    return false;
  }

  /**
   * Records a final outcome after flushing progress; false (and the message given back) when the store stays
   * unavailable, so that the job is never settled without its outcome.
   */
  async record(run: JobRun, move: JobTransition, route: Route): Promise<boolean> {
    const { store } = this.options;
    if (!store) return !run.abandoned;
    await run.flushProgress();
    try {
      const outcome = await this.transition(store, move);
      if (!outcome.applied) run.logger.debug({ record: outcome.record?.state }, `${move.to} was not recorded (stale)`);
    } catch (error) {
      const { settler } = this;
      settler.reportError(error, run, `the ${move.to} status could not be written: the job is given back`);
      if (!run.abandoned) {
        const nack = settler.nack(route.settings.backoff, run.delivery.attempt, "status store unavailable");
        await settler.settle(run, nack);
      }
      return false;
    }
    return !run.abandoned;
  }

  /** Applies `move`, retried as the worker's status-write retry says. */
  transition(store: StatusStore, move: JobTransition): Promise<TransitionOutcome> {
    return transitionWithRetry(store, move, this.options.statusRetry, this.sleep);
  }

  /** The move of this run's job to `to`, creating the record if the producer's `queued` write is missing. */
  move(run: JobRun, to: JobTransition["to"]): JobTransition {
    const { delivery } = run;
    return {
      id: delivery.id,
      to,
      attempt: delivery.attempt,
      at: this.options.clock.now(),
      workerId: this.options.workerId,
      create: {
        service: run.service,
        method: run.method,
        queue: delivery.queue,
        enqueuedAt: metadataTime(delivery.metadata, MetadataKey.enqueuedAt),
      },
    };
  }
}
