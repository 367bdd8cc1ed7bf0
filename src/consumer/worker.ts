/**
 * The worker: receives deliveries from one transport, dispatches each decoded call to the registered handler and
 * settles it by the ack rules (job-runner.ts), with at most `concurrency` jobs at once, one shared lease-extension
 * sweep, a heartbeat and a graceful `stop()`.
 */
import type { MethodDescriptor, ServiceDescriptor } from "../codec/service-descriptor.ts";
import { ConfigError, HandlerError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { HandlerRegistry, type HandleOptions, type ServiceHandler } from "./handler-registry.ts";
import { Heartbeat } from "./heartbeat.ts";
import type { JobContext } from "./job-context.ts";
import { JobRun, type JobRunShared } from "./job-run.ts";
import { JobRunner } from "./job-runner.ts";
import { LeaseExtender } from "./lease-extender.ts";
import { backoffDelayMs } from "./retry-policy.ts";
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from "./worker-options.ts";
import { TypedEmitter, type WorkerEvents } from "./worker-events.ts";

/** Options of {@link Worker.stop}. */
export interface StopOptions {
  /** How long running jobs may take to finish. @defaultValue the worker's `drainTimeoutMs` */
  readonly drainTimeoutMs?: number;
}

/** What a worker has done so far. */
export interface WorkerStats {
  readonly inFlight: number;
  /** Jobs settled (any outcome). */
  readonly processed: number;
  /** Of those, retried, failed or dead. */
  readonly failed: number;
}

/** Runs handlers of Thrift services on the jobs of one queue. */
export class Worker extends TypedEmitter<WorkerEvents> {
  /** This worker's id, as in heartbeats and job records. */
  readonly workerId: string;
  private readonly options: ResolvedWorkerOptions;
  private readonly logger: Logger;
  private readonly registry = new HandlerRegistry();
  private readonly runner: JobRunner;
  private readonly leaseExtender: LeaseExtender | undefined;
  private readonly shared: JobRunShared;
  private readonly active = new Set<JobRun>();
  private readonly receiving = new AbortController();
  private heartbeat: Heartbeat | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private slotWaiter: (() => void) | undefined;
  private idleWaiter: (() => void) | undefined;
  private processed = 0;
  private failed = 0;

  constructor(options: WorkerOptions) {
    const resolved = resolveWorkerOptions(options);
    super(resolved.logger);
    this.options = resolved;
    this.workerId = resolved.workerId;
    this.logger = resolved.logger;
    const { transport, store, clock, leaseMs } = resolved;
    this.shared = { store, clock, logger: resolved.logger, progressIntervalMs: resolved.progressIntervalMs };
    this.leaseExtender = transport.capabilities.leaseExtension
      ? new LeaseExtender({
          leaseMs,
          clock,
          logger: resolved.logger,
          onError: (error, run) => run.logger.warn({ err: error }, "the lease could not be extended"),
        })
      : undefined;
    this.runner = new JobRunner({
      transport,
      store,
      registry: this.registry,
      workerId: this.workerId,
      leaseMs,
      limits: resolved.limits,
      defaultBackoff: resolved.retry,
      statusRetry: resolved.statusWriteRetry,
      clock,
      random: resolved.random,
      logger: resolved.logger,
      events: this,
      leaseExtender: this.leaseExtender,
      settled: (failed) => {
        this.processed++;
        if (failed) this.failed++;
      },
    });
  }

  /**
   * Registers the handler of a service (the generated `I<Service>Handler<JobContext>`); returns the worker for
   * chaining. Throws ConfigError for a service registered twice, a missing method or invalid settings.
   */
  handle<Methods extends Record<string, MethodDescriptor>>(
    service: ServiceDescriptor<Methods>,
    handler: ServiceHandler<Methods, JobContext>,
    options: HandleOptions<Methods> = {},
  ): this {
    this.registry.add(service, handler, options, this.options.retry);
    return this;
  }

  /** What the worker has done so far. */
  get stats(): WorkerStats {
    return { inFlight: this.active.size, processed: this.processed, failed: this.failed };
  }

  /** Starts receiving; idempotent. Throws ConfigError when no handler is registered or after `stop()`. */
  start(): void {
    if (this.loop) return;
    if (this.stopping) throw new ConfigError("CONFIG_USAGE", "a stopped worker cannot start again");
    if (this.registry.services.length === 0) {
      throw new ConfigError("CONFIG_USAGE", "register a handler with worker.handle() before start()");
    }
    const { store, transport, clock } = this.options;
    if (store) {
      this.heartbeat = new Heartbeat({
        store,
        workerId: this.workerId,
        instanceId: this.options.instanceId,
        queues: [transport.queue],
        intervalMs: this.options.heartbeatIntervalMs,
        clock,
        logger: this.logger,
        counts: () => this.stats,
      });
      this.heartbeat.start();
    }
    this.leaseExtender?.start();
    this.loop = this.receiveLoop();
  }

  /**
   * Stops receiving, lets running jobs finish within the drain timeout, then aborts the signals of the rest and
   * leaves their deliveries unsettled: the transport's `close()` (or the lease running out) gives them to another
   * worker. Writes the final `stopped` heartbeat. Idempotent.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.drainTimeoutMs ?? this.options.drainTimeoutMs);
    return this.stopping;
  }

  private async shutdown(drainTimeoutMs: number): Promise<void> {
    this.receiving.abort();
    this.wakeSlot();
    if (!this.loop) return;
    void this.heartbeat?.beat("draining");
    const { clock } = this.options;
    const drainEnds = clock.now() + drainTimeoutMs;
    await this.within(this.loop, drainTimeoutMs);
    if (!(await this.within(this.idle(), Math.max(0, drainEnds - clock.now())))) this.abandonRunning();
    this.leaseExtender?.stop();
    await this.heartbeat?.stop();
  }

  /** Past the grace period: abort each running job and stop caring about its delivery. */
  private abandonRunning(): void {
    const reason = new HandlerError("HANDLER_ABORTED", "the worker stopped before the job finished");
    for (const run of this.active) {
      run.abandoned = true;
      this.leaseExtender?.remove(run);
      run.abort(reason);
      run.interrupt?.(reason);
      run.dispose();
    }
    if (this.active.size > 0) {
      this.logger.warn(
        { jobs: this.active.size },
        "stopped with jobs still running: their deliveries are released when the transport closes or their lease runs out",
      );
    }
    this.active.clear();
  }

  private async receiveLoop(): Promise<void> {
    const { transport, leaseMs, concurrency } = this.options;
    const { signal } = this.receiving;
    let failures = 0;
    while (!signal.aborted) {
      try {
        for await (const delivery of transport.receive({ signal, leaseMs, maxInFlight: concurrency })) {
          failures = 0;
          void this.track(new JobRun(delivery, this.shared));
          if (this.active.size >= concurrency) await this.slotFree();
          if (signal.aborted) break;
        }
        if (!signal.aborted) {
          this.logger.warn({ queue: transport.queue }, "the transport stopped delivering (closed): the worker idles");
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.logger.error({ err: error, queue: transport.queue }, "receiving failed; trying again");
        if (this.listens("error"))
          this.emit("error", { error: error instanceof Error ? error : new Error(String(error)) });
        await this.within(new Promise<void>(() => undefined), backoffDelayMs(failures, RECEIVE_BACKOFF));
      }
    }
  }

  private async track(run: JobRun): Promise<void> {
    this.active.add(run);
    try {
      await this.runner.run(run);
    } finally {
      this.active.delete(run);
      if (this.active.size < this.options.concurrency) this.wakeSlot();
      if (this.active.size === 0 && this.idleWaiter) this.idleWaiter();
    }
  }

  private slotFree(): Promise<void> {
    return new Promise((resolve) => (this.slotWaiter = resolve));
  }

  private wakeSlot(): void {
    const waiter = this.slotWaiter;
    this.slotWaiter = undefined;
    waiter?.();
  }

  private idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiter = resolve));
  }

  /** Whether `promise` settled within `ms` (its rejection counts as settled). */
  private within(promise: Promise<void>, ms: number): Promise<boolean> {
    const { clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => resolve(false), ms);
      const done = (): void => {
        clock.clearTimeout(timer);
        resolve(true);
      };
      promise.then(done, done);
    });
  }
}

const RECEIVE_BACKOFF = { baseDelayMs: 100, maxDelayMs: 5_000, jitter: "equal" } as const;
