/**
 * How an envelope rides on SQS (docs/transports-sqs.md): the body is the standard padded base64 of the payload
 * (`=` for an empty payload, since SQS refuses an empty body); every metadata key is a `String` message attribute
 * of the same name (`content-type`, `job-id`, `enqueued-at`, `traceparent`, `deadline`, `x-…`), and `job-id` is the
 * envelope id. The attempt is SQS's ApproximateReceiveCount. Messages are read defensively: what is not an envelope
 * is reported, never thrown, so that the transport dead-letters it and keeps delivering. Pure: no I/O here.
 */
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { formatTimestamp, MetadataKey, USER_METADATA_PREFIX, type Envelope, type Metadata } from "../envelope.ts";
import type { OutgoingMessage } from "../transport.ts";
import { isOffloaded, isPayloadSizeAttribute, parsePointer, type PayloadPointer } from "./sqs-pointer.ts";

/** Message attributes as the SDK takes and returns them. */
export type SqsAttributes = Record<string, MessageAttributeValue>;

/** SQS allows this many message attributes on one message. */
export const MAX_SQS_ATTRIBUTES = 10;

/** The body that stands for an empty payload: SQS needs at least one character, and no base64 text is `=`. */
export const EMPTY_PAYLOAD_BODY = "=";

/** Longest dead-letter reason written to an attribute; longer ones are cut. */
const MAX_REASON_CHARS = 1024;

/** The characters SQS accepts in bodies and attribute values. */
const SQS_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_KEYS = new Set<string>(Object.values(MetadataKey));

/** The SQS body of a payload. */
export function encodeBody(payload: Uint8Array): string {
  if (payload.length === 0) return EMPTY_PAYLOAD_BODY;
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64");
}

/** The payload of an SQS body, or undefined when it is not padded base64. */
export function decodeBody(body: string): Uint8Array | undefined {
  if (body === EMPTY_PAYLOAD_BODY) return new Uint8Array(0);
  if (body === "" || body.length % 4 !== 0) return undefined;
  // Node's decoder also takes the URL alphabet, and skips or stops at any other character: a body without "-"
  // or "_" that decodes to every byte its length promises is padded base64 (what the pattern
  // ^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$ accepts), found without running a pattern
  // over every body received.
  if (body.includes("-") || body.includes("_")) return undefined;
  const padding = body.endsWith("==") ? 2 : body.endsWith("=") ? 1 : 0;
  const bytes = Buffer.from(body, "base64");
  if (bytes.byteLength !== (body.length / 4) * 3 - padding) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The message attributes of an envelope: its metadata as `String` attributes, with `job-id` set to the id. */
export function envelopeAttributes(envelope: Envelope): SqsAttributes {
  const attributes: SqsAttributes = {};
  // for…in rather than Object.entries: no arrays to allocate for every message sent.
  for (const key in envelope.metadata) {
    if (key !== MetadataKey.jobId && Object.hasOwn(envelope.metadata, key)) {
      attributes[key] = stringAttribute(envelope.metadata[key]!);
    }
  }
  attributes[MetadataKey.jobId] = stringAttribute(envelope.id);
  return attributes;
}

/** A `String` message attribute. */
export function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: "String", StringValue: value };
}

/** The size SQS counts for a message: the body's bytes plus each attribute's name, data type and value. */
export function messageSize(body: string, attributes: SqsAttributes = {}): number {
  let size = Buffer.byteLength(body);
  for (const name in attributes) {
    if (!Object.hasOwn(attributes, name)) continue;
    const attribute = attributes[name]!;
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? "");
    if (attribute.StringValue !== undefined) size += Buffer.byteLength(attribute.StringValue);
    if (attribute.BinaryValue !== undefined) size += attribute.BinaryValue.byteLength;
  }
  return size;
}

