/**
 * The Amazon SQS transport (`sqs://<queue>?region=…` or a queue URL), on AWS SDK v3: long-polling receives,
 * batched sends and acks, leases as visibility timeouts, a dead-letter queue with a RedrivePolicy, FIFO queues,
 * and bodies over a threshold offloaded to S3 in the AWS SQS Extended Client format. docs/transports-sqs.md
 * describes the wire mapping and the rules; the SDK is loaded on first use only.
 */
import { TransportError } from "../../errors.ts";
import { InFlightDeliveries } from "../in-flight.ts";
import type { CloseOptions, Delivery, OutgoingMessage, QueueStats, ReceiveOptions, Transport } from "../transport.ts";
import type { QueueAdmin, TransportCapabilities } from "../transport.ts";
import { createS3PayloadStore, type PayloadStore } from "./s3-payload-store.ts";
import { createSqsApi, type SqsApi } from "./sqs-api.ts";
import { DeadLetters } from "./sqs-dead-letters.ts";
import { DeleteBatcher } from "./sqs-delete-batcher.ts";
import { toSqsTransportError } from "./sqs-errors.ts";
import { resolveSqsOptions, type ResolvedSqsOptions, type SqsTransportOptions } from "./sqs-options.ts";
import { SqsPoller } from "./sqs-poller.ts";
import { SqsPublisher } from "./sqs-publisher.ts";
import { SqsQueues, type QueueRef } from "./sqs-queues.ts";
import { prepareDeadLetter, prepareMessage, type Prepared } from "./sqs-reader.ts";
import { SqsReceiver, type SqsReceiverContext } from "./sqs-receiver.ts";

export type { SqsTransportOptions } from "./sqs-options.ts";

/** SQS's longest DelaySeconds (15 minutes), in ms. */
const MAX_SEND_DELAY_MS = 900_000;

const DEPTH_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
] as const;

/** A queue on Amazon SQS (or an SQS-compatible service such as an emulator). */
export class SqsTransport implements Transport {
  readonly kind = "sqs";
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  /**
   * `create` makes the queue and its dead-letter queue (RedrivePolicy maxReceiveCount = maxAttempts); `redrive`
   * moves dead letters back with SendMessageBatch copies, each dead letter deleted only after its copy was accepted.
   */
  readonly admin: QueueAdmin;
  private readonly options: ResolvedSqsOptions;
  private readonly api: SqsApi;
  private readonly payloads: PayloadStore;
  private readonly queues: SqsQueues;
  private readonly deleter: DeleteBatcher;
  private readonly deadLetters: DeadLetters;
  private readonly publisher: SqsPublisher;
  private readonly receiverContext: SqsReceiverContext;
  private readonly pollers = new Map<"main" | "dead", SqsPoller<Prepared>>();
  private readonly inFlight = new InFlightDeliveries();
  private readonly sends = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private closing: Promise<void> | undefined;

  /** Validates the options (one ConfigError naming every bad field); connects on first use. */
  constructor(options: SqsTransportOptions) {
    this.options = resolveSqsOptions(options);
    const { queue, region, endpoint, credentials, logger } = this.options;
    this.queue = queue;
    const maxDelayMs = this.options.fifo ? 0 : MAX_SEND_DELAY_MS;
    this.capabilities = {
      ordering: this.options.fifo ? "group" : "none",
      maxDelayMs,
      leaseExtension: true,
      depth: true,
      oldestAge: false,
      deadLetter: true,
      maxPayloadBytes: this.options.maxPayloadBytes,
      durable: true,
      peek: false,
      priority: false,
    };
    this.admin = {
      create: () => this.createQueues(),
      redrive: () => this.redrive(),
      deadLetterQueue: this.options.deadLetterQueue,
    };
    const clientConfig = { region, endpoint, credentials };
    this.api = createSqsApi(this.options.sqsClient, clientConfig);
    this.payloads = createS3PayloadStore(this.options.s3Client, {
      ...clientConfig,
      endpoint: this.options.s3Endpoint,
      forcePathStyle: this.options.s3ForcePathStyle,
    });
    this.queues = new SqsQueues(this.api, this.options);
    this.deleter = new DeleteBatcher(this.api, queue);
    this.deadLetters = new DeadLetters({ api: this.api, queues: this.queues, options: this.options });
    const { api, payloads, queues } = this;
    this.publisher = new SqsPublisher({ api, payloads, queues, options: this.options, maxDelayMs });
    this.receiverContext = {
      settlement: {
        api,
        deleter: this.deleter,
        deadLetters: this.deadLetters,
        payloads,
        queue,
        maxAttempts: this.options.maxAttempts,
        keepOffloadedPayloads: this.options.keepOffloadedPayloads,
        logger,
      },
      deleter: this.deleter,
      deadLetters: this.deadLetters,
      inFlight: this.inFlight,
      logger,
    };
  }

  /** Creates the queue and its dead-letter queue (with a RedrivePolicy) if they are missing; idempotent. */
  async createQueues(): Promise<void> {
    await this.queues.createQueues().catch((error: unknown) => {
      throw toSqsTransportError(error, "cannot create the queues", this.queue);
    });
  }

