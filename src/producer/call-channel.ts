import type { MethodDescriptor, ServiceDescriptor } from "../codec/service-descriptor.ts";

/** Per-call options a producer may pass; each transport honours what its capabilities allow. */
export interface CallOptions {
  /** User metadata carried beside the payload; keys are sent prefixed `x-`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Do not run before this many ms from now. @defaultValue 0 */
  readonly delayMs?: number;
  /** When the job stops being worth running (a Date, or Unix ms). */
  readonly deadline?: Date | number;
  /** Higher runs first, where the transport supports priorities. */
  readonly priority?: number;
  /** FIFO queues: jobs of one group run in order. */
  readonly groupId?: string;
  /** FIFO queues: a resend with the same id within the broker's window is dropped. */
  readonly deduplicationId?: string;
  /** W3C trace context of the caller's span. */
  readonly traceparent?: string;
  /** Use this job id instead of a fresh UUIDv7 (an idempotent retry of a send). */
  readonly jobId?: string;
}

/** One call a generated client hands to its channel: which method, with which (not yet encoded) arguments. */
export interface OutgoingCall<Args = unknown, Result = unknown> {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor<Args, Result>;
  readonly args: Args;
}

/** How long and how often `result()` waits for a two-way call's outcome. */
export interface ResultOptions {
  /** Give up after this many ms, rejecting with `TimeoutError` `RESULT_TIMEOUT`. @defaultValue no limit */
  readonly timeoutMs?: number;
  /** The first wait between two reads of the outcome; each wait doubles up to `maxPollIntervalMs`. @defaultValue 25 */
  readonly pollIntervalMs?: number;
  /** The longest wait between two reads. @defaultValue 1000 */
  readonly maxPollIntervalMs?: number;
  /** Stops waiting: `result()` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The value a two-way method returns, from its `<method>_result` struct: the `success` field's type, or void. */
export type SuccessOf<Result> = "success" extends keyof Result
  ? Result extends { readonly success?: infer Success }
    ? Exclude<Success, undefined>
    : never
  : void;

/**
 * Where generated clients send calls. A transport-backed channel resolves once the broker has durably accepted
 * the message and returns its receipt; the encoding channel returns the bytes.
 */
export interface CallChannel<Receipt> {
  send<Args>(call: OutgoingCall<Args>, options?: CallOptions): Promise<Receipt>;
  /**
   * Waits for the outcome of a two-way call this channel sent (`receipt` is what `send` returned): resolves with
   * the method's return value, rejects with a `DeclaredException`, a `JobFailedError` or a `TimeoutError`.
   * Channels that cannot learn outcomes (the encoding channel, a producer without a status store) leave it out,
   * and `result()` then rejects with a `ConfigError`.
   */
  awaitResult?<Result>(
    receipt: Receipt,
    method: MethodDescriptor<unknown, Result>,
    options?: ResultOptions,
  ): Promise<SuccessOf<Result>>;
}
