/**
 * How one AMQP delivery is settled, and its lease. AMQP has no visibility timeout: an unacked message stays
 * with its channel until that closes. The lease is therefore a timer of the transport's: when it runs out the
 * transport hands the message back itself (a copy for the next attempt, then an ack of the original), and any
 * settlement after that rejects with `TRANSPORT_LEASE_LOST`. Retries and dead letters are copies published
 * with a confirm before the original is acked, so a crash in between duplicates a message but never loses it.
 */
import { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { Envelope } from "../envelope.ts";
import type { SettleOperations } from "../in-flight.ts";
import type { Received } from "./amqp-consumer.ts";
import { leaseLost } from "./consumer-channel.ts";

/** Publishes the copies that replace a delivery. */
export interface Republisher {
  /** A copy for attempt number `attempt`, delivered after `delayMs`. */
  retry(envelope: Envelope, attempt: number, delayMs: number): Promise<void>;
  /** A copy in the dead-letter queue, with the reason. */
  deadLetter(envelope: Envelope, reason: string): Promise<void>;
}

/** Everything a {@link LeaseSettlement} needs. */
export interface LeaseContext {
  readonly received: Received;
  readonly envelope: Envelope;
  readonly attempt: number;
  /** The transport's queue name, for errors. */
  readonly queue: string;
  /** A dead letter read back: ack and dead-letter remove it, nack and lease expiry requeue it. */
  readonly fromDeadLetters: boolean;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly republisher: Republisher;
  readonly logger: Logger;
  /** Called once the settlement has nothing left to do (settled, released or lost). */
  readonly onFinished: (settlement: LeaseSettlement) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

type LeaseState = "held" | "settling" | "lost" | "done";

/** The settle operations and lease timer of one delivery. */
export class LeaseSettlement implements SettleOperations {
  private readonly context: LeaseContext;
  private state: LeaseState = "held";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private deadline = 0;

  constructor(context: LeaseContext) {
    this.context = context;
  }

  /** Starts the lease. */
  start(): void {
    this.arm(this.context.leaseMs);
  }

  async ack(): Promise<void> {
    this.take();
    const { channel, message } = this.context.received;
    try {
      await channel.ack(message, this.context.queue);
    } finally {
      this.finish("done", false);
    }
  }

  nack(delayMs: number, reason: string | undefined): Promise<void> {
    const { attempt, maxAttempts, envelope, republisher } = this.context;
    if (this.context.fromDeadLetters) return this.requeue();
    if (attempt >= maxAttempts) {
      const last = reason === undefined ? "" : `; last error: ${reason}`;
      return this.replace(() => republisher.deadLetter(envelope, `exceeded ${maxAttempts} attempts${last}`));
    }
    return this.replace(() => republisher.retry(envelope, attempt + 1, delayMs));
  }

  deadLetter(reason: string): Promise<void> {
    if (this.context.fromDeadLetters) return this.ack();
    return this.replace(() => this.context.republisher.deadLetter(this.context.envelope, reason));
  }

  extendLease(ms: number): Promise<void> {
    if (this.state === "lost" || !this.context.received.channel.isOpen) return Promise.reject(this.lostError());
    if (this.state === "held") this.arm(ms);
    return Promise.resolve();
  }

  release(): Promise<void> {
    if (this.state !== "held") return Promise.resolve();
    if (!this.context.received.channel.isOpen) {
      this.finish("lost");
      return Promise.resolve();
    }
    return this.requeue();
  }

  /** Stops the lease timer for good (the transport closed). */
  abandon(): void {
    clearTimeout(this.timer);
  }

  private requeue(): Promise<void> {
    this.take();
    this.context.received.channel.requeue(this.context.received.message);
    this.finish("done", false);
    return Promise.resolve();
  }

  /** Publishes the copy that replaces this delivery (with a confirm), then acks the original. */
  private async replace(publishCopy: () => Promise<void>): Promise<void> {
    this.take();
    try {
      await publishCopy();
    } catch (error) {
      // Still held: the lease runs on and expires as usual if nothing else settles the message.
      this.state = "held";
      this.arm(Math.max(0, this.deadline - Date.now()));
      throw error;
    }
    await this.ackReplaced();
  }

  private async ackReplaced(): Promise<void> {
    const { channel, message } = this.context.received;
    try {
      await channel.ack(message, this.context.queue);
    } catch (error) {
      this.context.logger.warn(
        { err: error, messageId: this.context.envelope.id },
        "AMQP channel lost after a retry copy was published; the message may be delivered twice",
      );
    }
    this.finish("done", false);
  }

  private expire(): void {
    if (this.state !== "held") return;
    const { channel, message } = this.context.received;
    if (!channel.isOpen) {
      this.finish("lost");
      return;
    }
    this.state = "lost";
    const { attempt, maxAttempts, envelope, republisher, leaseMs, logger } = this.context;
    if (this.context.fromDeadLetters) {
      channel.requeue(message);
      this.finish("lost", false);
      return;
    }
    const reason = `exceeded ${maxAttempts} attempts; last error: lease of ${leaseMs} ms expired`;
    const copy =
      attempt >= maxAttempts ? republisher.deadLetter(envelope, reason) : republisher.retry(envelope, attempt + 1, 0);
    copy.then(
      () => this.ackReplaced(),
      (error: unknown) => {
        logger.warn({ err: error, messageId: envelope.id }, "AMQP lease expired; requeueing the original");
        channel.requeue(message);
        this.finish("lost", false);
      },
    );
  }

  /** Claims the delivery for a settlement; throws `TRANSPORT_LEASE_LOST` when it is gone. */
  private take(): void {
    if (this.state === "lost" || !this.context.received.channel.isOpen) {
      if (this.state === "held") this.finish("lost");
      throw this.lostError();
    }
    clearTimeout(this.timer);
    this.state = "settling";
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    // Timers hold at most 2^31-1 ms (~24.8 days); longer leases are cut there (the broker's own consumer timeout,
    // 30 min by default, cuts them much earlier anyway).
    const capped = Math.min(Math.max(0, ms), MAX_TIMER_MS);
    this.deadline = Date.now() + capped;
    this.timer = setTimeout(() => this.expire(), capped);
  }

  /** Ends the lease; `letGo` tells the channel the message is no longer held (unless ack or requeue did). */
  private finish(state: "done" | "lost", letGo = true): void {
    clearTimeout(this.timer);
    if (letGo && this.state !== "done" && this.state !== "lost") this.context.received.channel.letGo();
    this.state = state;
    this.context.onFinished(this);
  }

  private lostError(): TransportError {
    const { received, queue } = this.context;
    if (received.channel.isOpen) {
      return new TransportError(
        "TRANSPORT_LEASE_LOST",
        "the lease ran out: the message was handed back for redelivery",
        {
          queue,
          messageIds: [this.context.envelope.id],
        },
      );
    }
    return leaseLost(queue, received.message);
  }
}