  /** The queue's and its dead-letter queue's URLs (looked up, or created with the `create` option). */
  queueUrls(): Promise<{ readonly main: QueueRef; readonly dead: QueueRef | undefined }> {
    return this.queues.resolve();
  }

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const sending = this.publisher.publish(messages);
    this.sends.add(sending);
    const forget = (): void => void this.sends.delete(sending);
    sending.then(forget, forget);
    return sending;
  }

  receive(options: ReceiveOptions = {}): AsyncGenerator<Delivery> {
    // The receiver's generator itself, not one wrapping it: every message would cross both.
    if (this.closing) return noDeliveries();
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    const fromDeadLetters = options.deadLetters ?? false;
    const receiver = new SqsReceiver(this.receiverContext, this.poller(fromDeadLetters), fromDeadLetters);
    return receiver.deliveries({
      signal,
      leaseMs: options.leaseMs ?? this.options.leaseMs,
      maxInFlight: options.maxInFlight ?? 10,
    });
  }

  /**
   * Depth from GetQueueAttributes: ApproximateNumberOfMessages (visible), …NotVisible (in flight, including what
   * receives hold and have not handed out), …Delayed; `deadLettered` counts all three on the dead-letter queue.
   * SQS's figures are approximate. `oldestAgeMs` is undefined: SQS reports the oldest message's age only as a
   * CloudWatch metric (ApproximateAgeOfOldestMessage), not through the queue API.
   */
  async stats(): Promise<QueueStats> {
    if (this.closing) throw this.closedError();
    const { main, dead } = await this.queues.resolve();
    const read = (queue: QueueRef): Promise<Partial<Record<string, string>>> =>
      this.api.getQueueAttributes(queue.url, [...DEPTH_ATTRIBUTES]).catch((error: unknown) => {
        throw toSqsTransportError(error, "stats failed", this.queue);
      });
    const [counts, deadCounts] = await Promise.all([read(main), dead ? read(dead) : undefined]);
    const count = (attributes: Partial<Record<string, string>>, name: (typeof DEPTH_ATTRIBUTES)[number]): number =>
      Number(attributes[name] ?? 0) || 0;
    return {
      visible: count(counts, "ApproximateNumberOfMessages"),
      inFlight: count(counts, "ApproximateNumberOfMessagesNotVisible"),
      delayed: count(counts, "ApproximateNumberOfMessagesDelayed"),
      oldestAgeMs: undefined,
      deadLettered: deadCounts && DEPTH_ATTRIBUTES.reduce((sum, name) => sum + count(deadCounts, name), 0),
    };
  }

  /**
   * Empties the queue with PurgeQueue; returns how many messages were waiting (visible and delayed) just before,
   * as SQS approximates them. Unlike the contract's other transports, SQS's PurgeQueue also deletes messages in
   * flight, and allows one purge per queue every 60 seconds (a second one is `TRANSPORT_UNAVAILABLE`, retryable).
   */
  async purge(): Promise<number> {
    if (this.closing) throw this.closedError();
    const { main } = await this.queues.resolve();
    try {
      const before = await this.api.getQueueAttributes(main.url, [...DEPTH_ATTRIBUTES]);
      await this.api.purgeQueue(main.url);
      const waiting = (name: string): number => Number(before[name] ?? 0) || 0;
      return waiting("ApproximateNumberOfMessages") + waiting("ApproximateNumberOfMessagesDelayed");
    } catch (error) {
      throw toSqsTransportError(error, "purge failed", this.queue);
    }
  }

  /** Moves every dead letter (not in flight) back to the queue, reason removed; returns how many. */
  async redrive(): Promise<number> {
    if (this.closing) throw this.closedError();
    return this.deadLetters.redrive().catch((error: unknown) => {
      throw toSqsTransportError(error, "redrive failed", this.queue);
    });
  }

  /**
   * Ends every iteration, aborts running long polls at once (what they would bring comes back after its
   * visibility timeout), gives back what was received and not handed out, waits up to `drainTimeoutMs` for the
   * deliveries handed out to be settled (releasing the rest), then for sends and acks under way. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
      this.stopping.abort();
      // Polls stop while deliveries drain: no iteration is left to take what they would bring.
      const pollsStopped = Promise.allSettled([...this.pollers.values()].map((poller) => poller.shutdown()));
      await this.inFlight.drain(drainTimeoutMs);
      await Promise.allSettled([...this.sends]);
      await pollsStopped;
      await this.deleter.flush();
      this.api.destroy();
      this.payloads.destroy();
    })();
    return this.closing;
  }

  private poller(fromDeadLetters: boolean): SqsPoller<Prepared> {
    const which = fromDeadLetters ? "dead" : "main";
    let poller = this.pollers.get(which);
    if (!poller) {
      const payloads = this.payloads;
      poller = new SqsPoller<Prepared>({
        api: this.api,
        queueUrl: async () =>
          (fromDeadLetters ? await this.queues.deadLetterQueue() : (await this.queues.resolve()).main).url,
        queue: this.queue,
        pollers: this.options.pollers,
        waitTimeSeconds: this.options.waitTimeSeconds,
        logger: this.options.logger,
        prepare: (message) =>
          fromDeadLetters ? prepareDeadLetter(message, payloads) : prepareMessage(message, payloads),
      });
      this.pollers.set(which, poller);
    }
    return poller;
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.queue });
  }
}

/** The iteration of a closed transport: it ends at once. */
async function* noDeliveries(): AsyncGenerator<Delivery> {}
