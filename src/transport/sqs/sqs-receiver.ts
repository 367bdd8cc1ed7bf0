/**
 * One `receive` iteration: takes messages from the queue's poller while it has free `maxInFlight` slots, hands
 * them out as tracked deliveries, and dead-letters itself (with a reason, never handing them out) what is not an
 * envelope and what SQS received more often than `maxAttempts` (leases that kept running out). When the iteration
 * ends, the poller gives back what was received and not handed out.
 */
import type { Logger } from "../../logger.ts";
import type { InFlightDeliveries } from "../in-flight.ts";
import type { Delivery } from "../transport.ts";
import type { DeadLetters } from "./sqs-dead-letters.ts";
import type { DeleteBatcher } from "./sqs-delete-batcher.ts";
import { isLeaseLostError } from "./sqs-errors.ts";
import { MAX_VISIBILITY_SECONDS } from "./sqs-options.ts";
import type { NextRequest, Received, SqsPoller } from "./sqs-poller.ts";
import type { Prepared } from "./sqs-reader.ts";
import { isLatestReceive } from "./sqs-receipts.ts";
import { settleOperations, type SettlementContext } from "./sqs-settlement.ts";
import { Wakeup } from "../wakeup.ts";

/** What a {@link SqsReceiver} needs. */
export interface SqsReceiverContext {
  readonly settlement: SettlementContext;
  readonly deleter: DeleteBatcher;
  readonly deadLetters: DeadLetters;
  readonly inFlight: InFlightDeliveries;
  readonly logger: Logger;
}

/** Options of one iteration. */
export interface IterationOptions {
  readonly signal: AbortSignal;
  readonly leaseMs: number;
  readonly maxInFlight: number;
}

/** The lease SQS is asked for, in whole seconds (rounded up), from 1 s to 12 hours. */
export function visibilitySecondsOf(leaseMs: number): number {
  const seconds = Math.ceil((Number.isFinite(leaseMs) ? leaseMs : 0) / 1000);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, seconds));
}

/** Receives deliveries from one queue (the work queue, or its dead-letter queue). */
export class SqsReceiver {
  private readonly context: SqsReceiverContext;
  private readonly poller: SqsPoller<Prepared>;
  private readonly fromDeadLetters: boolean;

  constructor(context: SqsReceiverContext, poller: SqsPoller<Prepared>, fromDeadLetters: boolean) {
    this.context = context;
    this.poller = poller;
    this.fromDeadLetters = fromDeadLetters;
  }

  /** Deliveries until the signal aborts; rejects when polling cannot succeed (a missing queue, no access). */
  async *deliveries(options: IterationOptions): AsyncGenerator<Delivery> {
    const { signal } = options;
    const maxInFlight = Math.max(1, Math.floor(options.maxInFlight));
    const visibilitySeconds = visibilitySecondsOf(options.leaseMs);
    const slots = new IterationSlots(() => this.poller.notify());
    const request: NextRequest = { freeSlots: () => maxInFlight - slots.taken, visibilitySeconds, signal };
    this.poller.attach();
    try {
      while (!signal.aborted) {
        if (slots.taken >= maxInFlight) {
          await slots.belowLimit(maxInFlight, signal);
          continue;
        }
        // What waits in the buffer is handed out without waiting a turn: this loop runs once per message.
        const received = this.poller.take() ?? (await this.poller.next(request));
        if (!received) return;
        const handing = this.handOut(received, visibilitySeconds, slots);
        const delivery = handing instanceof Promise ? await handing : handing;
        if (delivery) yield delivery;
      }
    } finally {
      await this.poller.detach();
    }
  }

  /**
   * The delivery of a received message, or undefined when it is not handed out (dead-lettered, lease lost, S3
   * unreadable). Synchronous for the usual message (inline payload, lease as asked); a promise otherwise.
   */
  private handOut(
    received: Received<Prepared>,
    visibilitySeconds: number,
    slots: IterationSlots,
  ): Delivery | undefined | Promise<Delivery | undefined> {
    const { prepared } = received;
    if (prepared instanceof Promise) {
      return prepared.then((value) => this.handOutPrepared(received, value, visibilitySeconds, slots));
    }
    return this.handOutPrepared(received, prepared, visibilitySeconds, slots);
  }

