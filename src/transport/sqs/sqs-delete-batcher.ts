/**
 * Acks as DeleteMessageBatch calls: deletes asked for in the same turn of the event loop go out together (up to
 * 10 per call), and each caller learns the outcome of its own entry.
 */
import type { SqsApi } from "./sqs-api.ts";
import { MAX_BATCH_ENTRIES } from "./sqs-batches.ts";
import { toSqsTransportError } from "./sqs-errors.ts";

interface PendingDelete {
  readonly receiptHandle: string;
  /** The job id, named in errors. */
  readonly id: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Batches the deletes of one transport, per queue. */
export class DeleteBatcher {
  private readonly api: SqsApi;
  private readonly queue: string;
  private readonly pending = new Map<string, PendingDelete[]>();
  private readonly calls = new Set<Promise<void>>();
  private scheduled = false;

  /** `queue` is the queue name, for errors. */
  constructor(api: SqsApi, queue: string) {
    this.api = api;
    this.queue = queue;
  }

  /** Deletes one received message; rejects with a TransportError (`TRANSPORT_LEASE_LOST` for a stale handle). */
  delete(queueUrl: string, receiptHandle: string, id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let waiting = this.pending.get(queueUrl);
      if (!waiting) this.pending.set(queueUrl, (waiting = []));
      waiting.push({ receiptHandle, id, resolve, reject });
      if (waiting.length >= MAX_BATCH_ENTRIES) this.send(queueUrl);
      else this.schedule();
    });
  }

  /** Sends what waits and resolves when every call made so far has been answered. */
  async flush(): Promise<void> {
    for (const queueUrl of [...this.pending.keys()]) this.send(queueUrl);
    await Promise.allSettled([...this.calls]);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const queueUrl of [...this.pending.keys()]) this.send(queueUrl);
    });
  }

  private send(queueUrl: string): void {
    const waiting = this.pending.get(queueUrl) ?? [];
    this.pending.delete(queueUrl);
    for (let start = 0; start < waiting.length; start += MAX_BATCH_ENTRIES) {
      const call = this.call(queueUrl, waiting.slice(start, start + MAX_BATCH_ENTRIES));
      this.calls.add(call);
      void call.finally(() => this.calls.delete(call));
    }
  }

  private async call(queueUrl: string, batch: readonly PendingDelete[]): Promise<void> {
    let result;
    try {
      const entries = batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle }));
      result = await this.api.deleteMessageBatch(queueUrl, entries);
    } catch (error) {
      for (const entry of batch) entry.reject(toSqsTransportError(error, "ack failed", this.queue, [entry.id]));
      return;
    }
    const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
    for (const [index, entry] of batch.entries()) {
      const failure = failed.get(String(index));
      if (!failure) {
        entry.resolve();
        continue;
      }
      const cause = Object.assign(new Error(failure.Message ?? "delete failed"), {
        name: failure.Code ?? "Error",
        $fault: failure.SenderFault === true ? "client" : "server",
      });
      entry.reject(toSqsTransportError(cause, "ack failed", this.queue, [entry.id]));
    }
  }
}
