/**
 * The worker's events, typed (sqs-consumer's event map): listeners see each job's start and outcome, and errors
 * the worker handled on its own. A throwing listener is logged and never disturbs the worker.
 */
import type { Logger } from "../logger.ts";
import type { JobError, JobRecord } from "../status/status-store.ts";

/** Which job an event is about. */
export interface JobEventBase {
  readonly jobId: string;
  readonly service: string;
  readonly method: string;
  readonly attempt: number;
}

/** A job that ended, with how long its handler ran. */
export interface JobSettledEvent extends JobEventBase {
  readonly durationMs: number;
}

/** Every event and its payload. */
export interface WorkerEvents {
  /** The handler is about to run. */
  "job:started": JobEventBase;
  /** The handler resolved; the job is recorded `succeeded` and acked. */
  "job:succeeded": JobSettledEvent;
  /** The handler raised a declared IDL exception: recorded `failed`, acked, not retried. */
  "job:failed": JobSettledEvent & { readonly error: JobError };
  /** The attempt failed and the job comes back after `delayMs`. */
  "job:retrying": JobSettledEvent & { readonly error: JobError; readonly delayMs: number };
  /** The job was dead-lettered: undecodable, past its deadline or out of attempts. */
  "job:dead": JobEventBase & { readonly error: JobError; readonly reason: string };
  /** The store says the job already reached a final state: acked without running. */
  "job:duplicate": JobEventBase & { readonly record: JobRecord };
  /** Something failed that the worker handled (a store write, a settle, the receive loop). */
  error: { readonly error: Error; readonly jobId?: string };
}

/** A listener of event `E`. */
export type WorkerListener<E extends keyof WorkerEvents> = (payload: WorkerEvents[E]) => void;

/** A minimal typed emitter: `on`, `once`, `off`, and `emit` that isolates listener failures. */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  protected readonly emitterLogger: Logger;

  constructor(logger: Logger) {
    this.emitterLogger = logger;
  }

  /** Adds a listener; returns this, for chaining. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    const wrapper = (payload: Events[E]): void => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  /** Removes a listener added with {@link on}. */
  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** Whether anyone listens to `event` (so payloads are only built when someone reads them). */
  listens(event: keyof Events): boolean {
    const set = this.listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Calls every listener of `event` with `payload`; a listener that throws is logged and skipped. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        this.emitterLogger.error({ err: error, event: String(event) }, "an event listener threw");
      }
    }
  }
}
