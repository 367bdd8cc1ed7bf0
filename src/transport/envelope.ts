/**
 * The envelope every transport carries: `{ id, metadata, payload }`. The payload is a complete Thrift message;
 * metadata is flat strings, with the reserved keys below (docs/wire-format.md says how each transport maps them).
 */
import { ConfigError } from "../errors.ts";
import type { ProtocolName } from "../codec/protocol.ts";

/**
 * Reserved metadata keys. SQS carries them as attributes of these names; AMQP as headers, except `content-type`
 * and `job-id`, which are the `content_type` and `message_id` properties; HTTP as its own headers (see
 * docs/wire-format.md, "On each transport").
 */
export const MetadataKey = {
  /** `application/vnd.apache.thrift.binary` or `application/vnd.apache.thrift.compact`. */
  contentType: "content-type",
  /** The job id (UUIDv7); also the envelope's `id`. */
  jobId: "job-id",
  /** When the producer enqueued the job, RFC 3339 UTC with milliseconds. */
  enqueuedAt: "enqueued-at",
  /** W3C trace context of the producer's span, when there is one. */
  traceparent: "traceparent",
  /** When the job stops being worth running, RFC 3339 UTC. */
  deadline: "deadline",
  /** Set on dead letters: why the message was dead-lettered. */
  deadLetterReason: "dead-letter-reason",
} as const;

/** One of the reserved {@link MetadataKey} names. */
export type ReservedMetadataKey = (typeof MetadataKey)[keyof typeof MetadataKey];

/** User metadata keys start with this prefix, so they never collide with reserved ones on any transport. */
export const USER_METADATA_PREFIX = "x-";

/** Content types of the two Thrift protocols. */
export const ContentType = {
  binary: "application/vnd.apache.thrift.binary",
  compact: "application/vnd.apache.thrift.compact",
} as const satisfies Record<ProtocolName, string>;

/** Metadata of one message: reserved keys plus `x-` user keys, all strings. */
export type Metadata = Readonly<Record<string, string>>;

/** What travels through a transport. */
export interface Envelope {
  /** The job id, UUIDv7. */
  readonly id: string;
  /** Reserved keys ({@link MetadataKey}) and user keys (prefixed `x-`). */
  readonly metadata: Metadata;
  /** The complete Thrift message. */
  readonly payload: Uint8Array;
}

const RESERVED = new Set<string>(Object.values(MetadataKey));
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** The protocol named by a content type, or undefined for anything else. */
export function protocolOfContentType(contentType: string | undefined): ProtocolName | undefined {
  if (contentType === ContentType.binary) return "binary";
  if (contentType === ContentType.compact) return "compact";
  return undefined;
}

/**
 * Checks user metadata before it is sent: keys lower-case, starting with `x-` (added when missing), not reserved;
 * values strings. Returns the keys as they go on the wire. Throws ConfigError naming every bad key at once.
 */
export function normalizeUserMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!metadata) return result;
  const problems: string[] = [];
  for (const [rawKey, value] of Object.entries(metadata)) {
    const lower = rawKey.toLowerCase();
    const key = lower.startsWith(USER_METADATA_PREFIX) ? lower : `${USER_METADATA_PREFIX}${lower}`;
    if (RESERVED.has(lower)) problems.push(`${JSON.stringify(rawKey)} is reserved`);
    else if (!KEY_PATTERN.test(key)) problems.push(`${JSON.stringify(rawKey)} is not a valid key (a-z, 0-9, . _ -)`);
    else if (typeof value !== "string") problems.push(`${JSON.stringify(rawKey)} must be a string`);
    else Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid metadata: ${problems.join("; ")}`);
  return result;
}

/** RFC 3339 UTC with milliseconds, as metadata timestamps are written. */
export function formatTimestamp(millis: number): string {
  return new Date(millis).toISOString();
}
