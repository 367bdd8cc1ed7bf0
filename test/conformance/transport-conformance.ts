/**
 * The transport conformance suite: every Transport implementation runs it (Watermill's TestPubSub, kombu's
 * shared integration base). What a transport cannot do is read from its capabilities, never from its class.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  ContentType,
  MetadataKey,
  TransportError,
  uuidv7,
  type Delivery,
  type OutgoingMessage,
  type Transport,
} from "thrift-queue";
import { receiveOne, receiveUpTo, sleep } from "./receive-helpers.ts";

/** Per-queue settings the suite needs to control. */
export interface ConformanceQueueOptions {
  readonly maxAttempts: number;
  readonly leaseMs: number;
}

/** How the suite reaches an implementation. */
export interface TransportUnderTest {
  /** Opens a transport on `queue`; opening the same name twice gives two clients of one queue. */
  open(queue: string, options: ConformanceQueueOptions): Promise<Transport>;
  /** Puts a message on the queue that is not a valid envelope, where the transport can have one. */
  injectMalformed?(queue: string): Promise<void>;
  /** One time unit of the timing tests, in ms (brokers with coarse timers need more). @defaultValue 200 */
  readonly unitMs?: number;
}

const MiB = 1024 * 1024;

/** A message with a fresh job id. */
export function message(payload: Uint8Array | string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const id = uuidv7();
  return {
    id,
    payload: bytes,
    metadata: {
      [MetadataKey.contentType]: ContentType.binary,
      [MetadataKey.jobId]: id,
      [MetadataKey.enqueuedAt]: new Date().toISOString(),
      "x-tenant": "acme",
    },
    ...extra,
  };
}

function text(delivery: Delivery): string {
  return new TextDecoder().decode(delivery.payload);
}

