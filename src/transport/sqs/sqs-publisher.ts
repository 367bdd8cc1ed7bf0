/**
 * The send path: checks every message before anything is sent, encodes it (base64 body, metadata attributes),
 * offloads bodies over the threshold to S3 in the Extended Client format, sends the rest in SendMessageBatch calls
 * and rejects naming exactly the ids that were not accepted (deleting their S3 objects again).
 */
import { randomUUID } from "node:crypto";
import { TransportError } from "../../errors.ts";
import { oversizedPayloads } from "../payload-limit.ts";
import type { OutgoingMessage } from "../transport.ts";
import type { PayloadStore } from "./s3-payload-store.ts";
import type { SqsApi } from "./sqs-api.ts";
import { forEachConcurrently } from "./sqs-batches.ts";
import { awsErrorCode, isRetryableAwsError, toSqsTransportError } from "./sqs-errors.ts";
import type { ResolvedSqsOptions } from "./sqs-options.ts";
import { EXTENDED_PAYLOAD_SIZE_ATTRIBUTE, formatPointer, type PayloadPointer } from "./sqs-pointer.ts";
import type { SqsQueues } from "./sqs-queues.ts";
import { failureError, sendEntries, type OutgoingEntry, type SendFailure } from "./sqs-sender.ts";
import { encodeBody, envelopeAttributes, messageSize, sendProblem, type SqsAttributes } from "./sqs-wire.ts";

/** Most S3 uploads of one send at once. */
const UPLOAD_CONCURRENCY = 8;

/** What {@link SqsPublisher} needs. */
export interface SqsPublisherContext {
  readonly api: SqsApi;
  readonly payloads: PayloadStore;
  readonly queues: SqsQueues;
  readonly options: ResolvedSqsOptions;
  /** Longest delay of a send, in ms (0 on FIFO queues). */
  readonly maxDelayMs: number;
}

/** A message encoded for SQS, with the S3 object its body went to, if any. */
interface Encoded {
  readonly message: OutgoingMessage;
  readonly entry: OutgoingEntry;
  readonly pointer: PayloadPointer | undefined;
  /** The base64 body to upload, when offloaded. */
  readonly offloadedBody: string | undefined;
}

/** Sends envelopes to one queue. */
export class SqsPublisher {
  private readonly context: SqsPublisherContext;

  constructor(context: SqsPublisherContext) {
    this.context = context;
  }

