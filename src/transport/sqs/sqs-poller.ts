/**
 * Long-polling one queue for one transport: up to `pollers` ReceiveMessage calls at once, each for at most 10
 * messages and together never for more than the receiving iteration's free slots, issued only when an iteration
 * asks for a message and none is waiting. Received messages wait in one buffer that every iteration of the
 * transport on this queue takes from.
 *
 * A long poll is never abandoned while the transport is open: SQS keeps serving a ReceiveMessage whose client
 * went away, and the messages it takes stay invisible for a whole lease. So a poll still running when its
 * iteration ends stays in the pool; what it brings is handed to the next iteration, or given back (visibility 0)
 * after a short hold. What waits in the buffer is given back when the last iteration ends, after half a lease, and
 * on shutdown. Shutdown (the transport closing) aborts running polls at once rather than wait up to
 * WaitTimeSeconds for them: nothing is lost, since a message an abandoned poll takes comes back when its
 * visibility timeout ends, and one a poll brought before the abort is given back at once.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { SqsApi } from "./sqs-api.ts";
import { MAX_BATCH_ENTRIES } from "./sqs-batches.ts";
import { toSqsTransportError } from "./sqs-errors.ts";
import { recordReceive } from "./sqs-receipts.ts";
import { Wakeup } from "../wakeup.ts";

/** A received message not yet handed out. */
export interface Received<P> {
  readonly message: Message;
  readonly queueUrl: string;
  /** When the receive was answered (ms since the epoch): the lease runs from about then. */
  readonly receivedAt: number;
  /** The visibility timeout (lease) the receive asked for, in seconds. */
  readonly visibilitySeconds: number;
  /** This receive's generation (see sqs-receipts.ts). */
  readonly generation: number;
  /** The message read (and its payload fetched, which takes a promise), started as it arrived; never rejects. */
  readonly prepared: P | Promise<P>;
}

/** What a {@link SqsPoller} needs. */
export interface SqsPollerOptions<P> {
  readonly api: SqsApi;
  /** The queue's URL (resolved on first use). */
  readonly queueUrl: () => Promise<string>;
  /** The transport's queue name, for errors and logs. */
  readonly queue: string;
  readonly pollers: number;
  readonly waitTimeSeconds: number;
  readonly logger: Logger;
  /** Starts reading a message as it arrives; must never throw or reject. */
  readonly prepare: (message: Message) => P | Promise<P>;
}

/** What an iteration asks {@link SqsPoller.next} for. */
export interface NextRequest {
  /** How many more messages the iteration can take now (its free `maxInFlight` slots). */
  readonly freeSlots: () => number;
  /** The lease to ask for, in seconds. */
  readonly visibilitySeconds: number;
  readonly signal: AbortSignal;
}

/** While no iteration is attached, what a poll brings waits at most this long for one before it is given back. */
const DETACHED_HOLD_MS = 2000;
/** Longest wait between polls after failures. */
const MAX_BACKOFF_MS = 20_000;

interface Poll {
  readonly size: number;
}

/** The polls and received messages of one queue of one transport. */
export class SqsPoller<P> {
  private readonly options: SqsPollerOptions<P>;
  private readonly buffer: Received<P>[] = [];
  private readonly polls = new Set<Poll>();
  /** Woken on every change: a poll answered, slots freed. */
  private readonly changes = new Wakeup();
  private readonly releases = new Set<Promise<void>>();
  /** Aborts every running ReceiveMessage call on shutdown (one controller for all: polls start often). */
  private readonly stopping = new AbortController();
  private attached = 0;
  private stopped = false;
  private failure: TransportError | undefined;
  private failures = 0;
  private retryAt = 0;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(options: SqsPollerOptions<P>) {
    this.options = options;
  }

  /** An iteration starts taking messages. */
  attach(): void {
    this.attached++;
    this.scheduleHold();
  }

  /** An iteration ends; when it was the last, what waits in the buffer is given back at once. */
  async detach(): Promise<void> {
    this.attached = Math.max(0, this.attached - 1);
    if (this.attached === 0) await this.release(this.buffer.splice(0));
  }

  /** A received message that waits in the buffer, taken without waiting; undefined when none does. */
  take(): Received<P> | undefined {
    return this.stopped ? undefined : this.buffer.shift();
  }

  /**
   * The next received message, polling when none waits; undefined when the signal aborts or the poller stops.
   * Rejects with the TransportError of a poll that cannot succeed (a missing queue, denied access).
   */
  async next(request: NextRequest): Promise<Received<P> | undefined> {
    for (;;) {
      if (request.signal.aborted || this.stopped) return undefined;
      const waiting = this.buffer.shift();
      if (waiting) return waiting;
      const failure = this.failure;
      this.failure = undefined;
      if (failure) throw failure;
      this.startPolls(request);
      await this.changes.wait(request.signal);
    }
  }