/** Limits a message must meet before it is sent. */
export interface WireLimits {
  /** Longest delay, in ms (0 on FIFO queues, which have no per-message delay). */
  readonly maxDelayMs: number;
  /** Most metadata entries (job id included), leaving room for the transport's own attributes. */
  readonly maxMetadataEntries: number;
}

/** Why a message cannot be sent to SQS, or undefined when it can. */
export function sendProblem(message: OutgoingMessage, limits: WireLimits): string | undefined {
  if (typeof message.id !== "string" || message.id === "") return "the id must be a non-empty string";
  if (!isSqsText(message.id)) return "the id has characters SQS does not accept";
  const delayMs = message.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > limits.maxDelayMs) {
    return limits.maxDelayMs === 0
      ? "FIFO queues take no per-message delay"
      : `the delay must be from 0 to ${limits.maxDelayMs} ms`;
  }
  if (!(message.payload instanceof Uint8Array)) return "the payload must be a Uint8Array";
  if (typeof message.metadata !== "object" || message.metadata === null) return "the metadata must be an object";
  // One pass over the metadata (this runs for every message sent): count the entries and check each.
  let entries = 0;
  const metadata = message.metadata as Readonly<Record<string, unknown>>;
  for (const key in metadata) {
    if (!Object.hasOwn(metadata, key)) continue;
    entries++;
    // The reserved keys are valid names; checked once here rather than for every message.
    if (!RESERVED_KEYS.has(key) && !isValidAttributeName(key)) {
      return `metadata key ${JSON.stringify(key)} is not a valid SQS attribute name`;
    }
    const value = metadata[key];
    if (typeof value !== "string") return `metadata value of ${JSON.stringify(key)} must be a string`;
    if (value === "") return `metadata value of ${JSON.stringify(key)} is empty (SQS refuses empty attributes)`;
    if (!isSqsText(value)) return `metadata value of ${JSON.stringify(key)} has characters SQS does not accept`;
  }
  if (!Object.hasOwn(metadata, MetadataKey.jobId)) entries++;
  if (entries > limits.maxMetadataEntries) {
    return `${entries} metadata entries (job id included); SQS carries at most ${limits.maxMetadataEntries} here`;
  }
  return undefined;
}

/** Whether SQS accepts every character of `text`; printable ASCII (ids, timestamps) is checked the quick way. */
function isSqsText(text: string): boolean {
  return PRINTABLE_ASCII.test(text) || SQS_TEXT.test(text);
}

/** Whether SQS accepts `name` as a message attribute name. */
export function isValidAttributeName(name: string): boolean {
  if (!ATTRIBUTE_NAME.test(name) || name.includes("..")) return false;
  const lower = name.toLowerCase();
  return !lower.startsWith("aws.") && !lower.startsWith("amazon.");
}

/** A received message read as far as the queue allows: an envelope whose payload is inline or in S3. */
export type ReadMessage =
  | {
      readonly ok: true;
      readonly id: string;
      readonly metadata: Metadata;
      /** The payload, or where it was offloaded (its S3 object holds the base64 body). */
      readonly body: { readonly payload: Uint8Array } | { readonly pointer: PayloadPointer };
      readonly attempt: number;
    }
  | { readonly ok: false; readonly reason: string };

/** Reads an envelope out of a received message; never throws. */
export function readMessage(message: Message): ReadMessage {
  const attributes = message.MessageAttributes ?? {};
  const metadata = attributeMetadata(attributes);
  const id = metadata[MetadataKey.jobId];
  if (id === undefined || id === "") return { ok: false, reason: "TRANSPORT_INVALID_MESSAGE: no job-id attribute" };
  const text = message.Body ?? "";
  const attempt = receiveCount(message);
  if (isOffloaded(attributes)) {
    const pointer = parsePointer(text);
    if (!pointer) return { ok: false, reason: "TRANSPORT_INVALID_MESSAGE: offloaded, but the body is no S3 pointer" };
    return { ok: true, id, metadata: withEnqueuedAt(metadata, message), body: { pointer }, attempt };
  }
  const payload = decodeBody(text);
  if (!payload) return { ok: false, reason: "TRANSPORT_INVALID_MESSAGE: the body is not padded base64" };
  return { ok: true, id, metadata: withEnqueuedAt(metadata, message), body: { payload }, attempt };
}

