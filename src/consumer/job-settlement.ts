/**
 * The transport side of the ack rules: how a delivery is settled (ack, nack with a backoff delay, dead-letter),
 * never for an abandoned run and never throwing (a lost lease is logged: the new delivery owns the job), and how
 * failures and job events are reported.
 */
import type { JobRun } from "./job-run.ts";
import type { JobRunnerOptions } from "./job-runner-options.ts";
import { isLeaseLost } from "./lease-extender.ts";
import { backoffDelayMs, type BackoffSchedule } from "./retry-policy.ts";
import type { WorkerEvents } from "./worker-events.ts";

/** What becomes of a delivery. */
export type Settlement =
  | { readonly kind: "ack" }
  | { readonly kind: "nack"; readonly delayMs: number; readonly reason: string }
  | { readonly kind: "dead"; readonly reason: string };

/** The one ack settlement (it carries nothing). */
export const ACK: Settlement = Object.freeze({ kind: "ack" });

/** Settles deliveries and reports what happened to them. */
export class JobSettler {
  private readonly options: JobRunnerOptions;

  constructor(options: JobRunnerOptions) {
    this.options = options;
  }

  /** Settles the delivery unless abandoned; a lost lease is logged (the new delivery owns the job). */
  async settle(run: JobRun, settlement: Settlement): Promise<void> {
    if (run.abandoned) return;
    const { delivery } = run;
    try {
      if (settlement.kind === "ack") await delivery.ack();
      else if (settlement.kind === "nack")
        await delivery.nack({ delayMs: settlement.delayMs, reason: settlement.reason });
      else await delivery.deadLetter(settlement.reason);
    } catch (error) {
      if (isLeaseLost(error)) run.logger.warn({ err: error }, `${settlement.kind} refused: the lease was lost`);
      else this.reportError(error, run, `the delivery could not be settled (${settlement.kind})`);
    }
  }

  /** A nack after the backoff of `attempt`, within what the transport can delay. */
  nack(backoff: BackoffSchedule, attempt: number, reason: string): Settlement & { kind: "nack" } {
    const delay = backoffDelayMs(attempt, backoff, this.options.random);
    return { kind: "nack", delayMs: Math.min(delay, this.options.transport.capabilities.maxDelayMs), reason };
  }

  /** Logs an unexpected failure of a run and emits `error` when anyone listens. */
  reportError(error: unknown, run: JobRun, message: string): void {
    run.logger.error({ err: error }, message);
    const { events } = this.options;
    if (events.listens("error")) {
      events.emit("error", {
        error: error instanceof Error ? error : new Error(String(error)),
        jobId: run.delivery.id,
      });
    }
  }

  /** The fields every job event carries. */
  eventBase(run: JobRun): WorkerEvents["job:started"] {
    return { jobId: run.delivery.id, service: run.service, method: run.method, attempt: run.delivery.attempt };
  }

  /** The fields of a settled job's event: the base and how long the handler's run took. */
  settledEvent(run: JobRun): WorkerEvents["job:succeeded"] {
    return { ...this.eventBase(run), durationMs: this.options.clock.now() - run.startedAt };
  }
}
