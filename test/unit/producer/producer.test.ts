/** Generated clients over a transport: envelopes, receipts, batching, backpressure, and nothing half-sent. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  ConfigError,
  ContentType,
  createProducer,
  decodeCallMessage,
  MemoryTransport,
  MetadataKey,
  TransportError,
  uuidv7Timestamp,
  type OutgoingMessage,
  type Transport,
} from "thrift-queue";
import { createThumbnailsClient, Thumbnails } from "../../../examples/quickstart/gen/jobs.ts";
import { receiveUpTo } from "../../conformance/receive-helpers.ts";

function memory(): MemoryTransport {
  return new MemoryTransport({ queue: `producer-${randomUUID()}` });
}

/** A transport whose sends wait until released, recording every batch. */
class GatedTransport {
  readonly batches: OutgoingMessage[][] = [];
  private readonly gates: (() => void)[] = [];
  /** Messages whose send has been answered. */
  answered = 0;
  failIds: readonly string[] = [];
  readonly queue = "gated";
  readonly kind = "gated";
  readonly capabilities = new MemoryTransport({ queue: "gated-capabilities" }).capabilities;

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.batches.push([...messages]);
    return new Promise<void>((resolve, reject) => {
      this.gates.push(() => {
        this.answered += messages.length;
        const failed = messages.filter((message) => this.failIds.includes(message.id)).map((message) => message.id);
        if (failed.length > 0) reject(new TransportError("TRANSPORT_REJECTED", "refused", { messageIds: failed }));
        else resolve();
      });
    });
  }

  releaseAll(): void {
    this.gates.splice(0).forEach((open) => open());
  }

  get sent(): number {
    return this.batches.reduce((total, batch) => total + batch.length, 0);
  }
}

const job = { imageId: "img-1", requestedAt: 5n, sizes: ["64x64"] };

describe("producer over a transport", () => {
  it("sends each call as a complete Thrift message with its metadata, and returns a receipt", async () => {
    const transport = memory();
    const client = createThumbnailsClient(createProducer({ transport }));
    const deadline = new Date("2030-01-01T00:00:00Z");
    const receipt = await client.render(
      { job },
      {
        metadata: { tenant: "acme" },
        deadline,
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
    );
    expect(uuidv7Timestamp(receipt.jobId)).toBeGreaterThan(Date.now() - 60_000);
    expect(receipt.queue).toBe(transport.queue);
    const [delivery] = await receiveUpTo(transport, 1, { timeoutMs: 1000 });
    expect(delivery?.id).toBe(receipt.jobId);
    expect(delivery?.metadata).toEqual({
      [MetadataKey.contentType]: ContentType.binary,
      [MetadataKey.jobId]: receipt.jobId,
      [MetadataKey.enqueuedAt]: receipt.enqueuedAt,
      [MetadataKey.deadline]: "2030-01-01T00:00:00.000Z",
      [MetadataKey.traceparent]: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "x-tenant": "acme",
    });
    const call = decodeCallMessage([Thumbnails], delivery?.payload ?? new Uint8Array());
    expect(call.header).toEqual({ name: "Thumbnails:render", type: 4, seqid: 0 });
    expect(call.args).toMatchObject({ job });
    await delivery?.ack();
    await transport.close();
  });

  it("honours the protocol, plain method names and a delay", async () => {
    const transport = memory();
    const client = createThumbnailsClient(createProducer({ transport, protocol: "compact", multiplexed: false }));
    await client.render({ job }, { delayMs: 60_000 });
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 1 });
    await transport.close();
  });

  it("batches concurrent calls, at most maxBatchMessages per send", async () => {
    const transport = new GatedTransport();
    const producer = createProducer({ transport: transport as unknown as Transport, maxBatchMessages: 10 });
    const client = createThumbnailsClient(producer);
    const calls = Array.from({ length: 25 }, () => client.render({ job }));
    await new Promise((resolve) => setImmediate(resolve));
    transport.releaseAll();
    await Promise.all(calls);
    expect(transport.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it("holds callers back once maxPendingMessages await the broker, instead of buffering", async () => {
    const transport = new GatedTransport();
    const producer = createProducer({ transport: transport as unknown as Transport, maxPendingMessages: 4 });
    const client = createThumbnailsClient(producer);
    const calls = Array.from({ length: 10 }, () => client.render({ job }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.sent).toBe(4);
    while (transport.sent < 10) {
      transport.releaseAll();
      await new Promise((resolve) => setImmediate(resolve));
      expect(transport.sent - transport.answered).toBeLessThanOrEqual(4);
    }
    transport.releaseAll();
    await Promise.all(calls);
    await producer.flush();
  });

  it("rejects only the calls the broker refused", async () => {
    const transport = new GatedTransport();
    const producer = createProducer({ transport: transport as unknown as Transport });
    const client = createThumbnailsClient(producer);
    const calls = [client.render({ job }), client.render({ job }), client.render({ job })];
    await new Promise((resolve) => setImmediate(resolve));
    const refusedId = transport.batches[0]?.[1]?.id ?? "";
    transport.failIds = [refusedId];
    transport.releaseAll();
    const results = await Promise.allSettled(calls);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("sends nothing for an invalid call or invalid options", async () => {
    const transport = memory();
    const client = createThumbnailsClient(createProducer({ transport }));
    await expect(client.render({ job: { imageId: "x" } as typeof job })).rejects.toBeInstanceOf(CodecError);
    await expect(client.render({ job }, { metadata: { "content-type": "x" } })).rejects.toBeInstanceOf(ConfigError);
    await expect(client.render({ job }, { delayMs: -1 })).rejects.toBeInstanceOf(ConfigError);
    await expect(client.render({ job }, { priority: 5 })).rejects.toThrow(/memory transport does not support priority/);
    await expect(client.render({ job }, { groupId: "g" })).rejects.toThrow(/FIFO queues only/);
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 0 });
    await transport.close();
  });
});
