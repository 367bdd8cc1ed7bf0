/**
 * How an envelope rides on AMQP 0-9-1 (docs/transports-amqp.md): the payload is the raw body; `content_type` is
 * the content type, `message_id` the job id, `timestamp` the enqueue time (seconds), delivery mode 2
 * (persistent); every other metadata key is a string header, and the transport's own `attempt` header counts
 * retries. Pure: no I/O here.
 */
import type { Message, Options } from "amqplib";
import { uuidv7 } from "../../ids.ts";
import { formatTimestamp, MetadataKey, USER_METADATA_PREFIX, type Envelope, type Metadata } from "../envelope.ts";

/** The transport's own header: the attempt number of the message's next delivery (absent on the first). */
export const ATTEMPT_HEADER = "attempt";

const MISSING_ID_REASON = "TRANSPORT_INVALID_MESSAGE: no message_id (job id)";

/** Header prefixes and names the broker sets, never passed on as metadata. */
const BROKER_HEADER_PREFIXES = ["x-death", "x-first-death-", "x-last-death-", "x-delivery-count", "x-received-from"];
const PROPERTY_KEYS = new Set<string>([MetadataKey.contentType, MetadataKey.jobId]);
const RESERVED_KEYS = new Set<string>(Object.values(MetadataKey));

/** A message read from AMQP: an envelope and its attempt, or why it is not one. */
export type ReadMessage =
  | { readonly ok: true; readonly envelope: Envelope; readonly attempt: number }
  | { readonly ok: false; readonly reason: string };

/** How {@link readMessage} reads. */
export interface ReadOptions {
  /** Add the quorum queue's `x-delivery-count` (redeliveries by the broker) to the attempt. */
  readonly countBrokerRedeliveries: boolean;
  /** Reading the dead-letter queue: name a reason where the broker dead-lettered without ours. */
  readonly fromDeadLetters: boolean;
}

/** AMQP publish options for an envelope whose next delivery is `attempt`; `extra` metadata overrides. */
export function publishOptions(envelope: Envelope, attempt: number, extra: Metadata = {}): Options.Publish {
  const metadata = { ...envelope.metadata, ...extra };
  const headers: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!PROPERTY_KEYS.has(key)) headers[key] = value;
  }
  if (attempt > 1) headers[ATTEMPT_HEADER] = attempt;
  const enqueuedAt = Date.parse(metadata[MetadataKey.enqueuedAt] ?? "");
  const options: Options.Publish = {
    messageId: envelope.id,
    timestamp: Math.floor((Number.isFinite(enqueuedAt) ? enqueuedAt : Date.now()) / 1000),
    persistent: true,
    mandatory: true,
    headers,
  };
  const contentType = metadata[MetadataKey.contentType];
  if (contentType !== undefined) options.contentType = contentType;
  return options;
}

/** Reads an envelope out of a delivered message; never throws. */
export function readMessage(message: Message, options: ReadOptions): ReadMessage {
  const { properties } = message;
  const headers: Record<string, unknown> = properties.headers ?? {};
  const metadata = headerMetadata(headers);
  const messageId: unknown = properties.messageId;
  let id: string;
  if (typeof messageId === "string" && messageId !== "") id = messageId;
  else if (!options.fromDeadLetters) return { ok: false, reason: MISSING_ID_REASON };
  else {
    // A dead letter cannot be dead-lettered again: hand it out under a new id, saying what was wrong.
    id = uuidv7();
    metadata[MetadataKey.deadLetterReason] ??= MISSING_ID_REASON;
  }
  const contentType: unknown = properties.contentType;
  if (typeof contentType === "string") metadata[MetadataKey.contentType] = contentType;
  metadata[MetadataKey.jobId] = id;
  const timestamp: unknown = properties.timestamp;
  if (metadata[MetadataKey.enqueuedAt] === undefined && typeof timestamp === "number") {
    metadata[MetadataKey.enqueuedAt] = formatTimestamp(timestamp * 1000);
  }
  if (options.fromDeadLetters && metadata[MetadataKey.deadLetterReason] === undefined) {
    metadata[MetadataKey.deadLetterReason] = brokerDeadLetterReason(headers);
  }
  const payload = new Uint8Array(message.content.buffer, message.content.byteOffset, message.content.byteLength);
  return { ok: true, envelope: { id, metadata, payload }, attempt: attemptOf(headers, options) };
}

/** The string headers of a message that are metadata: reserved keys and `x-` user keys, not the broker's. */
export function headerMetadata(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string" || PROPERTY_KEYS.has(key)) continue;
    if (BROKER_HEADER_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    if (RESERVED_KEYS.has(key) || key.startsWith(USER_METADATA_PREFIX)) {
      Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return metadata;
}

function attemptOf(headers: Readonly<Record<string, unknown>>, options: ReadOptions): number {
  const header = headers[ATTEMPT_HEADER];
  const attempt = typeof header === "number" && Number.isSafeInteger(header) && header > 0 ? header : 1;
  const redeliveries = headers["x-delivery-count"];
  const extra = options.countBrokerRedeliveries && typeof redeliveries === "number" ? redeliveries : 0;
  return options.fromDeadLetters ? 1 + extra : attempt + extra;
}

function brokerDeadLetterReason(headers: Readonly<Record<string, unknown>>): string {
  const reason = headers["x-first-death-reason"];
  const queue = headers["x-first-death-queue"];
  const where = typeof queue === "string" ? ` in ${queue}` : "";
  return `dead-lettered by the broker: ${typeof reason === "string" ? reason : "unknown reason"}${where}`;
}

/** When a message was enqueued, in ms since the epoch: its `enqueued-at` header, else its `timestamp`. */
export function enqueuedAtMs(message: Message): number | undefined {
  const header: unknown = message.properties.headers?.[MetadataKey.enqueuedAt];
  const parsed = typeof header === "string" ? Date.parse(header) : Number.NaN;
  if (Number.isFinite(parsed)) return parsed;
  const timestamp: unknown = message.properties.timestamp;
  return typeof timestamp === "number" ? timestamp * 1000 : undefined;
}
