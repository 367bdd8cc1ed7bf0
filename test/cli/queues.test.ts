/** `thrift-queue queues` over the memory and SQLite transports (memory queues are shared within this process). */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  MemoryTransport,
  MetadataKey,
  SqliteTransport,
  registerTransportOpener,
  type CommonTransportSettings,
  type Transport,
  type TransportUrl,
} from "thrift-queue";
import { receiveUpTo } from "../conformance/receive-helpers.ts";
import { expectBadInput, expectJson, runCli, stdoutText } from "./run-cli.ts";

const directory = mkdtempSync(join(tmpdir(), "thrift-queue-queues-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A fresh queue: its URL, and a transport on it that dead-letters after `maxAttempts`. */
interface QueueUnderTest {
  readonly url: string;
  readonly transport: Transport;
}

const families: readonly (readonly [string, (maxAttempts: number) => QueueUnderTest])[] = [
  [
    "memory",
    (maxAttempts) => {
      const queue = `cli-queues-${randomUUID()}`;
      return { url: `memory://${queue}`, transport: new MemoryTransport({ queue, maxAttempts }) };
    },
  ],
  [
    "sqlite",
    (maxAttempts) => {
      const path = join(directory, `${randomUUID()}.db`);
      return { url: `sqlite:${path}?queue=jobs`, transport: new SqliteTransport({ path, queue: "jobs", maxAttempts }) };
    },
  ],
];

const opened: Transport[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});

function open(factory: (maxAttempts: number) => QueueUnderTest, maxAttempts: number): QueueUnderTest {
  const queue = factory(maxAttempts);
  opened.push(queue.transport);
  return queue;
}

function message(id: string) {
  return { id, metadata: { [MetadataKey.jobId]: id, "x-origin": "test" }, payload: new Uint8Array([1, 2, 3]) };
}

/** Sends `ids` and nacks every delivery until all of them are dead letters (past `maxAttempts`). */
async function deadLetter(transport: Transport, ids: readonly string[], maxAttempts: number): Promise<void> {
  await transport.send(ids.map(message));
  for (let round = 0; round < maxAttempts; round++) {
    const deliveries = await receiveUpTo(transport, ids.length, { timeoutMs: 2000 });
    expect(deliveries.map((delivery) => delivery.attempt)).toEqual(ids.map(() => round + 1));
    for (const delivery of deliveries) await delivery.nack({ reason: "boom" });
  }
  expect(await transport.stats()).toMatchObject({ visible: 0, deadLettered: ids.length });
}

describe.each(families)("thrift-queue queues over %s", (_kind, factory) => {
  it("create says there is nothing to create and no separate dead-letter queue", async () => {
    const { url, transport } = open(factory, 3);
    expect(expectJson(await runCli(["queues", "create", url, "--dlq-after", "3"]))).toEqual({
      created: transport.queue,
      deadLetterQueue: null,
    });
  });

  it("stats prints one JSON line with every figure", async () => {
    const { url, transport } = open(factory, 2);
    await deadLetter(transport, ["a", "b"], 2);
    await transport.send([message("c"), { ...message("d"), delayMs: 60_000 }]);
    const run = await runCli(["queues", "stats", url]);
    expect(stdoutText(run).split("\n")).toEqual([expect.any(String), ""]);
    const { oldestAgeMs, ...figures } = expectJson(run) as Record<string, unknown>;
    expect(figures).toEqual({
      queue: transport.queue,
      kind: transport.kind,
      visible: 1,
      inFlight: 0,
      delayed: 1,
      deadLettered: 2,
    });
    expect(oldestAgeMs).toBeTypeOf("number");
    const human = await runCli(["queues", "stats", url, "--human"]);
    expect({ code: human.code, stderr: human.stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdoutText(human)).toMatch(
      new RegExp(`^${transport.queue} \\(${transport.kind}\\): 1 waiting, 0 in flight, 1 delayed, 2 dead-lettered`),
    );
  });

  it("stats of an empty queue prints null for the age of the oldest message", async () => {
    const { url } = open(factory, 2);
    expect(expectJson(await runCli(["queues", "stats", url]))).toMatchObject({ visible: 0, oldestAgeMs: null });
  });

  it("redrive brings dead letters back as first attempts without their reason", async () => {
    const { url, transport } = open(factory, 2);
    await deadLetter(transport, ["a", "b", "c"], 2);
    const [dead] = await receiveUpTo(transport, 1, { timeoutMs: 1000, deadLetters: true });
    expect(dead?.metadata[MetadataKey.deadLetterReason]).toBe("exceeded 2 attempts; last error: boom");
    await dead?.nack();

    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 3 });
    expect(await transport.stats()).toMatchObject({ visible: 3, deadLettered: 0 });
    const deliveries = await receiveUpTo(transport, 3, { timeoutMs: 2000 });
    expect(deliveries.map((delivery) => [delivery.id, delivery.attempt])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 1],
    ]);
    for (const delivery of deliveries) {
      expect(delivery.metadata[MetadataKey.deadLetterReason]).toBeUndefined();
      expect(delivery.metadata["x-origin"]).toBe("test");
      expect(delivery.payload).toEqual(new Uint8Array([1, 2, 3]));
      await delivery.ack();
    }
    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 0 });
  });

  it("redriven messages get their full attempts again", async () => {
    const { url, transport } = open(factory, 2);
    await deadLetter(transport, ["a"], 2);
    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 1 });
    for (const attempt of [1, 2]) {
      const [delivery] = await receiveUpTo(transport, 1, { timeoutMs: 2000 });
      expect(delivery?.attempt).toBe(attempt);
      await delivery?.nack({ reason: "again" });
    }
    expect(await transport.stats()).toMatchObject({ visible: 0, deadLettered: 1 });
  });

  it("purge removes waiting messages but not dead letters", async () => {
    const { url, transport } = open(factory, 1);
    await deadLetter(transport, ["dead"], 1);
    await transport.send([message("a"), message("b")]);
    expect(expectJson(await runCli(["queues", "purge", url]))).toEqual({ purged: 2 });
    expect(await transport.stats()).toMatchObject({ visible: 0, deadLettered: 1 });
  });
});