/** Runs the suite against one implementation. */
export function runTransportConformance(name: string, subject: TransportUnderTest): void {
  const unit = subject.unitMs ?? 200;
  const opened: Transport[] = [];
  const defaults: ConformanceQueueOptions = { maxAttempts: 5, leaseMs: 10 * unit };

  async function open(queue: string, options: Partial<ConformanceQueueOptions> = {}): Promise<Transport> {
    const transport = await subject.open(queue, { ...defaults, ...options });
    opened.push(transport);
    return transport;
  }

  function freshQueue(): string {
    return `conf-${randomUUID().slice(0, 8)}`;
  }

  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
  });

  describe(`transport conformance: ${name}`, () => {
    it("sends, receives and acks a message with its id, payload and metadata", async () => {
      const transport = await open(freshQueue());
      const sent = message("hello");
      await transport.send([sent]);
      const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
      expect(delivery.id).toBe(sent.id);
      expect(text(delivery)).toBe("hello");
      expect(delivery.attempt).toBe(1);
      expect(delivery.metadata).toMatchObject(sent.metadata);
      await delivery.ack();
      await delivery.ack(); // idempotent
      expect(await receiveUpTo(transport, 1, { timeoutMs: 3 * unit })).toEqual([]);
    });

    it("redelivers a nacked message after its delay, counting the attempt", async () => {
      const transport = await open(freshQueue());
      await transport.send([message("again")]);
      const first = await receiveOne(transport, { timeoutMs: 20 * unit });
      const nackedAt = Date.now();
      await first.nack({ delayMs: 5 * unit, reason: "try later" });
      const second = await receiveOne(transport, { timeoutMs: 30 * unit });
      expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(5 * unit - 50);
      expect(second.id).toBe(first.id);
      expect(second.attempt).toBe(2);
      await second.ack();
    });

    it("redelivers a message whose lease ran out", async () => {
      const transport = await open(freshQueue(), { leaseMs: 5 * unit });
      await transport.send([message("lost")]);
      const first = await receiveOne(transport, { timeoutMs: 20 * unit });
      const second = await receiveOne(transport, { timeoutMs: 30 * unit });
      expect(second.id).toBe(first.id);
      expect(second.attempt).toBe(2);
      await expect(first.ack()).rejects.toMatchObject({ code: "TRANSPORT_LEASE_LOST" });
      await second.ack();
    });

    it("does not redeliver while the lease is being extended", async (context) => {
      const transport = await open(freshQueue(), { leaseMs: 5 * unit });
      if (!transport.capabilities.leaseExtension) context.skip();
      await transport.send([message("long job")]);
      const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
      for (let round = 0; round < 4; round++) {
        await delivery.extendLease(10 * unit);
        expect(await receiveUpTo(transport, 1, { timeoutMs: 3 * unit })).toEqual([]);
      }
      await delivery.ack();
    });

    it("dead-letters a message after its maximum attempts, with the reason", async () => {
      const transport = await open(freshQueue(), { maxAttempts: 2 });
      expect(transport.capabilities.deadLetter).toBe(true);
      const sent = message("poison");
      await transport.send([sent]);
      for (let attempt = 1; attempt <= 2; attempt++) {
        const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
        expect(delivery.attempt).toBe(attempt);
        await delivery.nack({ reason: `boom ${attempt}` });
      }
      expect(await receiveUpTo(transport, 1, { timeoutMs: 3 * unit })).toEqual([]);
      const dead = await receiveOne(transport, { timeoutMs: 20 * unit, deadLetters: true });
      expect(dead.id).toBe(sent.id);
      expect(text(dead)).toBe("poison");
      expect(dead.metadata[MetadataKey.deadLetterReason]).toMatch(/2 attempts.*boom 2/);
      await dead.ack();
      expect((await transport.stats()).deadLettered ?? 0).toBe(0);
    });

    it("dead-letters on request, with the reason", async () => {
      const transport = await open(freshQueue());
      await transport.send([message("undecodable")]);
      const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
      await delivery.deadLetter("CODEC_TRUNCATED: truncated message");
      const dead = await receiveOne(transport, { timeoutMs: 20 * unit, deadLetters: true });
      expect(dead.id).toBe(delivery.id);
      expect(dead.metadata[MetadataKey.deadLetterReason]).toBe("CODEC_TRUNCATED: truncated message");
      await dead.ack();
    });

    it("sends batches and delivers each message exactly once", async () => {
      const transport = await open(freshQueue());
      const batch = Array.from({ length: 25 }, (_, index) => message(`m${index}`));
      await transport.send(batch);
      const received = await receiveUpTo(transport, 25, { timeoutMs: 40 * unit, maxInFlight: 25 });
      expect(received.map((delivery) => delivery.id).sort()).toEqual(batch.map((sent) => sent.id).sort());
      await Promise.all(received.map((delivery) => delivery.ack()));
    });

    it("carries an empty payload and a 1 MiB payload, and refuses one over the limit", async () => {
      const transport = await open(freshQueue());
      const limit = transport.capabilities.maxPayloadBytes;
      const empty = message(new Uint8Array(0));
      const large = message(new Uint8Array(Math.min(MiB, limit)).map((_, index) => index % 251));
      await transport.send([empty]);
      await transport.send([large]);
      const received = await receiveUpTo(transport, 2, { timeoutMs: 40 * unit });
      const byId = new Map(received.map((delivery) => [delivery.id, delivery]));
      expect(byId.get(empty.id)?.payload).toEqual(new Uint8Array(0));
      expect(byId.get(large.id)?.payload).toEqual(large.payload);
      await Promise.all(received.map((delivery) => delivery.ack()));
      const tooLarge = message(new Uint8Array(limit + 1));
      const refused = await transport.send([tooLarge]).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TransportError);
      expect(refused).toMatchObject({ code: "TRANSPORT_PAYLOAD_TOO_LARGE", messageIds: [tooLarge.id] });
    });

    it("never hands one message to two consumers within a lease", async () => {
      const queue = freshQueue();
      const producer = await open(queue);
      // Leases outlast the test, so any duplicate would be a second consumer taking a leased message.
      const consumers = [await open(queue, { leaseMs: 200 * unit }), await open(queue, { leaseMs: 200 * unit })];
      const batch = Array.from({ length: 40 }, (_, index) => message(`c${index}`));
      await producer.send(batch);
      const results = await Promise.all(
        consumers.map((consumer) => receiveUpTo(consumer, 40, { timeoutMs: 15 * unit, maxInFlight: 40 })),
      );
      const ids = results.flat().map((delivery) => delivery.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual(batch.map((sent) => sent.id).sort());
      await Promise.all(results.flat().map((delivery) => delivery.ack()));
    });

    it("close waits for in-flight deliveries, then releases the unsettled ones for redelivery", async () => {
      const queue = freshQueue();
      const consumer = await open(queue);
      await consumer.send([message("finish me"), message("release me")]);
      const [finished, released] = await receiveUpTo(consumer, 2, { timeoutMs: 20 * unit });
      if (!finished || !released) throw new Error("expected two deliveries");
      const closing = consumer.close({ drainTimeoutMs: 5 * unit });
      await sleep(unit);
      await finished.ack();
      await closing;
      await expect(consumer.send([message("late")])).rejects.toMatchObject({ code: "TRANSPORT_CLOSED" });
      const other = await open(queue);
      const again = await receiveOne(other, { timeoutMs: 20 * unit });
      expect(again.id).toBe(released.id);
      await again.ack();
      expect(await receiveUpTo(other, 1, { timeoutMs: 3 * unit })).toEqual([]);
    });

    it("reports depth: visible, in flight, delayed, oldest age", async (context) => {
      const transport = await open(freshQueue());
      if (!transport.capabilities.depth) context.skip();
      await transport.send([message("a"), message("b"), message("c")]);
      if (transport.capabilities.maxDelayMs >= 60_000) {
        await transport.send([message("d", { delayMs: 60_000 }), message("e", { delayMs: 60_000 })]);
      }
      const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
      await sleep(unit);
      const stats = await transport.stats();
      expect(stats).toMatchObject({ visible: 2, inFlight: 1 });
      if (transport.capabilities.maxDelayMs >= 60_000) expect(stats.delayed).toBe(2);
      if (transport.capabilities.oldestAge) expect(stats.oldestAgeMs).toBeGreaterThanOrEqual(unit - 50);
      else expect(stats.oldestAgeMs).toBeUndefined();
      await delivery.ack();
      expect(await transport.purge()).toBeOneOf([2, 4, undefined]);
      expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it("dead-letters a malformed message with a reason and keeps delivering", async (context) => {
      if (!subject.injectMalformed) context.skip();
      const queue = freshQueue();
      const transport = await open(queue);
      await subject.injectMalformed?.(queue);
      const good = message("good");
      await transport.send([good]);
      const delivery = await receiveOne(transport, { timeoutMs: 20 * unit });
      expect(delivery.id).toBe(good.id);
      await delivery.ack();
      const dead = await receiveOne(transport, { timeoutMs: 20 * unit, deadLetters: true });
      expect(dead.metadata[MetadataKey.deadLetterReason]).toMatch(/\S/);
      await dead.ack();
    });
  });
}
