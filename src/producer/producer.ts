/**
 * The producer: what generated clients send through when a transport is behind them. Each call becomes a
 * complete Thrift message in an envelope with a UUIDv7 job id, batched with its neighbours, and resolves with a
 * receipt once the broker has durably accepted it.
 */
import { encodeCallMessage } from "../codec/call-message.ts";
import type { ProtocolName } from "../codec/protocol.ts";
import { ConfigError } from "../errors.ts";
import { uuidv7 } from "../ids.ts";
import { ContentType, formatTimestamp, MetadataKey, normalizeUserMetadata } from "../transport/envelope.ts";
import type { OutgoingMessage, Transport } from "../transport/transport.ts";
import type { CallChannel, CallOptions, OutgoingCall } from "./call-channel.ts";
import { SendBatcher, type SendBatcherOptions } from "./send-batcher.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import { recordingSender, type CallName } from "./status-recording.ts";
import { awaitJobResult } from "./result-waiter.ts";

/** Options of {@link createProducer}. */
export interface ProducerOptions extends SendBatcherOptions {
  /** Where calls go. The producer does not own it: closing the producer leaves the transport open. */
  readonly transport: Transport;
  /** @defaultValue "binary" */
  readonly protocol?: ProtocolName;
  /**
   * Name messages `Service:method` (TMultiplexedProtocol), so several services can share a queue; turn off for
   * workers that use a plain Apache Thrift processor. @defaultValue true
   */
  readonly multiplexed?: boolean;
  /** Clock, for tests. @defaultValue Date.now */
  readonly now?: () => number;
  /**
   * Records `queued` for every accepted call, after the broker accepted it and before the call resolves (batches
   * accepted while a write is under way share the next one, so a busy producer makes few writes). A store
   * failure does not fail the call: the job is on the queue, and the worker creates the record. Two-way calls'
   * `result()` reads their outcome from it. @defaultValue none
   */
  readonly store?: StatusStore;
  /** Where store failures are logged. @defaultValue silentLogger */
  readonly logger?: Logger;
  /** Told about store failures, with the job ids whose `queued` record is missing. */
  readonly onStatusError?: (error: unknown, jobIds: readonly string[]) => void;
}

/** What a producer returns for each accepted call. */
export interface Receipt {
  /** The job id (UUIDv7): ask the status store about it, or find it in logs. */
  readonly jobId: string;
  /** The queue that accepted it. */
  readonly queue: string;
  /** When it was enqueued, RFC 3339 UTC. */
  readonly enqueuedAt: string;
}

/**
 * Sends encoded calls through a transport. With a status store it also implements `awaitResult`, so the
 * `result()` of two-way calls reads their outcome from the store.
 */
export interface Producer extends CallChannel<Receipt> {
  /** Sends an already encoded Thrift message (dynamic mode, the CLI, adapters). */
  sendEncoded(payload: Uint8Array, options?: CallOptions): Promise<Receipt>;
  /** Resolves when every call made so far has been accepted or has failed. */
  flush(): Promise<void>;
}