  /** Wakes iterations waiting in {@link next}: their free slots changed. */
  notify(): void {
    this.changes.wakeAll();
  }

  /**
   * Stops polling: aborts running polls (their ReceiveMessage calls), waits for them to end, and gives back every
   * message received and not handed out. Idempotent.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.notify();
    clearTimeout(this.holdTimer);
    this.stopping.abort();
    const never = new AbortController().signal;
    while (this.polls.size > 0) await this.changes.wait(never, 1000);
    await this.release(this.buffer.splice(0));
    await Promise.allSettled([...this.releases]);
  }

  private startPolls(request: NextRequest): void {
    const now = Date.now();
    if (now < this.retryAt) return;
    let reserved = 0;
    for (const poll of this.polls) reserved += poll.size;
    let free = request.freeSlots() - reserved;
    while (free > 0 && this.polls.size < this.options.pollers) {
      const size = Math.min(MAX_BATCH_ENTRIES, free);
      free -= size;
      const poll: Poll = { size };
      this.polls.add(poll);
      void this.run(poll, request.visibilitySeconds);
    }
  }

  private async run(poll: Poll, visibilitySeconds: number): Promise<void> {
    const { api, waitTimeSeconds, prepare } = this.options;
    try {
      const queueUrl = await this.options.queueUrl();
      const messages = await api.receiveMessage(
        {
          QueueUrl: queueUrl,
          MaxNumberOfMessages: poll.size,
          WaitTimeSeconds: waitTimeSeconds,
          VisibilityTimeout: visibilitySeconds,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId"],
        },
        this.stopping.signal,
      );
      this.failures = 0;
      const receivedAt = Date.now();
      const received = messages.map((message) => ({
        message,
        queueUrl,
        receivedAt,
        visibilitySeconds,
        generation: recordReceive(queueUrl, message.MessageId ?? ""),
        prepared: prepare(message),
      }));
      if (this.stopped) await this.release(received);
      else {
        this.buffer.push(...received);
        this.scheduleHold();
      }
    } catch (error) {
      if (!this.stopping.signal.aborted) this.failed(error);
    } finally {
      this.polls.delete(poll);
      this.notify();
    }
  }

  private failed(error: unknown): void {
    const wrapped = toSqsTransportError(error, "receive failed", this.options.queue);
    this.failures++;
    this.retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10));
    const retryTimer = setTimeout(() => this.notify(), this.retryAt - Date.now());
    retryTimer.unref();
    if (wrapped.retryable) {
      this.options.logger.warn({ err: error, queue: this.options.queue }, "SQS receive failed; polling again shortly");
    } else {
      this.failure = wrapped;
    }
  }

  /** Gives back messages that waited too long: half a lease, or a short hold while no iteration is attached. */
  private scheduleHold(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    if (this.buffer.length === 0 || this.stopped) return;
    const holdOf = (item: Received<P>): number => {
      const half = (item.visibilitySeconds * 1000) / 2;
      return item.receivedAt + (this.attached > 0 ? half : Math.min(half, DETACHED_HOLD_MS));
    };
    const first = Math.min(...this.buffer.map(holdOf));
    this.holdTimer = setTimeout(
      () => {
        const now = Date.now();
        const expired = this.buffer.filter((item) => holdOf(item) <= now);
        for (const item of expired) this.buffer.splice(this.buffer.indexOf(item), 1);
        void this.release(expired);
        this.scheduleHold();
      },
      Math.max(0, first - Date.now()),
    );
    this.holdTimer.unref();
  }

  /** Makes messages visible again at once; failures leave them to their lease's end. */
  private release(items: readonly Received<P>[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const byQueue = new Map<string, Received<P>[]>();
    for (const item of items) byQueue.set(item.queueUrl, [...(byQueue.get(item.queueUrl) ?? []), item]);
    const calls: Promise<unknown>[] = [];
    for (const [queueUrl, queueItems] of byQueue) {
      for (let start = 0; start < queueItems.length; start += MAX_BATCH_ENTRIES) {
        const entries = queueItems.slice(start, start + MAX_BATCH_ENTRIES).map((item, index) => ({
          Id: String(index),
          ReceiptHandle: item.message.ReceiptHandle ?? "",
          VisibilityTimeout: 0,
        }));
        calls.push(this.options.api.changeMessageVisibilityBatch(queueUrl, entries));
      }
    }
    const releasing = Promise.allSettled(calls).then(() => undefined);
    this.releases.add(releasing);
    void releasing.finally(() => this.releases.delete(releasing));
    return releasing;
  }
}
