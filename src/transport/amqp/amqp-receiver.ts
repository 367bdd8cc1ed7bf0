/**
 * Turns messages the broker delivered into tracked deliveries with a lease. What is not a valid envelope (no
 * job id), or has been delivered more often than `maxAttempts` (the broker's redeliveries on a quorum queue), is
 * dead-lettered here with a reason and never handed out.
 */
import type { Message } from "amqplib";
import type { InFlightDeliveries } from "../in-flight.ts";
import type { Delivery } from "../transport.ts";
import type { Received } from "./amqp-consumer.ts";
import type { ResolvedAmqpOptions } from "./amqp-options.ts";
import type { QueueTopology } from "./amqp-topology.ts";
import { readMessage } from "./amqp-wire.ts";
import type { EnvelopePublisher } from "./envelope-publisher.ts";
import { LeaseSettlement } from "./lease-settlement.ts";

/** When dead-lettering a bad message fails (broker trouble), it goes back to the queue after this long. */
const DISCARD_RETRY_MS = 1000;

/** What {@link AmqpReceiver} needs. */
export interface AmqpReceiverOptions {
  readonly options: ResolvedAmqpOptions;
  readonly topology: QueueTopology;
  readonly publisher: EnvelopePublisher;
  readonly inFlight: InFlightDeliveries;
}

/** Accepts deliveries for one transport and keeps their leases. */
export class AmqpReceiver {
  private readonly context: AmqpReceiverOptions;
  private readonly settlements = new Set<LeaseSettlement>();

  constructor(context: AmqpReceiverOptions) {
    this.context = context;
  }

  /** A delivery for the message, or undefined when the message was dead-lettered instead. */
  async accept(received: Received, leaseMs: number, fromDeadLetters: boolean): Promise<Delivery | undefined> {
    const { options, topology, publisher, inFlight } = this.context;
    const { message } = received;
    const read = readMessage(message, { countBrokerRedeliveries: topology.quorum, fromDeadLetters });
    if (!read.ok) {
      await this.discard(received, () => publisher.deadLetterRaw(message, read.reason));
      return undefined;
    }
    if (!fromDeadLetters && read.attempt > options.maxAttempts) {
      const reason = `exceeded ${options.maxAttempts} attempts (redelivered by the broker after a lost consumer)`;
      await this.discard(received, () => publisher.deadLetter(read.envelope, reason));
      return undefined;
    }
    const settlement = new LeaseSettlement({
      received,
      envelope: read.envelope,
      attempt: read.attempt,
      queue: options.queue,
      fromDeadLetters,
      maxAttempts: options.maxAttempts,
      leaseMs,
      republisher: publisher,
      logger: options.logger,
      onFinished: (finished) => this.settlements.delete(finished),
    });
    this.settlements.add(settlement);
    const delivery = inFlight.track(read.envelope, read.attempt, options.queue, settlement);
    settlement.start();
    return delivery;
  }

  /** Stops every lease timer (the transport is closing; the broker requeues what is left). */
  abandonLeases(): void {
    for (const settlement of this.settlements) settlement.abandon();
    this.settlements.clear();
  }

  /** Publishes the dead-letter copy, then acks the original; on failure gives the original back later. */
  private async discard(received: Received, publishCopy: () => Promise<void>): Promise<void> {
    const { channel, message } = received;
    const { logger, queue } = this.context.options;
    try {
      await publishCopy();
    } catch (error) {
      logger.error({ err: error, queue }, "AMQP could not dead-letter a message; it goes back to the queue");
      setTimeout(() => channel.requeue(message), DISCARD_RETRY_MS).unref();
      return;
    }
    logger.warn({ queue, messageId: messageIdOf(message) }, "AMQP dead-lettered a message on receipt");
    await channel.ack(message, queue).catch((error: unknown) => {
      logger.warn({ err: error, queue }, "AMQP ack after dead-lettering failed; the message may come back");
    });
  }
}

function messageIdOf(message: Message): string | undefined {
  const id: unknown = message.properties.messageId;
  return typeof id === "string" ? id : undefined;
}