  /** Sends every message; rejects with a TransportError naming the ids that were not accepted. */
  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    const { options } = this.context;
    this.check(messages);
    const encoded = messages.map((message) => this.encode(message));
    const tooLarge = encoded.filter((item) => !item.pointer && item.entry.size > options.maxMessageBytes);
    if (tooLarge.length > 0) {
      const hint = options.offloadBucket ? "" : " (set offloadBucket to send larger messages through S3)";
      throw new TransportError(
        "TRANSPORT_PAYLOAD_TOO_LARGE",
        `message over SQS's ${options.maxMessageBytes}-byte limit (body and attributes)${hint}; nothing was sent`,
        { queue: options.queue, messageIds: tooLarge.map((item) => item.message.id) },
      );
    }
    if (messages.length === 0) return;
    const { main } = await this.context.queues.resolve().catch((error: unknown) => {
      const wrapped = toSqsTransportError(error, "send failed", options.queue);
      throw new TransportError(wrapped.code, `${wrapped.message}; nothing was sent`, {
        cause: wrapped,
        retryable: wrapped.retryable,
        queue: options.queue,
        messageIds: messages.map((message) => message.id),
      });
    });
    const offloaded = encoded.filter((item) => item.pointer !== undefined);
    const uploadFailures = offloaded.length === 0 ? [] : await this.upload(offloaded);
    const failedUploads = new Set(uploadFailures.map((failure) => failure.id));
    const toSend = failedUploads.size === 0 ? encoded : encoded.filter((item) => !failedUploads.has(item.message.id));
    const sendFailures = await sendEntries(
      this.context.api,
      main.url,
      toSend.map((item) => item.entry),
      { sequential: options.fifo },
    );
    const failures = [...uploadFailures, ...sendFailures];
    if (failures.length === 0) return;
    await this.forget(toSend.filter((item) => sendFailures.some((failure) => failure.id === item.message.id)));
    throw failureError(`${failures.length} of ${messages.length} messages were not sent`, failures, options.queue);
  }

  /** Refuses, before anything is sent, payloads over the limit and messages SQS cannot carry. */
  private check(messages: readonly OutgoingMessage[]): void {
    const { options, maxDelayMs } = this.context;
    const oversized = oversizedPayloads(messages, options.maxPayloadBytes, options.queue);
    if (oversized) throw oversized;
    const limits = { maxDelayMs, maxMetadataEntries: options.maxMetadataEntries };
    const problems = messages.flatMap((message) => {
      const problem = sendProblem(message, limits);
      return problem === undefined ? [] : [{ id: message.id, problem }];
    });
    if (problems.length > 0) {
      const detail = problems.map(({ id, problem }) => `${String(id)}: ${problem}`).join("; ");
      throw new TransportError("TRANSPORT_INVALID_MESSAGE", `nothing was sent: ${detail}`, {
        queue: options.queue,
        messageIds: problems.map(({ id }) => id),
      });
    }
  }

  private encode(message: OutgoingMessage): Encoded {
    const { options } = this.context;
    const body = encodeBody(message.payload);
    const attributes = envelopeAttributes(message);
    const size = messageSize(body, attributes);
    if (options.offloadBucket === undefined || size <= options.offloadThresholdBytes) {
      return {
        message,
        entry: this.entry(message, body, attributes, size),
        pointer: undefined,
        offloadedBody: undefined,
      };
    }
    const pointer = { bucket: options.offloadBucket, key: `${options.offloadKeyPrefix}${randomUUID()}` };
    const pointerAttributes: SqsAttributes = {
      ...attributes,
      [EXTENDED_PAYLOAD_SIZE_ATTRIBUTE]: { DataType: "Number", StringValue: String(Buffer.byteLength(body)) },
    };
    return {
      message,
      entry: this.entry(message, formatPointer(pointer), pointerAttributes),
      pointer,
      offloadedBody: body,
    };
  }

  /** The batch entry of a message; `size` is what {@link messageSize} says of it, when known already. */
  private entry(
    message: OutgoingMessage,
    body: string,
    attributes: SqsAttributes,
    size: number = messageSize(body, attributes),
  ): OutgoingEntry {
    const { options } = this.context;
    const delaySeconds = Math.ceil((message.delayMs ?? 0) / 1000);
    const request = {
      MessageBody: body,
      MessageAttributes: attributes,
      ...(options.fifo
        ? {
            MessageGroupId: message.groupId ?? options.fifoGroupId,
            MessageDeduplicationId: message.deduplicationId ?? message.id,
          }
        : delaySeconds > 0
          ? { DelaySeconds: delaySeconds }
          : {}),
    };
    return { id: message.id, request, size };
  }

  /** Uploads offloaded bodies; resolves with the messages whose upload failed. */
  private async upload(items: readonly Encoded[]): Promise<SendFailure[]> {
    const failures: SendFailure[] = [];
    await forEachConcurrently(items, UPLOAD_CONCURRENCY, async (item) => {
      if (!item.pointer || item.offloadedBody === undefined) return;
      try {
        await this.context.payloads.put(item.pointer, item.offloadedBody);
      } catch (error) {
        failures.push({
          id: item.message.id,
          code: `S3 ${awsErrorCode(error) ?? "Error"}`,
          message: error instanceof Error ? error.message : String(error),
          retryable: isRetryableAwsError(error),
        });
      }
    });
    return failures;
  }

  /** Deletes the S3 objects of messages that were not sent; failures leave them to a lifecycle rule. */
  private async forget(items: readonly Encoded[]): Promise<void> {
    const { payloads, options } = this.context;
    await forEachConcurrently(items, UPLOAD_CONCURRENCY, async (item) => {
      if (!item.pointer) return;
      await payloads.delete(item.pointer).catch((error: unknown) => {
        options.logger.warn(
          { err: error, queue: options.queue },
          "could not delete the S3 object of an unsent message",
        );
      });
    });
  }
}
