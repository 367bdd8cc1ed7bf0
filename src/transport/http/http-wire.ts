/**
 * How an envelope travels as an HTTP request, both ways: the payload is the body, the content type names the
 * protocol, the job id is `webhook-id`, and metadata goes in headers (docs/transports-http.md has the table).
 * Pure functions; the receiver and the sender share them so the two directions cannot drift apart.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ProtocolName } from "../../codec/protocol.ts";
import { ContentType, MetadataKey, USER_METADATA_PREFIX, formatTimestamp, type Metadata } from "../envelope.ts";
import type { OutgoingMessage } from "../transport.ts";
import { WebhookHeader } from "./webhook-signature.ts";

/** Headers thrift-queue defines beyond the Standard Webhooks ones and `traceparent`. */
export const HttpHeader = {
  /** Metadata `enqueued-at`: when the producer enqueued the job, RFC 3339. */
  enqueuedAt: "thrift-queue-enqueued-at",
  /** Metadata `deadline`: when the job stops being worth running, RFC 3339. */
  deadline: "thrift-queue-deadline",
  /** Hold the job this many ms after it is accepted before delivering it (a delayed send). */
  delayMs: "thrift-queue-delay-ms",
  /** W3C trace context, as its own specification names it. */
  traceparent: "traceparent",
} as const;

/** The content type stock Apache Thrift HTTP clients send, whatever their protocol. */
export const APACHE_THRIFT_CONTENT_TYPE = "application/x-thrift";

/** How a request's content type selects the protocol: named, or to be recognised from the first byte. */
export type ContentTypeDecision = ProtocolName | "sniff" | undefined;

const JOB_ID = /^[\x21-\x7e]{1,255}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const USER_KEY = /^x-[a-z0-9][a-z0-9._-]*$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const DELAY = /^\d{1,16}$/;
/** TCompactProtocol's first byte; strict TBinaryProtocol starts with 0x80. */
const COMPACT_PROTOCOL_ID = 0x82;

/** Reads a Content-Type header: the protocol, "sniff" for `application/x-thrift`, undefined for anything else. */
export function decideContentType(header: string | undefined): ContentTypeDecision {
  const type = (header ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === ContentType.binary) return "binary";
  if (type === ContentType.compact) return "compact";
  if (type === APACHE_THRIFT_CONTENT_TYPE) return "sniff";
  return undefined;
}

/** The protocol of a body sent as `application/x-thrift`: compact when it starts like a compact message. */
export function sniffProtocol(body: Uint8Array): ProtocolName {
  return body[0] === COMPACT_PROTOCOL_ID ? "compact" : "binary";
}

/** Whether a job id can travel as `webhook-id` (printable ASCII, no spaces, at most 255 characters). */
export function isValidJobId(id: string): boolean {
  return JOB_ID.test(id);
}

/**
 * The request headers of one message (signature and length apart), or the reason it cannot travel over HTTP:
 * an id that is not a header token, a metadata value with characters a header cannot carry.
 */
export function requestHeaders(message: OutgoingMessage): { headers: Record<string, string> } | { problem: string } {
  if (!isValidJobId(message.id)) return { problem: "the id must be printable ASCII without spaces (≤ 255)" };
  const metadata = message.metadata;
  const headers: Record<string, string> = {
    "content-type": metadata[MetadataKey.contentType] ?? ContentType.binary,
    [WebhookHeader.id]: message.id,
  };
  if (decideContentType(headers["content-type"]) === undefined) {
    return { problem: `content type ${JSON.stringify(headers["content-type"])} is not a Thrift protocol` };
  }
  const copy = (key: string, header: string): void => {
    const value = metadata[key];
    if (value !== undefined) headers[header] = value;
  };
  copy(MetadataKey.enqueuedAt, HttpHeader.enqueuedAt);
  copy(MetadataKey.deadline, HttpHeader.deadline);
  copy(MetadataKey.traceparent, HttpHeader.traceparent);
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith(USER_METADATA_PREFIX)) headers[key] = value;
  }
  if (message.delayMs !== undefined && message.delayMs > 0) headers[HttpHeader.delayMs] = String(message.delayMs);
  const bad = Object.entries(headers).find(([, value]) => typeof value !== "string" || !HEADER_VALUE.test(value));
  if (bad) return { problem: `the value of ${bad[0]} has characters an HTTP header cannot carry` };
  return { headers };
}

/** What a receiver makes of a request's headers. */
export interface ReceivedEnvelopeHeaders {
  readonly metadata: Metadata;
  /** Delay asked for with `thrift-queue-delay-ms`, in ms (0 when absent). */
  readonly delayMs: number;
}

/**
 * The metadata of a received job from its request headers, or why they are invalid (400): a timestamp that does
 * not parse, a delay that is not a whole number of ms up to `maxDelayMs`. An invalid `traceparent` is dropped,
 * as W3C trace context asks; `x-forwarded-*` headers are the proxies', not the producer's, and are left out.
 */
export function receivedMetadata(
  headers: IncomingHttpHeaders,
  id: string,
  protocol: ProtocolName,
  nowMs: number,
  maxDelayMs: number,
): ReceivedEnvelopeHeaders | { problem: string } {
  const metadata: Record<string, string> = {
    [MetadataKey.contentType]: ContentType[protocol],
    [MetadataKey.jobId]: id,
    [MetadataKey.enqueuedAt]: formatTimestamp(nowMs),
  };
  for (const [key, header] of [
    [MetadataKey.enqueuedAt, HttpHeader.enqueuedAt],
    [MetadataKey.deadline, HttpHeader.deadline],
  ] as const) {
    const value = single(headers[header]);
    if (value === undefined) continue;
    if (!Number.isFinite(Date.parse(value))) return { problem: `${header} is not a timestamp` };
    metadata[key] = value;
  }
  const traceparent = single(headers[HttpHeader.traceparent]);
  if (traceparent !== undefined && TRACEPARENT.test(traceparent)) metadata[MetadataKey.traceparent] = traceparent;
  for (const [key, value] of Object.entries(headers)) {
    if (!USER_KEY.test(key) || key.startsWith("x-forwarded-") || value === undefined) continue;
    metadata[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  const delayText = single(headers[HttpHeader.delayMs]);
  const delayMs = delayText === undefined ? 0 : Number(delayText);
  if (delayText !== undefined && (!DELAY.test(delayText) || delayMs > maxDelayMs)) {
    return { problem: `${HttpHeader.delayMs} must be a whole number of ms up to ${maxDelayMs}` };
  }
  return { metadata, delayMs };
}

/** A header Node gives as a string (or, for a few, an array): its one value. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
