/**
 * Records `queued` in a status store for every message a transport accepted, after the broker's acceptance (a
 * message that was not sent leaves no record): the jobs of send batches accepted while a write is under way share
 * the next `StatusStore.enqueued` call (queued-writes.ts), and a send resolves only once its jobs' write ended. A
 * store failure never fails the call, since the job is on the queue by then: it is logged and reported, and the
 * worker's first status write creates the record anyway.
 */
import { createReader } from "../codec/factory.ts";
import { TransportError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { NewJob, StatusStore } from "../status/status-store.ts";
import { QueuedStatusWrites } from "./queued-writes.ts";
import { MetadataKey, protocolOfContentType } from "../transport/envelope.ts";
import type { OutgoingMessage, Transport } from "../transport/transport.ts";

/** Which method a message calls, as the status store names it. */
export interface CallName {
  readonly service: string;
  readonly method: string;
}

/** Options of {@link recordingSender}. */
export interface StatusRecordingOptions {
  readonly transport: Pick<Transport, "send" | "queue">;
  readonly store: StatusStore;
  readonly logger: Logger;
  /** The call names of messages built from typed calls; others are read from the message header. */
  readonly names: WeakMap<OutgoingMessage, CallName>;
  /** Told about store failures (after logging). */
  readonly onStatusError?: ((error: unknown, jobIds: readonly string[]) => void) | undefined;
}

/** A `send` that records `queued` for what the transport accepted, for the producer's batcher. */
export function recordingSender(options: StatusRecordingOptions): Pick<Transport, "send"> {
  const { transport } = options;
  const writes = new QueuedStatusWrites(options.store, (error, jobs) => {
    const jobIds = jobs.map((job) => job.id);
    options.logger.warn({ err: error, jobIds }, "sent, but the queued status could not be recorded");
    options.onStatusError?.(error, jobIds);
  });
  const record = (messages: readonly OutgoingMessage[]): Promise<void> =>
    writes.record(messages.map((message) => newJob(options, message)));
  return {
    async send(messages) {
      try {
        await transport.send(messages);
      } catch (error) {
        // Messages the error does not name were accepted before it.
        if (error instanceof TransportError && error.messageIds.length > 0) {
          const failed = new Set(error.messageIds);
          await record(messages.filter((message) => !failed.has(message.id)));
        }
        throw error;
      }
      await record(messages);
    },
  };
}

function newJob(options: StatusRecordingOptions, message: OutgoingMessage): NewJob {
  const name = options.names.get(message) ?? callNameOf(message);
  const enqueuedAt = Date.parse(message.metadata[MetadataKey.enqueuedAt] ?? "");
  return {
    id: message.id,
    service: name.service,
    method: name.method,
    queue: options.transport.queue,
    enqueuedAt: Number.isFinite(enqueuedAt) ? enqueuedAt : Date.now(),
  };
}

/** The service and method of an encoded call, from its message header (`Service:method` or `method`). */
export function callNameOf(message: OutgoingMessage): CallName {
  try {
    const protocol = protocolOfContentType(message.metadata[MetadataKey.contentType]) ?? "binary";
    const { name } = createReader(message.payload, protocol).readMessageBegin();
    const separator = name.indexOf(":");
    return separator === -1
      ? { service: "", method: name }
      : { service: name.slice(0, separator), method: name.slice(separator + 1) };
  } catch {
    return { service: "", method: "" };
  }
}