/** Creates a {@link Producer}; pass it to a generated `create<Service>Client`. */
export function createProducer(options: ProducerOptions): Producer {
  const { transport, store } = options;
  const protocol = options.protocol ?? "binary";
  const multiplexed = options.multiplexed ?? true;
  const now = options.now ?? Date.now;
  const names = new WeakMap<OutgoingMessage, CallName>();
  const sender =
    store === undefined
      ? transport
      : recordingSender({
          transport,
          store,
          logger: options.logger ?? silentLogger,
          names,
          onStatusError: options.onStatusError,
        });
  const batcher = new SendBatcher(sender, options);
  const timestamps = new TimestampCache();

  async function sendEncoded(
    payload: Uint8Array,
    callOptions: CallOptions = NO_OPTIONS,
    name?: CallName,
  ): Promise<Receipt> {
    checkSupported(transport, callOptions);
    const nowMs = now();
    const message = outgoingMessage(payload, protocol, callOptions, nowMs, timestamps.format(nowMs));
    if (name !== undefined && store !== undefined) names.set(message, name);
    await batcher.enqueue(message);
    return { jobId: message.id, queue: transport.queue, enqueuedAt: message.metadata[MetadataKey.enqueuedAt] ?? "" };
  }

  return {
    send<Args>(call: OutgoingCall<Args>, callOptions?: CallOptions): Promise<Receipt> {
      try {
        const payload = encodeCallMessage(call.service, call.method, call.args, { protocol, multiplexed });
        return sendEncoded(payload, callOptions, { service: call.service.name, method: call.method.name });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    sendEncoded: (payload, callOptions) => sendEncoded(payload, callOptions),
    flush: () => batcher.idle(),
    ...(store === undefined ? {} : { awaitResult: resultReader(store) }),
  };
}

/** `awaitResult` of a producer with a store: two-way results are read from the job's status record. */
function resultReader(store: StatusStore): NonNullable<Producer["awaitResult"]> {
  return (receipt, method, resultOptions) => awaitJobResult(store, receipt.jobId, method, resultOptions);
}

const NO_OPTIONS: CallOptions = {};

/** The RFC 3339 text of the last millisecond formatted: calls made together mostly share one. */
class TimestampCache {
  private millis = Number.NaN;
  private text = "";

  format(millis: number): string {
    if (millis !== this.millis) {
      this.text = formatTimestamp(millis);
      this.millis = millis;
    }
    return this.text;
  }
}

/**
 * Builds the envelope of one call: job id, reserved metadata, user metadata, delivery options. `enqueuedAt` is
 * `nowMs` formatted, when the caller has it already.
 */
export function outgoingMessage(
  payload: Uint8Array,
  protocol: ProtocolName,
  options: CallOptions,
  nowMs: number,
  enqueuedAt: string = formatTimestamp(nowMs),
): OutgoingMessage {
  const id = options.jobId ?? uuidv7(nowMs);
  // User keys first, then the reserved ones; built in place (this runs once per call).
  const metadata = normalizeUserMetadata(options.metadata);
  metadata[MetadataKey.contentType] = ContentType[protocol];
  metadata[MetadataKey.jobId] = id;
  metadata[MetadataKey.enqueuedAt] = enqueuedAt;
  if (options.traceparent !== undefined) metadata[MetadataKey.traceparent] = options.traceparent;
  if (options.deadline !== undefined)
    metadata[MetadataKey.deadline] = formatTimestamp(deadlineMillis(options.deadline));
  if (!hasDeliveryOptions(options)) return { id, payload, metadata };
  return {
    id,
    payload,
    metadata,
    ...(options.delayMs === undefined ? {} : { delayMs: nonNegative(options.delayMs, "delayMs") }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
    ...(options.deduplicationId === undefined ? {} : { deduplicationId: options.deduplicationId }),
  };
}

/** Whether a call asks for a delay, a priority or FIFO ids: the options a transport may not honour. */
function hasDeliveryOptions(options: CallOptions): boolean {
  return (
    options.delayMs !== undefined ||
    options.priority !== undefined ||
    options.groupId !== undefined ||
    options.deduplicationId !== undefined
  );
}

/** Options the transport cannot honour are errors, never silently dropped. */
function checkSupported(transport: Transport, options: CallOptions): void {
  if (!hasDeliveryOptions(options)) return;
  const { capabilities, kind } = transport;
  const problems: string[] = [];
  if (options.priority !== undefined && !capabilities.priority) problems.push("priority");
  if ((options.delayMs ?? 0) > capabilities.maxDelayMs) {
    problems.push(`delayMs over ${capabilities.maxDelayMs}`);
  }
  if ((options.groupId !== undefined || options.deduplicationId !== undefined) && capabilities.ordering !== "group") {
    problems.push("groupId and deduplicationId (FIFO queues only)");
  }
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `the ${kind} transport does not support ${problems.join(", ")}`);
  }
}

function deadlineMillis(deadline: Date | number): number {
  const millis = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(millis)) throw new ConfigError("CONFIG_INVALID", "deadline must be a valid Date or Unix ms");
  return millis;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError("CONFIG_INVALID", `${name} must be ≥ 0, got ${value}`);
  return value;
}
