/**
 * Settling one delivery on SQS. The lease is the message's visibility timeout: `ack` deletes the message (in a
 * DeleteMessageBatch), `nack`, `extendLease` and `release` change its visibility, `deadLetter` copies it to the
 * dead-letter queue with the reason and deletes the original; a `nack` on the last attempt dead-letters too, so
 * the reason is kept. A receive newer than this delivery's (seen anywhere in the process), or SQS calling the
 * receipt handle invalid, means the lease was lost: `TRANSPORT_LEASE_LOST`.
 */
import { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { SettleOperations } from "../in-flight.ts";
import type { PayloadStore } from "./s3-payload-store.ts";
import type { SqsApi } from "./sqs-api.ts";
import type { DeadLetters } from "./sqs-dead-letters.ts";
import type { DeleteBatcher } from "./sqs-delete-batcher.ts";
import { toSqsTransportError } from "./sqs-errors.ts";
import { MAX_VISIBILITY_SECONDS } from "./sqs-options.ts";
import type { Received } from "./sqs-poller.ts";
import type { PayloadPointer } from "./sqs-pointer.ts";
import { forgetDeleted, isLatestReceive } from "./sqs-receipts.ts";

/** What settlements of one transport share. */
export interface SettlementContext {
  readonly api: SqsApi;
  readonly deleter: DeleteBatcher;
  readonly deadLetters: DeadLetters;
  readonly payloads: PayloadStore;
  readonly queue: string;
  readonly maxAttempts: number;
  readonly keepOffloadedPayloads: boolean;
  readonly logger: Logger;
}

/** The delivery being settled. */
export interface LeasedMessage {
  readonly received: Received<unknown>;
  /** The job id. */
  readonly id: string;
  readonly attempt: number;
  readonly pointer: PayloadPointer | undefined;
  readonly fromDeadLetters: boolean;
}

/** Seconds of margin kept below SQS's 12-hour limit, for clock differences. */
const TWELVE_HOUR_MARGIN_SECONDS = 5;

/** The reason written when the last attempt fails. */
export function attemptsExceededReason(maxAttempts: number, lastReason: string | undefined): string {
  return `exceeded ${maxAttempts} attempts${lastReason === undefined ? "" : `; last error: ${lastReason}`}`;
}

/**
 * The longest visibility, in seconds, that SQS accepts now for a message received at `receivedAt`: at most 12 hours
 * from the receive.
 */
export function remainingVisibilitySeconds(receivedAt: number, now: number): number {
  const elapsed = Math.ceil(Math.max(0, now - receivedAt) / 1000);
  return Math.max(0, MAX_VISIBILITY_SECONDS - elapsed - TWELVE_HOUR_MARGIN_SECONDS);
}

/** The settle operations of one delivery; `onSettled` runs once the first settlement has finished. */
export function settleOperations(
  context: SettlementContext,
  leased: LeasedMessage,
  onSettled: () => void,
): SettleOperations {
  return new SqsSettlement(context, leased, onSettled);
}

/** One delivery's settlements, as one object with methods: this is made for every message received. */
class SqsSettlement implements SettleOperations {
  private readonly context: SettlementContext;
  private readonly leased: LeasedMessage;
  private readonly onSettled: () => void;

  constructor(context: SettlementContext, leased: LeasedMessage, onSettled: () => void) {
    this.context = context;
    this.leased = leased;
    this.onSettled = onSettled;
  }

  ack(): Promise<void> {
    return this.settling(() => {
      const deleting = this.deleteMessage();
      return this.leased.pointer === undefined ? deleting : deleting.then(() => this.dropPayload());
    });
  }

  nack(delayMs: number, reason: string | undefined): Promise<void> {
    const { maxAttempts } = this.context;
    return this.settling(() =>
      !this.leased.fromDeadLetters && this.leased.attempt >= maxAttempts
        ? this.deadLetterNow(attemptsExceededReason(maxAttempts, reason))
        : this.changeVisibility(delayMs, "nack"),
    );
  }

  deadLetter(reason: string): Promise<void> {
    return this.settling(() => this.deadLetterNow(reason));
  }

  extendLease(ms: number): Promise<void> {
    return this.changeVisibility(ms, "extendLease");
  }

  release(): Promise<void> {
    return this.settling(async () => {
      const { queueUrl, message } = this.leased.received;
      await this.context.api.changeMessageVisibility(queueUrl, message.ReceiptHandle ?? "", 0).catch((error) => {
        throw toSqsTransportError(error, "release failed", this.context.queue, [this.leased.id]);
      });
    });
  }

  /** Runs a settlement (which never throws, only rejects), then `onSettled` whatever the outcome. */
  private settling(operation: () => Promise<void>): Promise<void> {
    return operation().then(this.onSettled, (error: unknown) => {
      this.onSettled();
      throw error;
    });
  }

  /** TRANSPORT_LEASE_LOST when the message was received again since (anywhere in the process), else undefined. */
  private leaseLost(): TransportError | undefined {
    const { queueUrl, message, generation } = this.leased.received;
    if (isLatestReceive(queueUrl, message.MessageId ?? "", generation)) return undefined;
    return new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost: the message was delivered again", {
      queue: this.context.queue,
      messageIds: [this.leased.id],
    });
  }

  /** Throws {@link leaseLost}'s error, if any (in async methods, where the throw is a rejection). */
  private owned(): void {
    const lost = this.leaseLost();
    if (lost) throw lost;
  }

  private async changeVisibility(ms: number, doing: string): Promise<void> {
    this.owned();
    const { context, leased } = this;
    const { queueUrl, message, receivedAt } = leased.received;
    const wanted = Math.ceil(Math.max(0, Number.isFinite(ms) ? ms : 0) / 1000);
    const seconds = Math.min(wanted, remainingVisibilitySeconds(receivedAt, Date.now()));
    if (seconds < wanted) {
      context.logger.debug(
        { queue: context.queue, messageId: leased.id, wanted, seconds },
        "SQS leases end 12 hours after the receive",
      );
    }
    await context.api.changeMessageVisibility(queueUrl, message.ReceiptHandle ?? "", seconds).catch((error) => {
      throw toSqsTransportError(error, `${doing} failed`, context.queue, [leased.id]);
    });
  }

  /** Deletes the message (in a DeleteMessageBatch); rejects at once when the lease was lost. */
  private deleteMessage(): Promise<void> {
    const lost = this.leaseLost();
    if (lost) return Promise.reject(lost);
    const { queueUrl, message, generation } = this.leased.received;
    const messageId = message.MessageId ?? "";
    return this.context.deleter
      .delete(queueUrl, message.ReceiptHandle ?? "", this.leased.id)
      .then(() => forgetDeleted(queueUrl, messageId, generation));
  }

  private async dropPayload(): Promise<void> {
    const { context, leased } = this;
    if (!leased.pointer || context.keepOffloadedPayloads) return;
    await context.payloads.delete(leased.pointer).catch((error: unknown) => {
      context.logger.warn(
        { err: error, queue: context.queue, messageId: leased.id },
        "could not delete the S3 object of an acked message",
      );
    });
  }

  private async deadLetterNow(reason: string): Promise<void> {
    const { context, leased } = this;
    if (leased.fromDeadLetters) {
      // A dead letter dead-lettered again is discarded, like an ack.
      await this.deleteMessage();
      await this.dropPayload();
      return;
    }
    this.owned();
    await context.deadLetters.copy(leased.received.message, reason, leased.id).catch((error: unknown) => {
      throw toSqsTransportError(error, "dead-letter failed", context.queue, [leased.id]);
    });
    await this.deleteMessage();
  }
}