describe("thrift-queue queues: usage", () => {
  const url = "memory://cli-queues-usage";

  it.each([
    [[], /^thrift-queue queues: missing the action: create, stats, purge, redrive; see/],
    [["drop", url], /^thrift-queue queues: unknown action "drop"; use create, stats, purge, redrive; see/],
    [["stats"], /^thrift-queue queues: missing the transport URL; see/],
    [["stats", url, "more"], /^thrift-queue queues: unexpected argument "more"; see/],
    [["create", url, "--dlq-after", "0"], /^thrift-queue queues: --dlq-after must be a whole number ≥ 1, got "0"; see/],
    [["create", url, "--dlq-after", "two"], /--dlq-after must be a whole number ≥ 1, got "two"/],
    [["create", url, "--dlq-after"], /^thrift-queue queues: missing value for --dlq-after; see/],
    [["purge", url, "--human"], /^thrift-queue queues: --human applies to queues stats only; see/],
    [["stats", url, "--force"], /^thrift-queue queues: unknown option --force; see/],
    [["stats", "ftp://nowhere/q"], /^thrift-queue: invalid transport URL "ftp:\/\/nowhere\/q": unknown scheme/],
    [["stats", "not a url"], /^thrift-queue: cannot open not a url: /],
  ])("rejects %j with exit 2 and one line", async (args, expected) => {
    expectBadInput(await runCli(["queues", ...args]), expected);
  });

  it("prints its usage with --help", async () => {
    const run = await runCli(["queues", "--help"]);
    expect(run.code).toBe(0);
    expect(stdoutText(run)).toMatch(/^Usage: thrift-queue queues create\|stats\|purge\|redrive <url>/);
  });

  it("is listed by help", async () => {
    expect(stdoutText(await runCli(["help"]))).toMatch(/\n {2}queues +create, inspect/);
  });
});

describe("thrift-queue queues: transport settings", () => {
  // A stand-in transport without an admin facet, opened for http: URLs in this file only.
  const seen: { url: string; settings: CommonTransportSettings }[] = [];
  registerTransportOpener("http", (url: TransportUrl, settings: CommonTransportSettings) => {
    seen.push({ url: url.url.toString(), settings });
    const memory = new MemoryTransport({ queue: `cli-queues-http-${randomUUID()}` });
    const transport: Transport = {
      kind: "http",
      queue: url.queue,
      capabilities: memory.capabilities,
      send: (messages) => memory.send(messages),
      receive: (options) => memory.receive(options),
      stats: () => memory.stats(),
      purge: () => memory.purge(),
      close: (options) => memory.close(options),
    };
    return Promise.resolve(transport);
  });
  afterEach(() => {
    seen.length = 0;
    delete process.env["THRIFT_QUEUE_MAX_ATTEMPTS"];
  });

  it.each(["create", "redrive"])("%s without an admin facet exits 2 naming the transport", async (action) => {
    expectBadInput(
      await runCli(["queues", action, "http://127.0.0.1:9/jobs"]),
      `thrift-queue: queues ${action} is not supported by the http transport`,
    );
  });

  it("stats and purge need no admin facet", async () => {
    expect(expectJson(await runCli(["queues", "purge", "http://127.0.0.1:9/jobs"]))).toEqual({ purged: 0 });
    expect(expectJson(await runCli(["queues", "stats", "http://127.0.0.1:9/jobs"]))).toMatchObject({
      queue: "jobs",
      kind: "http",
    });
  });

  it("--dlq-after sets maxAttempts, over the URL and the environment", async () => {
    process.env["THRIFT_QUEUE_MAX_ATTEMPTS"] = "7";
    await runCli(["queues", "stats", "http://127.0.0.1:9/jobs?maxAttempts=4"]);
    await runCli(["queues", "stats", "http://127.0.0.1:9/jobs?maxAttempts=4", "--dlq-after", "3"]);
    delete process.env["THRIFT_QUEUE_MAX_ATTEMPTS"];
    await runCli(["queues", "stats", "http://127.0.0.1:9/jobs?maxAttempts=4"]);
    expect(seen.map((open) => open.settings.maxAttempts)).toEqual([7, 3, 4]);
    // The AMQP connection wait is set for amqp: URLs only.
    expect(seen.map((open) => open.url).join(" ")).not.toMatch(/unavailableTimeoutMs/);
  });
});
