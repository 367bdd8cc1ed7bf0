/**
 * Producers given a status store record `queued` once the broker accepted each call and before the call resolves;
 * send batches accepted while a write is under way share the next write.
 */
import { describe, expect, it } from "vitest";
import {
  createProducer,
  encodeCallMessage,
  MemoryStatusStore,
  MemoryTransport,
  TransportError,
  type NewJob,
  type OutgoingMessage,
  type StatusStore,
  type Transport,
} from "thrift-queue";
import { createThumbnailsClient, Thumbnails } from "../../../examples/quickstart/gen/jobs.ts";

let queues = 0;
const job = (index: number) => ({ job: { imageId: `img-${index}`, requestedAt: BigInt(index) } });

/** The memory store, counting `enqueued` calls, optionally slow (released by hand) or failing. */
class CountingStore extends MemoryStatusStore {
  readonly calls: NewJob[][] = [];
  failing = false;
  /** Set: each write waits until `release()`. */
  held: (() => void)[] | undefined;
  override async enqueued(jobs: readonly NewJob[]): Promise<number> {
    this.calls.push([...jobs]);
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    if (this.failing) throw new Error("store down");
    return super.enqueued(jobs);
  }
  release(): void {
    this.held?.splice(0).forEach((resume) => resume());
  }
}

describe("a producer with a status store", () => {
  it("records every accepted call as queued, in at most one store write per send batch", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new CountingStore();
    const client = createThumbnailsClient(createProducer({ transport, store, maxBatchMessages: 10 }));
    const receipts = await Promise.all(Array.from({ length: 25 }, (_, i) => client.render(job(i))));
    expect(store.calls.length).toBeGreaterThanOrEqual(1);
    expect(store.calls.length).toBeLessThanOrEqual(3);
    expect(store.calls.flat().map((queued) => queued.id)).toEqual(expect.arrayContaining(receipts.map((r) => r.jobId)));
    expect(store.calls.flat()).toHaveLength(25);
    for (const receipt of receipts) {
      const record = await store.get(receipt.jobId);
      expect(record).toMatchObject({
        state: "queued",
        service: "Thumbnails",
        method: "render",
        queue: transport.queue,
      });
      expect(record?.enqueuedAt).toBe(Date.parse(receipt.enqueuedAt));
    }
    expect((await store.counts()).queued).toBe(25);
  });

  it("coalesces the batches accepted during a write into the next one, each call resolving after its record", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new CountingStore();
    store.held = [];
    const client = createThumbnailsClient(createProducer({ transport, store, maxBatchMessages: 10 }));
    const resolved: string[] = [];
    const calls = Array.from({ length: 50 }, (_, i) =>
      client.render(job(i)).then(async (receipt) => {
        // Resolved only once its queued record is written.
        expect((await store.get(receipt.jobId))?.state).toBe("queued");
        resolved.push(receipt.jobId);
        return receipt;
      }),
    );
    await until(() => store.calls.length === 1 && (store.held?.length ?? 0) === 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.calls.map((write) => write.length)).toEqual([10]);
    expect(resolved).toEqual([]);
    store.release();
    await until(() => (store.held?.length ?? 0) === 1);
    // The four batches accepted meanwhile go together.
    expect(store.calls.map((write) => write.length)).toEqual([10, 40]);
    expect(resolved).toHaveLength(10);
    store.release();
    const receipts = await Promise.all(calls);
    expect(store.calls).toHaveLength(2);
    expect(resolved).toHaveLength(50);
    expect((await store.counts()).queued).toBe(receipts.length);
  });

  it("reports the jobs of every batch of a failed coalesced write", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new CountingStore();
    store.held = [];
    store.failing = true;
    const reported: string[] = [];
    const producer = createProducer({
      transport,
      store,
      maxBatchMessages: 5,
      onStatusError: (_error, ids) => reported.push(...ids),
    });
    const client = createThumbnailsClient(producer);
    const calls = Array.from({ length: 15 }, (_, i) => client.render(job(i)));
    await until(() => (store.held?.length ?? 0) === 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    store.release();
    await until(() => store.calls.length === 2 && (store.held?.length ?? 0) === 1);
    store.release();
    const receipts = await Promise.all(calls);
    expect(store.calls.map((write) => write.length)).toEqual([5, 10]);
    expect([...reported].sort()).toEqual(receipts.map((receipt) => receipt.jobId).sort());
  });

  it("names the service and method of already encoded calls from their header", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new MemoryStatusStore();
    const producer = createProducer({ transport, store });
    const multiplexed = encodeCallMessage(
      Thumbnails,
      Thumbnails.methods.countRendered,
      { imageId: "x" },
      { multiplexed: true },
    );
    const plain = encodeCallMessage(Thumbnails, Thumbnails.methods.render, job(1));
    const first = await producer.sendEncoded(multiplexed);
    const second = await producer.sendEncoded(plain);
    expect(await store.get(first.jobId)).toMatchObject({ service: "Thumbnails", method: "countRendered" });
    expect(await store.get(second.jobId)).toMatchObject({ service: "", method: "render" });
  });

  it("records nothing for calls the broker refused, and the accepted part of a partly failed batch", async () => {
    const inner = new MemoryTransport({ queue: `status-${queues++}` });
    let refuse: (messages: readonly OutgoingMessage[]) => string[] = () => [];
    const transport: Transport = Object.assign(Object.create(inner) as Transport, {
      send: async (messages: readonly OutgoingMessage[]) => {
        const refused = refuse(messages);
        await inner.send(messages.filter((message) => !refused.includes(message.id)));
        if (refused.length > 0) throw new TransportError("TRANSPORT_REJECTED", "refused", { messageIds: refused });
      },
    });
    const store = new MemoryStatusStore();
    const client = createThumbnailsClient(createProducer({ transport, store, maxBatchMessages: 4 }));
    refuse = (messages) => messages.filter((_, i) => i % 2 === 1).map((message) => message.id);
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => client.render(job(i))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected"]);
    expect((await store.counts()).queued).toBe(2);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expect((await store.get(outcome.value.jobId))?.state).toBe("queued");
    }
  });

  it("still resolves the call when the store fails, and reports the jobs without a record", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new CountingStore();
    store.failing = true;
    const reported: string[] = [];
    const client = createThumbnailsClient(
      createProducer({ transport, store, onStatusError: (_error, ids) => reported.push(...ids) }),
    );
    const receipt = await client.render(job(1));
    expect(reported).toEqual([receipt.jobId]);
    expect((await transport.stats()).visible).toBe(1);
    expect(await store.get(receipt.jobId)).toBeUndefined();
  });

  it("leaves a record a worker already moved as it is", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store: StatusStore = new MemoryStatusStore();
    await store.transition({
      id: "fixed-id",
      to: "running",
      attempt: 1,
      at: 1,
      create: { service: "Thumbnails", method: "render" },
    });
    await createThumbnailsClient(createProducer({ transport, store })).render(job(1), { jobId: "fixed-id" });
    expect((await store.get("fixed-id"))?.state).toBe("running");
  });
});

/** Resolves once `condition` holds (checked every millisecond, for at most a second). */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited++) {
    if (waited > 1000) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
