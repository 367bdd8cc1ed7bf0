/**
 * Moving messages to and from the dead-letter queue. A dead letter is a copy of the received message (the same
 * body, an S3 pointer included, and its attributes) with the `dead-letter-reason` attribute, sent to the
 * dead-letter queue before the original is deleted; unlike SQS's own redrive, the reason is kept. `redrive` moves
 * dead letters back to the queue without the reason.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { SqsApi } from "./sqs-api.ts";
import { toSqsTransportError } from "./sqs-errors.ts";
import type { ResolvedSqsOptions } from "./sqs-options.ts";
import type { QueueRef, SqsQueues } from "./sqs-queues.ts";
import { failureError, sendEntries, type OutgoingEntry } from "./sqs-sender.ts";
import { deadLetterAttributes, messageSize, redriveAttributes, type SqsAttributes } from "./sqs-wire.ts";

/** Visibility of dead letters while redrive moves them, in seconds. */
const REDRIVE_VISIBILITY_SECONDS = 60;
/** Short polls in a row that find nothing before redrive takes the dead-letter queue for empty. */
const REDRIVE_EMPTY_POLLS = 2;

/** What {@link DeadLetters} needs. */
export interface DeadLettersContext {
  readonly api: SqsApi;
  readonly queues: SqsQueues;
  readonly options: ResolvedSqsOptions;
}

/** Copies messages to the dead-letter queue, and moves them back. */
export class DeadLetters {
  private readonly context: DeadLettersContext;

  constructor(context: DeadLettersContext) {
    this.context = context;
  }

  /**
   * Sends the dead-letter copy of a received message, with `reason`; the caller deletes the original after.
   * `id` is the job id named in errors (or the SQS message id of something that is not an envelope).
   */
  async copy(message: Message, reason: string, id: string): Promise<void> {
    const { api, queues, options } = this.context;
    const dead = await queues.deadLetterQueue();
    const body = message.Body ?? "";
    const attributes = deadLetterAttributes(message.MessageAttributes ?? {}, reason, body, options.maxMessageBytes);
    const entry = this.entry(message, body, attributes, id);
    const failures = await sendEntries(api, dead.url, [entry], { sequential: true });
    if (failures.length > 0) throw failureError("cannot dead-letter", failures, options.queue);
  }

  /** Moves every dead letter that is not in flight back to the queue, reason removed; returns how many. */
  async redrive(): Promise<number> {
    const { api, queues, options } = this.context;
    const { main, dead } = await queues.resolve();
    if (!dead) return 0;
    let moved = 0;
    let emptyPolls = 0;
    while (emptyPolls < REDRIVE_EMPTY_POLLS) {
      const messages = await api
        .receiveMessage({
          QueueUrl: dead.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["MessageGroupId"],
        })
        .catch((error: unknown) => {
          throw toSqsTransportError(error, `redrive failed after moving ${moved}`, options.queue);
        });
      emptyPolls = messages.length === 0 ? emptyPolls + 1 : 0;
      if (messages.length > 0) moved += await this.moveBack(messages, main, dead, moved);
    }
    return moved;
  }

  /** Sends dead letters to the queue, deletes those sent and gives back the others; returns how many moved. */
  private async moveBack(
    messages: readonly Message[],
    main: QueueRef,
    dead: QueueRef,
    before: number,
  ): Promise<number> {
    const { api, options } = this.context;
    const entries = messages.map((message) => {
      const body = message.Body ?? "";
      return this.entry(message, body, redriveAttributes(message.MessageAttributes ?? {}), message.MessageId ?? "");
    });
    const failures = await sendEntries(api, main.url, entries, { sequential: options.fifo });
    const failed = new Set(failures.map((failure) => failure.id));
    const handles = (sent: boolean): string[] =>
      messages.filter((message) => failed.has(message.MessageId ?? "") !== sent).map((m) => m.ReceiptHandle ?? "");
    const moved = handles(true);
    const kept = handles(false);
    if (moved.length > 0) {
      await api.deleteMessageBatch(
        dead.url,
        moved.map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle })),
      );
    }
    if (kept.length > 0) {
      await api.changeMessageVisibilityBatch(
        dead.url,
        kept.map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle, VisibilityTimeout: 0 })),
      );
      throw failureError(`redrive failed after moving ${before + moved.length}`, failures, options.queue);
    }
    return moved.length;
  }

  /** A batch entry re-sending a received message's body with `attributes`, keeping its FIFO group. */
  private entry(message: Message, body: string, attributes: SqsAttributes, id: string): OutgoingEntry {
    const { fifo, fifoGroupId } = this.context.options;
    const request = {
      MessageBody: body,
      MessageAttributes: attributes,
      // The SQS message id makes a retried copy a duplicate within SQS's 5-minute window, never a new message.
      ...(fifo
        ? {
            MessageGroupId: message.Attributes?.MessageGroupId ?? fifoGroupId,
            MessageDeduplicationId: message.MessageId,
          }
        : {}),
    };
    return { id, request, size: messageSize(body, attributes) };
  }
}
