/**
 * The AMQP 0-9-1 transport (RabbitMQ), on amqplib: durable queues, persistent messages, publisher confirms,
 * delays and retries through per-delay TTL queues, a dead-letter queue, leases kept by the transport, and a
 * connection that reconnects and resumes by itself. docs/transports-amqp.md describes the topology and the
 * wire mapping; amqplib is loaded on first connection only.
 */
import { TransportError } from "../../errors.ts";
import { InFlightDeliveries } from "../in-flight.ts";
import type { CloseOptions, Delivery, OutgoingMessage, QueueStats, ReceiveOptions, Transport } from "../transport.ts";
import type { QueueAdmin, TransportCapabilities } from "../transport.ts";
import { AmqpConnection } from "./amqp-connection.ts";
import { AmqpConsumer } from "./amqp-consumer.ts";
import { resolveAmqpOptions, type AmqpTransportOptions, type ResolvedAmqpOptions } from "./amqp-options.ts";
import { AmqpReceiver } from "./amqp-receiver.ts";
import { redriveDeadLetters } from "./amqp-redrive.ts";
import type { AmqpSession } from "./amqp-session.ts";
import { MAX_DELAY_MS, QueueTopology } from "./amqp-topology.ts";
import { enqueuedAtMs } from "./amqp-wire.ts";
import { declareQueue } from "./queue-declaration.ts";
import { DelayQueues } from "./delay-queues.ts";
import { EnvelopePublisher } from "./envelope-publisher.ts";
import { oversizedPayloads } from "../payload-limit.ts";

export type { AmqpTransportOptions } from "./amqp-options.ts";

/** AMQP's prefetch count is an unsigned 16-bit number. */
const MAX_PREFETCH = 65_535;

/** A queue on a RabbitMQ (AMQP 0-9-1) broker: `amqp://…?queue=jobs` or `amqps://…`. */
export class AmqpTransport implements Transport {
  readonly kind = "amqp";
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  /** Declares Q and `Q.dead` now (`create`); moves `Q.dead` back to Q (`redrive`, see amqp-redrive.ts). */
  readonly admin: QueueAdmin;
  private readonly options: ResolvedAmqpOptions;
  private readonly topology: QueueTopology;
  private readonly delayQueues: DelayQueues;
  private readonly connection: AmqpConnection;
  private readonly publisher: EnvelopePublisher;
  private readonly receiver: AmqpReceiver;
  private readonly inFlight = new InFlightDeliveries();
  private readonly consumers = new Set<AmqpConsumer>();
  private readonly sends = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private closing: Promise<void> | undefined;

  /** Validates the options (ConfigError naming every bad field); connects on first use or {@link connect}. */
  constructor(options: AmqpTransportOptions) {
    this.options = resolveAmqpOptions(options);
    this.queue = this.options.queue;
    this.capabilities = {
      ordering: "fifo",
      maxDelayMs: MAX_DELAY_MS,
      leaseExtension: true,
      depth: true,
      oldestAge: this.options.queueType !== "quorum",
      deadLetter: true,
      maxPayloadBytes: this.options.maxPayloadBytes,
      durable: true,
      peek: false,
      priority: false,
    };
    this.topology = new QueueTopology(
      this.queue,
      this.options.queueType,
      this.options.maxAttempts,
      this.options.classicQueueVersion,
    );
    this.delayQueues = new DelayQueues(this.topology);
    this.connection = new AmqpConnection(this.options, (session) => this.declareTopology(session));
    const redeclare = (session: AmqpSession): Promise<void> => this.declareTopology(session);
    this.publisher = new EnvelopePublisher({
      connection: this.connection,
      topology: this.topology,
      delayQueues: this.delayQueues,
      redeclare,
    });
    this.admin = {
      create: () => this.declareNow(),
      redrive: () => this.redrive(),
      deadLetterQueue: this.topology.dead,
    };
    this.receiver = new AmqpReceiver({
      options: this.options,
      topology: this.topology,
      publisher: this.publisher,
      inFlight: this.inFlight,
    });
  }

