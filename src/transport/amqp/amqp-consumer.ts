/**
 * One consumer of one queue, for one `receive()` iteration: consumes with a prefetch equal to the iteration's
 * `maxInFlight`, buffers what the broker pushes, and keeps consuming across failures: after a lost connection
 * or a channel error it opens a new channel on the next connection; after the broker cancels it (queue deleted)
 * it re-declares the topology and consumes again.
 */
import type { ConsumeMessage } from "amqplib";
import type { Logger } from "../../logger.ts";
import { abortableSleep } from "./abortable-sleep.ts";
import type { AmqpConnection } from "./amqp-connection.ts";
import { ConsumerChannel, type ConsumptionEnd } from "./consumer-channel.ts";
import { reconnectDelayMs } from "./reconnect-backoff.ts";
import { Wakeup } from "../wakeup.ts";

/** A message the broker delivered, with the channel it must be settled on. */
export interface Received {
  readonly message: ConsumeMessage;
  readonly channel: ConsumerChannel;
}

/** What {@link AmqpConsumer} needs. */
export interface AmqpConsumerOptions {
  readonly connection: AmqpConnection;
  readonly queue: string;
  readonly prefetch: number;
  /** Declares the topology again after the broker cancelled the consumer. */
  readonly redeclare: () => Promise<void>;
  readonly logger: Logger;
  /** Backoff between failed attempts to consume. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** A self-resuming consumer with a buffer of delivered messages. */
export class AmqpConsumer {
  private readonly options: AmqpConsumerOptions;
  private readonly stopping = new AbortController();
  private readonly buffer: Received[] = [];
  private readonly pushes = new Wakeup();
  private channel: ConsumerChannel | undefined;
  private consumerTag: string | undefined;
  private running: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: AmqpConsumerOptions) {
    this.options = options;
  }

  /** Messages delivered and not yet taken with {@link next}. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Starts consuming in the background. */
  start(): void {
    this.running ??= this.run();
  }

  /** The next delivered message, or undefined once stopped or when `signal` aborts. */
  async next(signal: AbortSignal): Promise<Received | undefined> {
    for (;;) {
      const received = this.takeLive();
      if (received) return received;
      if (this.stopping.signal.aborted || signal.aborted) return undefined;
      await this.pushes.wait(signal);
    }
  }

  /** Cancels the consumer and gives back every buffered message. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.wake();
      const channel = this.channel;
      if (channel && this.consumerTag !== undefined) await channel.cancel(this.consumerTag);
      this.releaseBuffer();
      await this.running;
      this.releaseBuffer();
    })();
    return this.stopped;
  }

  private async run(): Promise<void> {
    const { connection, logger } = this.options;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      let channel: ConsumerChannel | undefined;
      try {
        const session = await connection.session(Infinity, this.stopping.signal);
        channel = await ConsumerChannel.open(session, this.options.prefetch, logger);
        this.channel = channel;
        while (channel.isOpen && !this.stopping.signal.aborted) {
          const end = await this.consume(channel, () => (failures = 0));
          if (end === "closed" || this.stopping.signal.aborted) break;
          logger.warn({ queue: this.options.queue }, "AMQP consumer cancelled by the broker; re-declaring");
          await this.options.redeclare();
        }
      } catch (error) {
        if (!this.stopping.signal.aborted)
          logger.warn({ err: error, queue: this.options.queue }, "AMQP consume failed");
      }
      channel?.retire();
      if (this.stopping.signal.aborted) return;
      failures++;
      const delay = reconnectDelayMs(failures, {
        initialDelayMs: this.options.initialDelayMs,
        maxDelayMs: this.options.maxDelayMs,
      });
      await abortableSleep(delay, this.stopping.signal);
    }
  }

  private async consume(channel: ConsumerChannel, onStarted: () => void): Promise<ConsumptionEnd> {
    const end = await channel.consume(
      this.options.queue,
      (message, from) => this.push({ message, channel: from }),
      (tag) => {
        this.consumerTag = tag;
        onStarted();
        // Stopped while the consumer was starting: cancel it right away.
        if (this.stopping.signal.aborted) void channel.cancel(tag);
      },
    );
    this.consumerTag = undefined;
    return end;
  }

  private push(received: Received): void {
    if (this.stopping.signal.aborted) {
      received.channel.requeue(received.message);
      return;
    }
    this.buffer.push(received);
    this.wake();
  }

  /** The first buffered message whose channel is open; messages of closed channels were requeued by the broker. */
  private takeLive(): Received | undefined {
    for (;;) {
      const received = this.buffer.shift();
      if (!received || received.channel.isOpen) return received;
      received.channel.letGo();
    }
  }

  private releaseBuffer(): void {
    for (const received of this.buffer.splice(0)) received.channel.requeue(received.message);
  }

  private wake(): void {
    this.pushes.wakeAll();
  }
}
