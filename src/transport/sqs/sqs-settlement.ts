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
import { isLatestReceive } from "./sqs-receipts.ts";

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
  const { api, deleter, deadLetters, queue } = context;
  const { received, id, fromDeadLetters } = leased;
  const { queueUrl, message, generation } = received;
  const handle = message.ReceiptHandle ?? "";
  const ids = [id];
  const owned = (): void => {
    if (!isLatestReceive(queueUrl, message.MessageId ?? "", generation)) {
      throw new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost: the message was delivered again", {
        queue,
        messageIds: ids,
      });
    }
  };
  const changeVisibility = async (ms: number, doing: string): Promise<void> => {
    owned();
    const wanted = Math.ceil(Math.max(0, Number.isFinite(ms) ? ms : 0) / 1000);
    const seconds = Math.min(wanted, remainingVisibilitySeconds(received.receivedAt, Date.now()));
    if (seconds < wanted) {
      context.logger.debug({ queue, messageId: id, wanted, seconds }, "SQS leases end 12 hours after the receive");
    }
    await api.changeMessageVisibility(queueUrl, handle, seconds).catch((error: unknown) => {
      throw toSqsTransportError(error, `${doing} failed`, queue, ids);
    });
  };
  const deleteMessage = async (): Promise<void> => {
    owned();
    await deleter.delete(queueUrl, handle, id);
  };
  const dropPayload = async (): Promise<void> => {
    if (!leased.pointer || context.keepOffloadedPayloads) return;
    await context.payloads.delete(leased.pointer).catch((error: unknown) => {
      context.logger.warn({ err: error, queue, messageId: id }, "could not delete the S3 object of an acked message");
    });
  };
  const deadLetter = async (reason: string): Promise<void> => {
    if (fromDeadLetters) {
      // A dead letter dead-lettered again is discarded, like an ack.
      await deleteMessage();
      await dropPayload();
      return;
    }
    owned();
    await deadLetters.copy(message, reason, id).catch((error: unknown) => {
      throw toSqsTransportError(error, "dead-letter failed", queue, ids);
    });
    await deleteMessage();
  };
  const settling = (operation: () => Promise<void>): Promise<void> => operation().finally(onSettled);
  return {
    ack: () =>
      settling(async () => {
        await deleteMessage();
        await dropPayload();
      }),
    nack: (delayMs, reason) =>
      settling(() =>
        !fromDeadLetters && leased.attempt >= context.maxAttempts
          ? deadLetter(attemptsExceededReason(context.maxAttempts, reason))
          : changeVisibility(delayMs, "nack"),
      ),
    deadLetter: (reason) => settling(() => deadLetter(reason)),
    extendLease: (ms) => changeVisibility(ms, "extendLease"),
    release: () =>
      settling(async () => {
        await api.changeMessageVisibility(queueUrl, handle, 0).catch((error: unknown) => {
          throw toSqsTransportError(error, "release failed", queue, ids);
        });
      }),
  };
}
