/**
 * Reading received messages into envelopes, fetching offloaded payloads from S3. From the queue, what is not an
 * envelope (bad base64, no job id, an S3 pointer whose object is gone) is reported with a reason for the transport
 * to dead-letter. From the dead-letter queue everything is handed out, so that it can be inspected and removed:
 * what cannot be read keeps its raw body as payload, and every dead letter has a reason.
 */
import type { Message } from "@aws-sdk/client-sqs";
import { uuidv7 } from "../../ids.ts";
import { MetadataKey, type Envelope } from "../envelope.ts";
import type { PayloadStore } from "./s3-payload-store.ts";
import { describePointer, type PayloadPointer } from "./sqs-pointer.ts";
import { attributeMetadata, decodeBody, readMessage, receiveCount, REDRIVE_POLICY_REASON } from "./sqs-wire.ts";

/** A received message, read. */
export type Prepared =
  | {
      readonly kind: "envelope";
      readonly envelope: Envelope;
      readonly attempt: number;
      /** Where the payload was offloaded, if it was. */
      readonly pointer: PayloadPointer | undefined;
    }
  /** Not an envelope: to be dead-lettered with the reason. `id` is the job id, or SQS's message id. */
  | { readonly kind: "invalid"; readonly id: string; readonly reason: string }
  /** S3 could not be read just now: leave the message for a later attempt. */
  | { readonly kind: "unavailable"; readonly error: unknown };

/**
 * Reads a message from the queue; never throws or rejects. Synchronous unless the payload is in S3, so that the
 * usual message is handed out without waiting a turn.
 */
export function prepareMessage(message: Message, payloads: PayloadStore): Prepared | Promise<Prepared> {
  const read = readMessage(message);
  const fallbackId = message.MessageId ?? "";
  if (!read.ok)
    return {
      kind: "invalid",
      id: attributeMetadata(message.MessageAttributes ?? {})[MetadataKey.jobId] ?? fallbackId,
      reason: read.reason,
    };
  const { id, metadata, attempt } = read;
  if ("payload" in read.body)
    return { kind: "envelope", envelope: { id, metadata, payload: read.body.payload }, attempt, pointer: undefined };
  return fetchOffloaded(id, metadata, attempt, read.body.pointer, payloads);
}

async function fetchOffloaded(
  id: string,
  metadata: Envelope["metadata"],
  attempt: number,
  pointer: PayloadPointer,
  payloads: PayloadStore,
): Promise<Prepared> {
  let text: string | undefined;
  try {
    text = await payloads.get(pointer);
  } catch (error) {
    return { kind: "unavailable", error };
  }
  if (text === undefined) {
    return {
      kind: "invalid",
      id,
      reason: `TRANSPORT_INVALID_MESSAGE: the offloaded payload ${describePointer(pointer)} is gone`,
    };
  }
  const payload = decodeBody(text);
  if (!payload) {
    return {
      kind: "invalid",
      id,
      reason: `TRANSPORT_INVALID_MESSAGE: ${describePointer(pointer)} is not padded base64`,
    };
  }
  return { kind: "envelope", envelope: { id, metadata, payload }, attempt, pointer };
}

/** Reads a message from the dead-letter queue: always an envelope with a reason; never rejects. */
export async function prepareDeadLetter(message: Message, payloads: PayloadStore): Promise<Prepared> {
  const prepared = await prepareMessage(message, payloads);
  if (prepared.kind === "envelope") {
    const metadata = { ...prepared.envelope.metadata };
    metadata[MetadataKey.deadLetterReason] ??= REDRIVE_POLICY_REASON;
    return { ...prepared, envelope: { ...prepared.envelope, metadata }, attempt: receiveCount(message) };
  }
  const metadata = attributeMetadata(message.MessageAttributes ?? {});
  const problem = prepared.kind === "invalid" ? prepared.reason : `S3 could not be read: ${String(prepared.error)}`;
  metadata[MetadataKey.deadLetterReason] ??= problem;
  const id = metadata[MetadataKey.jobId] ?? uuidv7();
  metadata[MetadataKey.jobId] = id;
  const payload = new TextEncoder().encode(message.Body ?? "");
  return { kind: "envelope", envelope: { id, metadata, payload }, attempt: receiveCount(message), pointer: undefined };
}
