/**
 * The SQS transport against fauxqs, beyond the conformance suite: depth and purge, prefetched messages given back
 * when an iteration ends, FIFO queues, SQS's own redrive, `redrive()`, stale acks from another transport, large
 * batches split by bytes, a missing queue, and opening by URL with the default credential chain.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  MetadataKey,
  openTransport,
  SqsTransport,
  type SqsTransportOptions,
  type Transport,
} from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne, receiveUpTo, sleep } from "../conformance/receive-helpers.ts";
import { startTestFauxqs, type Fauxqs } from "./sqs-fauxqs.ts";

let fauxqs: Fauxqs;
const opened: Transport[] = [];

beforeAll(async () => {
  fauxqs = await startTestFauxqs();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.allSettled(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});

afterAll(async () => {
  await fauxqs.stop();
});

function freshQueue(suffix = ""): string {
  return `sqs-${randomUUID().slice(0, 8)}${suffix}`;
}

async function open(options: Partial<SqsTransportOptions> = {}): Promise<SqsTransport> {
  const transport = new SqsTransport({ ...fauxqs.transportOptions, queue: freshQueue(), create: true, ...options });
  opened.push(transport);
  await transport.queueUrls();
  return transport;
}

function text(payload: Uint8Array): string {
  return new TextDecoder().decode(payload);
}

describe("SQS transport against fauxqs", () => {
  it("reports depth from GetQueueAttributes (no oldest age) and gives back what an ended iteration prefetched", async () => {
    const transport = await open();
    await transport.send([message("a"), message("b"), message("c")]);
    await transport.send([message("d", { delayMs: 60_000 }), message("e", { delayMs: 60_000 })]);
    // One poll takes all three visible messages; the iteration hands out one and gives the other two back.
    const delivery = await receiveOne(transport, { timeoutMs: 10_000, maxInFlight: 10 });
    expect(await transport.stats()).toEqual({
      visible: 2,
      inFlight: 1,
      delayed: 2,
      oldestAgeMs: undefined,
      deadLettered: 0,
    });
    await delivery.ack();
    expect(await transport.purge()).toBe(4);
    expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("keeps order within each FIFO group and dead-letters to <name>-dead.fifo", async () => {
    const transport = await open({ queue: freshQueue(".fifo") });
    expect(transport.capabilities).toMatchObject({ ordering: "group", maxDelayMs: 0 });
    const { dead } = await transport.queueUrls();
    expect(dead?.name).toBe(`${transport.queue.slice(0, -".fifo".length)}-dead.fifo`);
    const sent = ["a", "b"].flatMap((group) =>
      Array.from({ length: 4 }, (_, index) => message(`${group}${index}`, { groupId: group })),
    );
    await transport.send(sent);
    const seen: string[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    for await (const delivery of transport.receive({ signal: controller.signal, maxInFlight: 4 })) {
      seen.push(text(delivery.payload));
      if (seen.length === 1) await delivery.deadLetter("first one");
      else await delivery.ack();
      if (seen.length === sent.length) break;
    }
    clearTimeout(timer);
    for (const group of ["a", "b"]) {
      expect(seen.filter((name) => name.startsWith(group))).toEqual([0, 1, 2, 3].map((index) => `${group}${index}`));
    }
    const deadLetter = await receiveOne(transport, { timeoutMs: 10_000, deadLetters: true });
    expect(deadLetter.metadata[MetadataKey.deadLetterReason]).toBe("first one");
    await deadLetter.ack();
  });

  it("reads what SQS's RedrivePolicy moved to the dead-letter queue, with a reason", async () => {
    const transport = await open({ maxAttempts: 1, leaseMs: 1000 });
    const sent = message("crashes every time");
    await transport.send([sent]);
    const first = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(first.attempt).toBe(1);
    // The lease runs out unsettled; the next receive finds it past maxReceiveCount and SQS moves it.
    await sleep(1500);
    expect(await receiveUpTo(transport, 1, { timeoutMs: 1500 })).toEqual([]);
    const dead = await receiveOne(transport, { timeoutMs: 10_000, deadLetters: true });
    expect(dead.id).toBe(sent.id);
    expect(dead.metadata[MetadataKey.deadLetterReason]).toMatch(/RedrivePolicy/);
    await dead.ack();
  });

  it("redrives dead letters back as first attempts without their reason", async () => {
    const transport = await open();
    const sent = [message("r1"), message("r2"), message("r3")];
    await transport.send(sent);
    const received = await receiveUpTo(transport, 3, { timeoutMs: 10_000 });
    await Promise.all(received.map((delivery) => delivery.deadLetter("parked")));
    expect((await transport.stats()).deadLettered).toBe(3);
    expect(await transport.admin.redrive()).toBe(3);
    const again = await receiveUpTo(transport, 3, { timeoutMs: 10_000 });
    expect(again.map((delivery) => delivery.id).sort()).toEqual(sent.map((message) => message.id).sort());
    for (const delivery of again) {
      expect(delivery.attempt).toBe(1);
      expect(delivery.metadata[MetadataKey.deadLetterReason]).toBeUndefined();
      expect(delivery.metadata).toMatchObject({ "x-tenant": "acme" });
      await delivery.ack();
    }
    expect((await transport.stats()).deadLettered).toBe(0);
  });

  it("refuses an ack from another transport once the message was received again", async () => {
    const first = await open({ leaseMs: 1000 });
    const second = new SqsTransport({ ...fauxqs.transportOptions, queue: first.queue, leaseMs: 30_000 });
    opened.push(second);
    await first.send([message("contended")]);
    const stale = await receiveOne(first, { timeoutMs: 10_000 });
    const fresh = await receiveOne(second, { timeoutMs: 10_000 });
    expect(fresh.id).toBe(stale.id);
    expect(fresh.attempt).toBe(2);
    await expect(stale.ack()).rejects.toMatchObject({ code: "TRANSPORT_LEASE_LOST", messageIds: [stale.id] });
    await fresh.ack();
    expect(await receiveUpTo(first, 1, { timeoutMs: 1500 })).toEqual([]);
  });

  it("splits a send of large inline messages into batches SQS accepts", async () => {
    const transport = await open();
    const batch = Array.from({ length: 10 }, (_, index) => message(new Uint8Array(200 * 1024).fill(index)));
    await transport.send(batch);
    const received = await receiveUpTo(transport, 10, { timeoutMs: 10_000, maxInFlight: 10 });
    expect(received.map((delivery) => delivery.id).sort()).toEqual(batch.map((sent) => sent.id).sort());
    for (const delivery of received)
      expect(delivery.payload).toEqual(batch.find((sent) => sent.id === delivery.id)?.payload);
    await Promise.all(received.map((delivery) => delivery.ack()));
  });

  it("says the queue is missing, naming the messages, when it was not created", async () => {
    const transport = new SqsTransport({ ...fauxqs.transportOptions, queue: freshQueue() });
    opened.push(transport);
    const sent = message("nowhere");
    await expect(transport.send([sent])).rejects.toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
      retryable: false,
      messageIds: [sent.id],
      message: expect.stringMatching(/queue does not exist/) as unknown,
    });
    await expect(receiveUpTo(transport, 1, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
    });
  });

  it("opens from an sqs:// URL, credentials from the default provider chain, no THRIFT_QUEUE_* read", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    // Each of these would break the transport if it were read: useEnvironment: false must reach them all.
    vi.stubEnv("THRIFT_QUEUE_TRANSPORT", "memory://elsewhere");
    vi.stubEnv("THRIFT_QUEUE_SQS_ENDPOINT", "http://127.0.0.1:9");
    vi.stubEnv("THRIFT_QUEUE_SQS_POLLERS", "many");
    vi.stubEnv("THRIFT_QUEUE_MAX_ATTEMPTS", "0");
    const queue = freshQueue();
    const transport = await openTransport(`sqs://${queue}?endpoint=${fauxqs.endpoint}&create=true&leaseMs=2000`, {
      useEnvironment: false,
    });
    opened.push(transport);
    expect(transport).toMatchObject({ kind: "sqs", queue });
    await transport.send([message("by url")]);
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(text(delivery.payload)).toBe("by url");
    await delivery.ack();
  });

  it("reads THRIFT_QUEUE_SQS_* overrides when opened by URL with the environment", async () => {
    vi.stubEnv("THRIFT_QUEUE_SQS_POLLERS", "many");
    const refused = await openTransport(`sqs://${freshQueue()}?endpoint=${fauxqs.endpoint}`).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect(String(refused)).toMatch(/THRIFT_QUEUE_SQS_POLLERS must be an integer/);
    vi.stubEnv("THRIFT_QUEUE_SQS_POLLERS", "3");
    vi.stubEnv("THRIFT_QUEUE_SQS_ENDPOINT", fauxqs.endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    // The endpoint comes from the environment alone: sends reach fauxqs.
    const transport = await openTransport(`sqs://${freshQueue()}?create=true`);
    opened.push(transport);
    await transport.send([message("by environment")]);
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(text(delivery.payload)).toBe("by environment");
    await delivery.ack();
  });
});