  /**
   * Connects and declares the topology now, rather than on first use; rejects with a retryable
   * `TRANSPORT_UNAVAILABLE` when the broker does not answer within `unavailableTimeoutMs` (it keeps trying).
   */
  async connect(): Promise<void> {
    await this.connection.session();
  }

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const oversized = oversizedPayloads(messages, this.capabilities.maxPayloadBytes, this.queue);
    if (oversized) return Promise.reject(oversized);
    if (messages.length === 0) return Promise.resolve();
    const sending = this.publisher.publishAll(messages);
    this.sends.add(sending);
    const forget = (): void => void this.sends.delete(sending);
    sending.then(forget, forget);
    return sending;
  }

  async *receive(options: ReceiveOptions = {}): AsyncGenerator<Delivery> {
    if (this.closing) return;
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    const fromDeadLetters = options.deadLetters ?? false;
    const consumer = new AmqpConsumer({
      connection: this.connection,
      queue: fromDeadLetters ? this.topology.dead : this.topology.main,
      prefetch: Math.min(Math.max(1, Math.floor(options.maxInFlight ?? 10)), MAX_PREFETCH),
      redeclare: async () => this.declareTopology(await this.connection.session()),
      logger: this.options.logger,
      initialDelayMs: this.options.reconnectInitialDelayMs,
      maxDelayMs: this.options.reconnectMaxDelayMs,
    });
    this.consumers.add(consumer);
    consumer.start();
    try {
      const leaseMs = options.leaseMs ?? this.options.leaseMs;
      for (;;) {
        const received = await consumer.next(signal);
        if (!received) return;
        const delivery = await this.receiver.accept(received, leaseMs, fromDeadLetters);
        if (delivery) yield delivery;
      }
    } finally {
      this.consumers.delete(consumer);
      await consumer.stop();
    }
  }

  /**
   * Depth from the broker: `visible` and `deadLettered` are the queues' ready counts, `delayed` the sum of the
   * delay buckets this transport used; `inFlight` counts only what this process holds (the broker does not say
   * per queue without the management plugin). `oldestAgeMs` peeks at the head of a classic queue (a get and a
   * requeue); quorum queues cannot be peeked without counting a delivery, so there it is undefined.
   */
  async stats(): Promise<QueueStats> {
    const session = await this.connection.session();
    const { main, dead } = this.topology;
    const [mainInfo, deadInfo] = await session.admin
      .run(async (channel) => [await channel.checkQueue(main), await channel.checkQueue(dead)] as const)
      .catch((error: unknown) => {
        throw this.unavailable("cannot check the queue", error);
      });
    const delayed = await this.delayQueues.count(session);
    const visible = mainInfo.messageCount;
    const oldestAgeMs = visible > 0 && !this.topology.quorum ? await this.peekOldestAgeMs(session) : undefined;
    let buffered = 0;
    for (const consumer of this.consumers) buffered += consumer.buffered;
    const inFlight = this.inFlight.size + buffered;
    return { visible, inFlight, delayed, oldestAgeMs, deadLettered: deadInfo.messageCount };
  }

  /** Empties the queue and the delay buckets this transport used (not messages in flight); returns how many. */
  async purge(): Promise<number> {
    const session = await this.connection.session();
    const purged = await session.admin
      .run((channel) => channel.purgeQueue(this.topology.main))
      .catch((error: unknown) => {
        throw this.unavailable("cannot purge the queue", error);
      });
    return purged.messageCount + (await this.delayQueues.purge(session));
  }

  /** The queues this transport has declared: Q, Q.dead and the delay buckets used, for clean-up and tooling. */
  queueNames(): string[] {
    const buckets = this.delayQueues.buckets().map((bucket) => this.topology.delayQueue(bucket).name);
    return [this.topology.main, this.topology.dead, ...buckets];
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      this.stopping.abort();
      await Promise.allSettled([...this.consumers].map((consumer) => consumer.stop()));
      await this.inFlight.drain(options.drainTimeoutMs ?? 30_000);
      await Promise.allSettled([...this.sends]);
      this.receiver.abandonLeases();
      await this.connection.close();
    })();
    return this.closing;
  }

  /** Declares the topology again even when connected (a queue may have been deleted since the connection). */
  private async declareNow(): Promise<void> {
    if (this.closing) throw this.closedError();
    const session = await this.connection.session();
    await this.declareTopology(session).catch((error: unknown) => {
      throw this.unavailable("cannot declare the queues", error);
    });
  }

  private async redrive(): Promise<number> {
    if (this.closing) throw this.closedError();
    const session = await this.connection.session();
    const { topology, publisher: republisher } = this;
    return redriveDeadLetters({ session, topology, republisher, logger: this.options.logger });
  }

  private async declareTopology(session: AmqpSession): Promise<void> {
    for (const declaration of this.topology.declarations()) await declareQueue(session.admin, declaration);
  }

  private peekOldestAgeMs(session: AmqpSession): Promise<number | undefined> {
    return session.admin
      .run(async (channel) => {
        const head = await channel.get(this.topology.main, { noAck: false });
        if (head === false) return undefined;
        channel.nack(head, false, true);
        const enqueuedAt = enqueuedAtMs(head);
        return enqueuedAt === undefined ? undefined : Math.max(0, Date.now() - enqueuedAt);
      })
      .catch(() => undefined);
  }

  private unavailable(what: string, cause: unknown): TransportError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new TransportError("TRANSPORT_UNAVAILABLE", `${what}: ${detail}`, {
      cause,
      retryable: true,
      queue: this.queue,
    });
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.queue });
  }
}
