/**
 * The ack rules (docs/workers.md): one delivery from decoding to settlement. Every outcome is recorded before the
 * message is settled, a job is acked only once its outcome is recorded, and nothing here ever throws past `run`.
 * The steps live beside it: status writes (job-status-writes.ts), handler execution (handler-execution.ts),
 * outcomes (job-outcomes.ts) and settlement (job-settlement.ts).
 */
import { MetadataKey } from "../transport/envelope.ts";
import { decodeDelivery, metadataTime, namesOfMessage } from "./call-decoding.ts";
import { executeHandler } from "./handler-execution.ts";
import { JobOutcomes } from "./job-outcomes.ts";
import type { JobRun } from "./job-run.ts";
import type { JobRunnerOptions } from "./job-runner-options.ts";
import { JobSettler } from "./job-settlement.ts";
import { JobStatusWrites } from "./job-status-writes.ts";

export type { JobRunnerOptions } from "./job-runner-options.ts";

/** Runs deliveries through the ack rules. */
export class JobRunner {
  private readonly options: JobRunnerOptions;
  private readonly settler: JobSettler;
  private readonly status: JobStatusWrites;
  private readonly outcomes: JobOutcomes;

  constructor(options: JobRunnerOptions) {
    this.options = options;
    this.settler = new JobSettler(options);
    this.status = new JobStatusWrites(options, this.settler);
    this.outcomes = new JobOutcomes(options, this.settler, this.status);
  }

  /** Handles one delivery to its settlement; never rejects. */
  async run(run: JobRun): Promise<void> {
    try {
      await this.handle(run);
    } catch (error) {
      // Not expected (every step catches its own failures); the delivery's lease brings the message back.
      this.settler.reportError(error, run, "the worker failed to handle a delivery");
    }
  }

  private async handle(run: JobRun): Promise<void> {
    const { options, outcomes } = this;
    const { delivery } = run;
    const call = decodeDelivery(options.registry.services, delivery.metadata, delivery.payload, options.limits);
    if (call instanceof Error) {
      Object.assign(run, namesOfMessage(delivery.metadata, delivery.payload));
      return outcomes.deadWithoutRunning(run, { type: call.code, message: call.message }, options.defaultBackoff);
    }
    run.service = call.service.name;
    run.method = call.method.name;
    const route = options.registry.route(call.service, call.method);
    if (!route) {
      const error = { type: "HANDLER_UNKNOWN_METHOD", message: `no handler for ${run.service}.${run.method}` };
      return outcomes.deadWithoutRunning(run, error, options.defaultBackoff);
    }
    run.route = route;
    run.deadline = metadataTime(delivery.metadata, MetadataKey.deadline);
    if (run.deadline !== undefined && run.deadline <= options.clock.now()) {
      const error = {
        type: "DEADLINE_EXCEEDED",
        message: `the deadline ${new Date(run.deadline).toISOString()} passed`,
      };
      return outcomes.deadWithoutRunning(run, error, route.settings.backoff);
    }
    if (options.store && !(await this.status.markRunning(run, options.store, route))) return;
    const outcome = await executeHandler(run, route, call.args, options, this.settler);
    if (run.abandoned) return;
    if (run.leaseLost) {
      run.logger.warn({}, "the job's outcome is not settled: its lease was lost and it was delivered again");
      return;
    }
    if (outcome.ok) await outcomes.succeed(run, route, outcome.value);
    else await outcomes.fail(run, route, outcome.error);
  }
}
