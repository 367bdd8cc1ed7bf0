/**
 * The channel one consumer receives on. Its deliveries can only be settled on it, so it stays open after its
 * consumer stops until every message it delivered is settled or released; when it closes for any other reason
 * (connection lost, channel error, broker consumer timeout) the broker requeues its unsettled messages and
 * their leases are lost.
 */
import type { Channel, ConsumeMessage, Message } from "amqplib";
import { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { AckBarrier } from "./ack-barrier.ts";
import type { AmqpSession } from "./amqp-session.ts";
import { DeliveryAcks } from "./delivery-acks.ts";

/** Why a consumption ended. */
export type ConsumptionEnd = "cancelled" | "closed";

/** Called for each message delivered to the consumer. */
export type OnMessage = (message: ConsumeMessage, channel: ConsumerChannel) => void;

/** A consumer's channel and the messages it holds. */
export class ConsumerChannel {
  private readonly channel: Channel;
  private readonly barrier: AckBarrier;
  private readonly acks = new DeliveryAcks();
  private readonly logger: Logger;
  private open = true;
  private holds = 0;
  private retired = false;
  private endConsumption: ((end: ConsumptionEnd) => void) | undefined;

  private constructor(channel: Channel, prefetch: number, logger: Logger) {
    this.channel = channel;
    this.logger = logger;
    // Re-sending the same per-consumer prefetch is a harmless synchronous request: the barrier's round trip. The
    // acks asked for until it starts are written just before it (in the same socket write), so its reply proves
    // them processed too.
    const writeAck = (message: Message, allUpTo: boolean): void => channel.ack(message, allUpTo);
    this.barrier = new AckBarrier(async () => {
      this.acks.flush(writeAck);
      await channel.prefetch(prefetch);
    });
    channel.on("error", (error: Error) => logger.warn({ err: error }, "AMQP consumer channel error"));
    channel.on("close", () => {
      this.open = false;
      this.endConsumption?.("closed");
    });
  }

  /** Opens a channel on the session with a per-consumer prefetch. */
  static async open(session: AmqpSession, prefetch: number, logger: Logger): Promise<ConsumerChannel> {
    const channel = await session.model.createChannel();
    const consumerChannel = new ConsumerChannel(channel, prefetch, logger);
    await channel.prefetch(prefetch);
    return consumerChannel;
  }

  /** Whether the channel is open: its deliveries can still be settled. */
  get isOpen(): boolean {
    return this.open;
  }

  /**
   * Consumes `queue` until the broker cancels the consumer (queue deleted) or the channel closes; resolves with
   * which. `onStarted` receives the consumer tag, for {@link cancel}.
   */
  consume(queue: string, onMessage: OnMessage, onStarted: (tag: string) => void): Promise<ConsumptionEnd> {
    const ended = new Promise<ConsumptionEnd>((resolve) => {
      this.endConsumption = resolve;
      if (!this.open) resolve("closed");
    });
    const started = this.channel.consume(queue, (message) => {
      if (message === null) {
        this.endConsumption?.("cancelled");
        return;
      }
      this.holds++;
      this.acks.delivered(message);
      onMessage(message, this);
    });
    return started.then(({ consumerTag }) => {
      onStarted(consumerTag);
      return ended;
    });
  }

  /** Stops the consumer (its consumption ends as `cancelled`); messages already delivered stay held. */
  async cancel(consumerTag: string): Promise<void> {
    if (this.open) await this.channel.cancel(consumerTag).catch(() => undefined);
    this.endConsumption?.("cancelled");
  }

  /**
   * Acks and resolves once the broker processed the ack; rejects with `TRANSPORT_LEASE_LOST` otherwise. The ack is
   * written with the next barrier request, together with the others asked for meanwhile (delivery-acks.ts).
   */
  async ack(message: Message, queue: string): Promise<void> {
    try {
      if (!this.open) throw new Error("channel closed");
      this.acks.ack(message);
      await this.barrier.wait();
    } catch (error) {
      throw leaseLost(queue, message, error);
    } finally {
      this.letGo();
    }
  }

  /** Gives a message back to the queue at once, in its place; a no-op once the channel closed. */
  requeue(message: Message): void {
    try {
      if (this.open) this.channel.nack(message, false, true);
      this.acks.settled(message);
    } catch (error) {
      this.logger.debug({ err: error }, "AMQP requeue failed; the broker requeues on channel close");
    }
    this.letGo();
  }

  /** Forgets a held message without settling it (its lease was lost with the channel, or handed elsewhere). */
  letGo(): void {
    this.holds = Math.max(0, this.holds - 1);
    this.closeIfDone();
  }

  /** No more consumers on this channel: it closes as soon as it holds no message. */
  retire(): void {
    this.retired = true;
    this.closeIfDone();
  }

  /** Closes the channel now; the broker requeues whatever it still held. */
  async close(): Promise<void> {
    this.retired = true;
    if (!this.open) return;
    this.open = false;
    await this.channel.close().catch(() => undefined);
  }

  private closeIfDone(): void {
    if (this.retired && this.holds === 0 && this.open) void this.close();
  }
}

/** The error of settling a delivery whose channel is gone. */
export function leaseLost(queue: string, message: Message, cause?: unknown): TransportError {
  const id: unknown = message.properties.messageId;
  const text = "the lease was lost with its AMQP channel: the broker delivers the message again";
  return new TransportError("TRANSPORT_LEASE_LOST", text, {
    cause,
    queue,
    messageIds: typeof id === "string" ? [id] : [],
  });
}
