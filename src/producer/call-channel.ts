import type { MethodDescriptor, ServiceDescriptor } from "../codec/service-descriptor.ts";

/** Per-call options a producer may pass; transports add their own fields in later versions. */
export interface CallOptions {
  /** User metadata carried beside the payload. */
  readonly metadata?: Readonly<Record<string, string>>;
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
