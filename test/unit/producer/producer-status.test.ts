/** Producers given a status store record `queued` once the broker accepted each call, one write per batch. */
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

/** The memory store, counting `enqueued` calls and optionally failing them. */
class CountingStore extends MemoryStatusStore {
  readonly calls: NewJob[][] = [];
  failing = false;
  override enqueued(jobs: readonly NewJob[]): Promise<number> {
    this.calls.push([...jobs]);
    if (this.failing) return Promise.reject(new Error("store down"));
    return super.enqueued(jobs);
  }
}

describe("a producer with a status store", () => {
  it("records every accepted call as queued, one store write per send batch", async () => {
    const transport = new MemoryTransport({ queue: `status-${queues++}` });
    const store = new CountingStore();
    const client = createThumbnailsClient(createProducer({ transport, store, maxBatchMessages: 10 }));
    const receipts = await Promise.all(Array.from({ length: 25 }, (_, i) => client.render(job(i))));
    expect(store.calls.map((batch) => batch.length)).toEqual([10, 10, 5]);
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
