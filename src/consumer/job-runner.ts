/**
 * The ack rules (docs/workers.md): one delivery from decoding to settlement. Every outcome is recorded before the
 * message is settled, a job is acked only once its outcome is recorded, and nothing here ever throws past `run`.
 */
import type { CodecLimits } from "../codec/limits.ts";
import { TimeoutError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { isFinal } from "../status/job-state.ts";
import type { JobError, JobTransition, StatusStore } from "../status/status-store.ts";
import { MetadataKey } from "../transport/envelope.ts";
import type { Transport } from "../transport/transport.ts";
import { decodeDelivery, metadataTime, namesOfMessage } from "./call-decoding.ts";
import { DeclaredException } from "./declared-exception.ts";
import type { HandlerRegistry, Route } from "./handler-registry.ts";
import { WorkerJobContext } from "./job-context.ts";
import { reasonOf, toJobError } from "./job-errors.ts";
import type { JobRun } from "./job-run.ts";
import { isLeaseLost, type LeaseExtender } from "./lease-extender.ts";
import { backoffDelayMs, type BackoffSchedule } from "./retry-policy.ts";
import { transitionWithRetry, type StatusWriteRetry } from "./status-writer.ts";
import type { WorkerClock } from "./worker-clock.ts";
import type { TypedEmitter, WorkerEvents } from "./worker-events.ts";

/** What the runner needs from its worker. */
export interface JobRunnerOptions {
  readonly transport: Transport;
  readonly store: StatusStore | undefined;
  readonly registry: HandlerRegistry;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly limits: Partial<CodecLimits> | undefined;
  readonly defaultBackoff: BackoffSchedule;
  readonly statusRetry: StatusWriteRetry;
  readonly clock: WorkerClock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly events: TypedEmitter<WorkerEvents>;
  readonly leaseExtender: LeaseExtender | undefined;
  /** Counts each settled job, and whether it failed. */
  readonly settled: (failed: boolean) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
type Settlement =
  { kind: "ack" } | { kind: "nack"; delayMs: number; reason: string } | { kind: "dead"; reason: string };

const ACK: Settlement = { kind: "ack" };

/** Runs deliveries through the ack rules. */
export class JobRunner {
  private readonly options: JobRunnerOptions;

  constructor(options: JobRunnerOptions) {
    this.options = options;
  }

  /** Handles one delivery to its settlement; never rejects. */
  async run(run: JobRun): Promise<void> {
    try {
      await this.handle(run);
    } catch (error) {
      // Not expected (every step catches its own failures); the delivery's lease brings the message back.
      this.reportError(error, run, "the worker failed to handle a delivery");
    }
  }

  private async handle(run: JobRun): Promise<void> {
    const { delivery } = run;
    const call = decodeDelivery(
      this.options.registry.services,
      delivery.metadata,
      delivery.payload,
      this.options.limits,
    );
    if (call instanceof Error) {
      Object.assign(run, namesOfMessage(delivery.metadata, delivery.payload));
      return this.deadWithoutRunning(run, { type: call.code, message: call.message }, this.options.defaultBackoff);
    }
    run.service = call.service.name;
    run.method = call.method.name;
    const route = this.options.registry.route(call.service, call.method);
    if (!route) {
      const error = { type: "HANDLER_UNKNOWN_METHOD", message: `no handler for ${run.service}.${run.method}` };
      return this.deadWithoutRunning(run, error, this.options.defaultBackoff);
    }
    run.route = route;
    run.deadline = metadataTime(delivery.metadata, MetadataKey.deadline);
    if (run.deadline !== undefined && run.deadline <= this.options.clock.now()) {
      const error = {
        type: "DEADLINE_EXCEEDED",
        message: `the deadline ${new Date(run.deadline).toISOString()} passed`,
      };
      return this.deadWithoutRunning(run, error, route.settings.backoff);
    }
    if (this.options.store && !(await this.markRunning(run, this.options.store, route))) return;
    const outcome = await this.execute(run, route, call.args);
    if (run.abandoned) return;
    if (run.leaseLost) {
      run.logger.warn({}, "the job's outcome is not settled: its lease was lost and it was delivered again");
      return;
    }
    if (outcome.ok) await this.succeed(run, route, outcome.value);
    else await this.fail(run, route, outcome.error);
  }

  /** Rule 3: `running` at this attempt, or no run at all (duplicate, busy elsewhere, store down). */
  private async markRunning(run: JobRun, store: StatusStore, route: Route): Promise<boolean> {
    const { delivery } = run;
    let outcome;
    try {
      outcome = await store.transition(this.move(run, "running"));
    } catch (error) {
      this.reportError(error, run, "the running status could not be written: the job is given back");
      await this.settle(run, this.nack(route.settings.backoff, delivery.attempt, "the status store is unavailable"));
      return false;
    }
    if (outcome.applied) return true;
    const record = outcome.record;
    if (record && isFinal(record.state)) {
      if (this.options.events.listens("job:duplicate")) {
        this.options.events.emit("job:duplicate", { ...this.eventBase(run), record });
      }
      await this.settle(run, ACK);
      return false;
    }
    // Another delivery of the same job runs this attempt: come back in about one lease rather than run it twice.
    const delayMs = Math.min(this.options.leaseMs, this.options.transport.capabilities.maxDelayMs);
    await this.settle(run, { kind: "nack", delayMs, reason: "the job is running in another delivery" });
    return false;
  }

  /** Runs the handler, bounded by its timeout and the deadline when there are any. */
  private async execute(run: JobRun, route: Route, args: unknown): Promise<Outcome> {
    const { clock, leaseExtender, events } = this.options;
    run.startedAt = clock.now();
    if (leaseExtender) leaseExtender.add(run);
    if (events.listens("job:started")) events.emit("job:started", this.eventBase(run));
    try {
      const returned = route.invoke.call(route.target, args, new WorkerJobContext(run));
      if (!isThenable(returned)) return { ok: true, value: returned };
      if (route.settings.timeoutMs === undefined && run.deadline === undefined) {
        return await returned.then(succeeded, failed);
      }
      return await this.bounded(run, route, returned);
    } catch (error) {
      return { ok: false, error };
    } finally {
      if (leaseExtender) leaseExtender.remove(run);
    }
  }

  private bounded(run: JobRun, route: Route, handler: PromiseLike<unknown>): Promise<Outcome> {
    const { clock } = this.options;
    const timeoutMs = route.settings.timeoutMs ?? Number.POSITIVE_INFINITY;
    const untilDeadline = run.deadline === undefined ? Number.POSITIVE_INFINITY : run.deadline - clock.now();
    const error =
      timeoutMs <= untilDeadline
        ? new TimeoutError("HANDLER_TIMEOUT", `the handler ran longer than ${timeoutMs} ms`)
        : new TimeoutError("DEADLINE_EXCEEDED", "the job's deadline passed while its handler ran");
    return new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (outcome: Outcome): void => {
        if (done) return;
        done = true;
        run.clearTimer();
        resolve(outcome);
      };
      handler.then(
        (value) => finish({ ok: true, value }),
        (reason: unknown) => finish({ ok: false, error: reason }),
      );
      run.interrupt = (reason) => finish({ ok: false, error: reason });
      run.timer = clock.setTimeout(
        () => {
          run.abort(error);
          finish({ ok: false, error });
        },
        Math.max(0, Math.min(timeoutMs, untilDeadline)),
      );
    });
  }

  /** Rule 5: record `succeeded` with the encoded result, then ack. */
  private async succeed(run: JobRun, route: Route, value: unknown): Promise<void> {
    const { method } = route;
    let result: Uint8Array | undefined;
    if (method.result) {
      try {
        result = method.result.encode(method.def.returnType === null ? {} : { success: value }, "binary");
      } catch (error) {
        return this.fail(run, route, error);
      }
    }
    if (!(await this.record(run, { ...this.move(run, "succeeded"), result }, route))) return;
    await this.settle(run, ACK);
    this.options.settled(false);
    const { events } = this.options;
    if (events.listens("job:succeeded")) events.emit("job:succeeded", this.settledEvent(run));
  }

  /** Rules 6 and 7: a declared exception is final (unless retryable); anything else is retried, then dead. */
  private async fail(run: JobRun, route: Route, error: unknown): Promise<void> {
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
    if (!(await this.record(run, { ...this.move(run, "dead"), error: jobError }, route))) return;
    await this.settle(run, { kind: "dead", reason });
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:dead")) events.emit("job:dead", { ...this.eventBase(run), error: jobError, reason });
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
    if (!(await this.record(run, { ...this.move(run, "failed"), error: jobError, result }, route))) return;
    await this.settle(run, ACK);
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:failed")) events.emit("job:failed", { ...this.settledEvent(run), error: jobError });
  }

  private async retry(run: JobRun, route: Route, jobError: JobError): Promise<void> {
    const settlement = this.nack(route.settings.backoff, run.delivery.attempt, reasonOf(jobError));
    const { store } = this.options;
    if (store) {
      // The nack is the same whether or not `retrying` is recorded: the next attempt's `running` follows either.
      try {
        await this.transition(store, { ...this.move(run, "retrying"), error: jobError });
      } catch (error) {
        this.reportError(error, run, "the retrying status could not be written");
      }
    }
    if (run.abandoned) return;
    await this.settle(run, settlement);
    this.options.settled(true);
    const { events } = this.options;
    if (events.listens("job:retrying")) {
      events.emit("job:retrying", { ...this.settledEvent(run), error: jobError, delayMs: settlement.delayMs });
    }
  }

  /** Rules 1 and 2: `dead` without running (create-if-absent), then dead-lettered. */
  private async deadWithoutRunning(run: JobRun, error: JobError, backoff: BackoffSchedule): Promise<void> {
    const { store, events } = this.options;
    run.logger.warn({ error }, "dead-lettered without running");
    if (store) {
      try {
        await this.transition(store, { ...this.move(run, "dead"), error });
      } catch (storeError) {
        this.reportError(storeError, run, "the dead status could not be written: the message is given back");
        await this.settle(run, this.nack(backoff, run.delivery.attempt, reasonOf(error)));
        return;
      }
    }
    const reason = reasonOf(error);
    await this.settle(run, { kind: "dead", reason });
    this.options.settled(true);
    if (events.listens("job:dead")) events.emit("job:dead", { ...this.eventBase(run), error, reason });
  }

  /**
   * Records a final outcome after flushing progress; false (and the message given back) when the store stays
   * unavailable, so that the job is never settled without its outcome.
   */
  private async record(run: JobRun, move: JobTransition, route: Route): Promise<boolean> {
    const { store } = this.options;
    if (!store) return !run.abandoned;
    await run.flushProgress();
    try {
      const outcome = await this.transition(store, move);
      if (!outcome.applied) run.logger.debug({ record: outcome.record?.state }, `${move.to} was not recorded (stale)`);
    } catch (error) {
      this.reportError(error, run, `the ${move.to} status could not be written: the job is given back`);
      if (!run.abandoned)
        await this.settle(run, this.nack(route.settings.backoff, run.delivery.attempt, "status store unavailable"));
      return false;
    }
    return !run.abandoned;
  }

  private transition(store: StatusStore, move: JobTransition): ReturnType<StatusStore["transition"]> {
    return transitionWithRetry(store, move, this.options.statusRetry, (ms) => this.sleep(ms));
  }

  private move(run: JobRun, to: JobTransition["to"]): JobTransition {
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

  private nack(backoff: BackoffSchedule, attempt: number, reason: string): Settlement & { kind: "nack" } {
    const delay = backoffDelayMs(attempt, backoff, this.options.random);
    return { kind: "nack", delayMs: Math.min(delay, this.options.transport.capabilities.maxDelayMs), reason };
  }

  /** Settles the delivery unless abandoned; a lost lease is logged (the new delivery owns the job). */
  private async settle(run: JobRun, settlement: Settlement): Promise<void> {
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

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimeout(resolve, ms));
  }

  private reportError(error: unknown, run: JobRun, message: string): void {
    run.logger.error({ err: error }, message);
    const { events } = this.options;
    if (events.listens("error")) {
      events.emit("error", {
        error: error instanceof Error ? error : new Error(String(error)),
        jobId: run.delivery.id,
      });
    }
  }

  private eventBase(run: JobRun): WorkerEvents["job:started"] {
    return { jobId: run.delivery.id, service: run.service, method: run.method, attempt: run.delivery.attempt };
  }

  private settledEvent(run: JobRun): WorkerEvents["job:succeeded"] {
    return { ...this.eventBase(run), durationMs: this.options.clock.now() - run.startedAt };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function succeeded(value: unknown): Outcome {
  return { ok: true, value };
}

function failed(error: unknown): Outcome {
  return { ok: false, error };
}
