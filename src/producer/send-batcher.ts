/**
 * Groups messages sent in the same turn of the event loop into batches for `Transport.send` (SQS
 * SendMessageBatch, pipelined AMQP confirms, one SQLite transaction), with a bound on how many messages may be
 * waiting for the broker at once: past it, `enqueue` waits (backpressure) instead of buffering without limit.
 */
import { TransportError } from "../errors.ts";
import type { OutgoingMessage, Transport } from "../transport/transport.ts";

/** Options of {@link SendBatcher}. */
export interface SendBatcherOptions {
  /** Most messages in one `Transport.send` call. @defaultValue 10 */
  readonly maxBatchMessages?: number;
  /** Most messages accepted and not yet confirmed by the broker; more callers wait. @defaultValue 1000 */
  readonly maxPendingMessages?: number;
}

interface Pending {
  readonly message: OutgoingMessage;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Batches sends to one transport. Safe for any number of concurrent callers. */
export class SendBatcher {
  private readonly transport: Pick<Transport, "send">;
  private readonly maxBatchMessages: number;
  private readonly maxPendingMessages: number;
  private queued: Pending[] = [];
  private unconfirmed = 0;
  private flushScheduled = false;
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(transport: Pick<Transport, "send">, options: SendBatcherOptions = {}) {
    this.transport = transport;
    this.maxBatchMessages = options.maxBatchMessages ?? 10;
    this.maxPendingMessages = options.maxPendingMessages ?? 1000;
  }

  /** Messages accepted by {@link enqueue} and not yet confirmed or failed. */
  get pending(): number {
    return this.unconfirmed;
  }

  /** Resolves once the broker has accepted `message`; rejects with the transport's error if it did not. */
  enqueue(message: OutgoingMessage): Promise<void> {
    // Below the bound (the usual case) the message joins a batch at once, without waiting a turn.
    if (this.unconfirmed < this.maxPendingMessages) return this.add(message);
    return this.enqueueWhenFree(message);
  }

  /** Resolves when every message enqueued so far has been confirmed or failed. */
  async idle(): Promise<void> {
    if (this.queued.length > 0) this.sendQueued();
    while (this.unconfirmed > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async enqueueWhenFree(message: OutgoingMessage): Promise<void> {
    while (this.unconfirmed >= this.maxPendingMessages) {
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
    return this.add(message);
  }

  private add(message: OutgoingMessage): Promise<void> {
    this.unconfirmed++;
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ message, resolve, reject });
      if (this.queued.length >= this.maxBatchMessages) this.sendQueued();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.sendQueued();
    });
  }

  private sendQueued(): void {
    while (this.queued.length > 0) {
      const batch =
        this.queued.length <= this.maxBatchMessages ? this.queued : this.queued.slice(0, this.maxBatchMessages);
      this.queued = batch === this.queued ? [] : this.queued.slice(batch.length);
      void this.sendBatch(batch);
    }
  }

  private async sendBatch(batch: readonly Pending[]): Promise<void> {
    try {
      await this.transport.send(batch.map((pending) => pending.message));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      // A TransportError naming ids failed only those; the others were accepted before it.
      const failed =
        error instanceof TransportError && error.messageIds.length > 0 ? new Set(error.messageIds) : undefined;
      for (const pending of batch) {
        if (failed === undefined || failed.has(pending.message.id)) pending.reject(error);
        else pending.resolve();
      }
    } finally {
      this.unconfirmed -= batch.length;
      if (this.capacityWaiters.length > 0) this.capacityWaiters.splice(0, batch.length).forEach((wake) => wake());
      if (this.unconfirmed === 0 && this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }
}
