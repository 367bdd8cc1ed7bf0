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
export interface OutgoingCall<Args = unknown> {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor<Args>;
  readonly args: Args;
}

/**
 * Where generated clients send calls. A transport-backed channel resolves once the broker has durably accepted
 * the message and returns its receipt; the encoding channel returns the bytes.
 */
export interface CallChannel<Receipt> {
  send<Args>(call: OutgoingCall<Args>, options?: CallOptions): Promise<Receipt>;
}
