/**
 * Rules 1, 2 and 5–7 of the ack rules (docs/workers.md): what is recorded and how the delivery is settled for each
 * way a job can end — succeeded, failed with a declared exception, retried, dead after its attempts or without
 * running at all. The outcome is always recorded first; a job is settled only once its outcome is.
 */
import { TimeoutError } from "../errors.ts";
import type { JobError } from "../status/status-store.ts";
import { DeclaredException } from "./declared-exception.ts";
import type { Route } from "./handler-registry.ts";
import { reasonOf, toJobError } from "./job-errors.ts";
import type { JobRun } from "./job-run.ts";
import type { JobRunnerOptions } from "./job-runner-options.ts";
import { ACK, type JobSettler } from "./job-settlement.ts";
import type { JobStatusWrites } from "./job-status-writes.ts";
import type { BackoffSchedule } from "./retry-policy.ts";

/** Records and settles the end of each run. */
export class JobOutcomes {
  private readonly options: JobRunnerOptions;
  private readonly settler: JobSettler;
  private readonly status: JobStatusWrites;

  constructor(options: JobRunnerOptions, settler: JobSettler, status: JobStatusWrites) {
    this.options = options;
    this.settler = settler;
    this.status = status;
  }

  /** Rule 5: record `succeeded` with the encoded result, then ack. */
  async succeed(run: JobRun, route: Route, value: unknown): Promise<void> {
    const { method } = route;
    let result: Uint8Array | undefined;
    if (method.result) {
      try {
        result = method.result.encode(method.def.returnType === null ? {} : { success: value }, "binary");
      } catch (error) {
        return this.fail(run, route, error);
      }
    }
    const move = this.status.move(run, "succeeded");
    if (!(await this.status.record(run, result === undefined ? move : { ...move, result }, route))) return;
    await this.settler.settle(run, ACK);
    this.options.settled(false);
    const { events } = this.options;
    if (events.listens("job:succeeded")) events.emit("job:succeeded", this.settler.settledEvent(run));
  }

  /** Rules 6 and 7: a declared exception is final (unless retryable); anything else is retried, then dead. */
  async fail(run: JobRun, route: Route, error: unknown): Promise<void> {
    const { settings } = route;
    const { attempt } = run.delivery;
    const jobError = toJobError(error);
    const field = error instanceof DeclaredException ? route.exceptionFields.get(error.qualifiedName) : undefined;
    if (
      error instanceof DeclaredException &&
      field !== undefined &&
      (!settings.retryable || attempt >= settings.maxAttempts)
    ) {
      return this.failDeclared(run, route, error, field, jobError);
    }
    const pastDeadline = error instanceof TimeoutError && error.code === "DEADLINE_EXCEEDED";
    if (!pastDeadline && attempt < settings.maxAttempts) return this.retry(run, route, jobError);
    const reason = pastDeadline
      ? reasonOf(jobError)
      : `exceeded ${settings.maxAttempts} attempts; last error: ${reasonOf(jobError)}`;
    if (!(await this.status.record(run, { ...this.status.move(run, "dead"), error: jobError }, route))) return;
    await this.settler.settle(run, { kind: "dead", reason });
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:dead")) {
      events.emit("job:dead", { ...this.settler.eventBase(run), error: jobError, reason });
    }
  }

  /** Rules 1 and 2: `dead` without running (create-if-absent), then dead-lettered. */
  async deadWithoutRunning(run: JobRun, error: JobError, backoff: BackoffSchedule): Promise<void> {
    const { store, events } = this.options;
    const { settler } = this;
    run.logger.warn({ error }, "dead-lettered without running");
    if (store) {
      try {
        await this.status.transition(store, { ...this.status.move(run, "dead"), error });
      } catch (storeError) {
        settler.reportError(storeError, run, "the dead status could not be written: the message is given back");
        await settler.settle(run, settler.nack(backoff, run.delivery.attempt, reasonOf(error)));
        return;
      }
    }
    const reason = reasonOf(error);
    await settler.settle(run, { kind: "dead", reason });
    this.options.settled(true);
    if (events.listens("job:dead")) events.emit("job:dead", { ...settler.eventBase(run), error, reason });
  }

  private async failDeclared(
    run: JobRun,
    route: Route,
    error: DeclaredException,
    field: string,
    jobError: JobError,
  ): Promise<void> {
    let result: Uint8Array | undefined;
    try {
      result = route.method.result?.encode({ [field]: error.value }, "binary");
    } catch (encodeError) {
      run.logger.warn({ err: encodeError }, "the declared exception could not be encoded into the result");
    }
    const move = { ...this.status.move(run, "failed"), error: jobError, result };
    if (!(await this.status.record(run, move, route))) return;
    await this.settler.settle(run, ACK);
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:failed")) {
      events.emit("job:failed", { ...this.settler.settledEvent(run), error: jobError });
    }
  }

  private async retry(run: JobRun, route: Route, jobError: JobError): Promise<void> {
    const { settler } = this;
    const settlement = settler.nack(route.settings.backoff, run.delivery.attempt, reasonOf(jobError));
    const { store } = this.options;
    if (store) {
      // The nack is the same whether or not `retrying` is recorded: the next attempt's `running` follows either.
      try {
        await this.status.transition(store, { ...this.status.move(run, "retrying"), error: jobError });
      } catch (error) {
        settler.reportError(error, run, "the retrying status could not be written");
      }
    }
    if (run.abandoned) return;
    await settler.settle(run, settlement);
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:retrying")) {
      events.emit("job:retrying", { ...settler.settledEvent(run), error: jobError, delayMs: settlement.delayMs });
    }
  }
}