/** SQS's ApproximateReceiveCount of a received message (1 when missing). */
export function receiveCount(message: Message): number {
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(count) && count > 0 ? count : 1;
}

/** The metadata in a message's attributes: string attributes with reserved or `x-` names. */
export function attributeMetadata(attributes: Readonly<SqsAttributes>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const name in attributes) {
    if (!Object.hasOwn(attributes, name)) continue;
    const attribute = attributes[name]!;
    const value = attribute.StringValue;
    if (value === undefined || !(attribute.DataType ?? "").startsWith("String")) continue;
    if (!RESERVED_KEYS.has(name) && !name.startsWith(USER_METADATA_PREFIX)) continue;
    // Plain assignment is safe: "__proto__", the one name it would not store as data, is neither reserved nor x-.
    metadata[name] = value;
  }
  return metadata;
}

/**
 * The attributes of a message's dead-letter copy: its own, with `dead-letter-reason` set. SQS allows 10
 * attributes and a size limit, so attributes that are not metadata (then user keys, last first) make room, and a
 * long reason is cut to fit.
 */
export function deadLetterAttributes(
  attributes: Readonly<SqsAttributes>,
  reason: string,
  body: string,
  maxMessageBytes: number,
): SqsAttributes {
  const kept: SqsAttributes = { ...attributes };
  delete kept[MetadataKey.deadLetterReason];
  const names = Object.keys(kept).filter((name) => !RESERVED_KEYS.has(name) && !isPayloadSizeAttribute(name));
  const foreign = names.filter((name) => !name.startsWith(USER_METADATA_PREFIX));
  const user = names.filter((name) => name.startsWith(USER_METADATA_PREFIX));
  const dropOrder = [...foreign.reverse(), ...user.reverse()];
  while (Object.keys(kept).length >= MAX_SQS_ATTRIBUTES && dropOrder.length > 0) delete kept[dropOrder.shift() ?? ""];
  const room = maxMessageBytes - messageSize(body, kept) - messageSize(MetadataKey.deadLetterReason + "String");
  kept[MetadataKey.deadLetterReason] = stringAttribute(
    cutReason(reason, Math.max(16, Math.min(room, MAX_REASON_CHARS))),
  );
  return kept;
}

/** The attributes of a dead letter going back to its queue: the same, without the reason. */
export function redriveAttributes(attributes: Readonly<SqsAttributes>): SqsAttributes {
  const kept: SqsAttributes = { ...attributes };
  delete kept[MetadataKey.deadLetterReason];
  return kept;
}

/** Why SQS dead-lettered a message that carries no reason of ours: its RedrivePolicy moved it. */
export const REDRIVE_POLICY_REASON =
  "dead-lettered by SQS: received more often than the queue's RedrivePolicy maxReceiveCount (leases ran out)";

function withEnqueuedAt(metadata: Record<string, string>, message: Message): Record<string, string> {
  const sent = Number(message.Attributes?.SentTimestamp);
  if (metadata[MetadataKey.enqueuedAt] === undefined && Number.isFinite(sent) && sent > 0) {
    metadata[MetadataKey.enqueuedAt] = formatTimestamp(sent);
  }
  return metadata;
}

function cutReason(reason: string, maxBytes: number): string {
  const clean = [...reason].map((char) => (SQS_TEXT.test(char) ? char : "?")).join("") || "dead-lettered";
  if (Buffer.byteLength(clean) <= maxBytes) return clean;
  let cut = clean.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes - 3 && cut.length > 0) cut = cut.slice(0, -1);
  return `${cut}...`;
}