  private handOutPrepared(
    received: Received<Prepared>,
    prepared: Prepared,
    visibilitySeconds: number,
    slots: IterationSlots,
  ): Delivery | undefined | Promise<Delivery | undefined> {
    const { settlement, logger } = this.context;
    if (prepared.kind === "unavailable") {
      logger.warn({ err: prepared.error, queue: settlement.queue }, "S3 unreadable; the message comes back later");
      return undefined;
    }
    if (prepared.kind === "invalid") return this.discard(received, prepared.id, prepared.reason).then(() => undefined);
    const { envelope, attempt } = prepared;
    if (!this.fromDeadLetters && attempt > settlement.maxAttempts) {
      const reason = `exceeded ${settlement.maxAttempts} attempts (SQS received it ${attempt} times: leases ran out)`;
      return this.discard(received, envelope.id, reason).then(() => undefined);
    }
    const { message, queueUrl, generation } = received;
    if (!isLatestReceive(queueUrl, message.MessageId ?? "", generation)) return undefined;
    const waited = Date.now() - received.receivedAt;
    if (received.visibilitySeconds === visibilitySeconds && waited <= visibilitySeconds * 100) {
      return this.track(received, prepared, slots);
    }
    return this.refreshLease(received, visibilitySeconds).then((ours) =>
      ours ? this.track(received, prepared, slots) : undefined,
    );
  }

  private track(
    received: Received<Prepared>,
    prepared: Extract<Prepared, { kind: "envelope" }>,
    slots: IterationSlots,
  ): Delivery {
    const { settlement, inFlight } = this.context;
    const { envelope, attempt, pointer } = prepared;
    slots.take();
    const leased = { received, id: envelope.id, attempt, pointer, fromDeadLetters: this.fromDeadLetters };
    return inFlight.track(envelope, attempt, settlement.queue, settleOperations(settlement, leased, slots.give));
  }

  /**
   * Gives a message that waited in the buffer (more than a tenth of its lease), or was received for another lease,
   * a fresh lease of this iteration's length. False when it is no longer ours.
   */
  private async refreshLease(received: Received<Prepared>, visibilitySeconds: number): Promise<boolean> {
    const { message, queueUrl } = received;
    try {
      await this.context.settlement.api.changeMessageVisibility(
        queueUrl,
        message.ReceiptHandle ?? "",
        visibilitySeconds,
      );
      return true;
    } catch (error) {
      // Anything but a lost lease: hand it out with the lease it has.
      return !isLeaseLostError(error);
    }
  }

  /** Dead-letters a message on receipt; when that fails, the message comes back after its lease. */
  private async discard(received: Received<Prepared>, id: string, reason: string): Promise<void> {
    const { deadLetters, deleter, logger, settlement } = this.context;
    const { message, queueUrl } = received;
    try {
      await deadLetters.copy(message, reason, id);
      await deleter.delete(queueUrl, message.ReceiptHandle ?? "", id);
      logger.warn(
        { queue: settlement.queue, messageId: id, reason },
        "SQS transport dead-lettered a message on receipt",
      );
    } catch (error) {
      logger.error(
        { err: error, queue: settlement.queue, messageId: id },
        "could not dead-letter a message; it comes back",
      );
    }
  }
}

/** How many deliveries one iteration has handed out and not yet seen settled. */
class IterationSlots {
  taken = 0;
  private readonly onChange: () => void;
  private readonly freed = new Wakeup();

  constructor(onChange: () => void) {
    this.onChange = onChange;
  }

  take(): void {
    this.taken++;
  }

  /** A settlement finished; bound, so that each delivery can be given it without a closure of its own. */
  readonly give = (): void => {
    this.taken = Math.max(0, this.taken - 1);
    this.freed.wakeAll();
    this.onChange();
  };

  /** Resolves once fewer than `limit` are taken, or when the signal aborts. */
  async belowLimit(limit: number, signal: AbortSignal): Promise<void> {
    while (this.taken >= limit && !signal.aborted) await this.freed.wait(signal);
  }
}
