/**
 * `thrift-queue queues` and the AMQP transport's admin facet against a real RabbitMQ: create with a dead-letter
 * queue, dead letters after N attempts, redrive (first attempts again, reason removed, nothing lost when a copy
 * fails), stats, purge, and an unreachable broker.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AmqpTransport, MetadataKey, silentLogger, type Delivery, type OutgoingMessage } from "thrift-queue";
import { redriveDeadLetters } from "../../src/transport/amqp/amqp-redrive.ts";
import { AmqpSession } from "../../src/transport/amqp/amqp-session.ts";
import { QueueTopology } from "../../src/transport/amqp/amqp-topology.ts";
import { expectBadInput, expectJson, runCli } from "../cli/run-cli.ts";
import { receiveUpTo } from "../conformance/receive-helpers.ts";
import { cleanUpAfterAll, findAmqpBroker, rawConnection, withAmqpBroker } from "./amqp-broker.ts";

const lookup = await findAmqpBroker();

withAmqpBroker("thrift-queue queues: amqp", lookup, (broker) => {
  const { queues, transports } = cleanUpAfterAll(broker, [".dead"]);

  /** A fresh queue name and its transport URL (with `extra` query parameters). */
  function newQueue(extra: Record<string, string> = {}): { queue: string; url: string } {
    const queue = `tq-admin-${randomUUID()}`;
    queues.push(queue);
    const url = new URL(broker.url);
    url.searchParams.set("queue", queue);
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
    return { queue, url: url.toString() };
  }

  function transportOf(queue: string, maxAttempts: number, type: "classic" | "quorum" = "classic"): AmqpTransport {
    const transport = new AmqpTransport({ url: broker.url, queue, maxAttempts, queueType: type, leaseMs: 10_000 });
    transports.push(transport);
    return transport;
  }

  function message(id: string): OutgoingMessage {
    return { id, metadata: { "x-origin": "admin-test" }, payload: new TextEncoder().encode(`payload ${id}`) };
  }

  /** Receives `count` deliveries (in any order), sorted by id. */
  async function receiveSorted(transport: AmqpTransport, count: number, deadLetters = false): Promise<Delivery[]> {
    const deliveries = await receiveUpTo(transport, count, { timeoutMs: 5000, maxInFlight: count, deadLetters });
    expect(deliveries).toHaveLength(count);
    return deliveries.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Nacks every delivery of `ids` round after round until all are dead letters; checks the attempts. */
  async function failUntilDead(transport: AmqpTransport, ids: readonly string[], maxAttempts: number): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const deliveries = await receiveSorted(transport, ids.length);
      expect(deliveries.map((delivery) => [delivery.id, delivery.attempt])).toEqual(ids.map((id) => [id, attempt]));
      await Promise.all(deliveries.map((delivery) => delivery.nack({ reason: `failure ${attempt}` })));
    }
  }

  async function statsOf(url: string, ...extra: string[]): Promise<Record<string, unknown>> {
    return expectJson(await runCli(["queues", "stats", url, ...extra])) as Record<string, unknown>;
  }

  it("create declares Q and Q.dead; dead letters after --dlq-after attempts; redrive brings them back", async () => {
    const { queue, url } = newQueue();
    expect(expectJson(await runCli(["queues", "create", url, "--dlq-after", "2"]))).toEqual({
      created: queue,
      deadLetterQueue: `${queue}.dead`,
    });
    const model = await rawConnection(broker.url);
    try {
      const channel = await model.createChannel();
      // Passive checks: both queues exist now, before any producer or consumer touched them.
      expect(await channel.checkQueue(queue)).toMatchObject({ messageCount: 0 });
      expect(await channel.checkQueue(`${queue}.dead`)).toMatchObject({ messageCount: 0 });
    } finally {
      await model.close();
    }
    expect(expectJson(await runCli(["queues", "create", url, "--dlq-after", "2"]))).toMatchObject({ created: queue });

    const ids = ["a", "b", "c"];
    const transport = transportOf(queue, 2);
    await transport.send(ids.map(message));
    await failUntilDead(transport, ids, 2);
    expect(await statsOf(url)).toEqual({
      queue,
      kind: "amqp",
      visible: 0,
      inFlight: 0,
      delayed: 0,
      oldestAgeMs: null,
      deadLettered: 3,
    });
    const dead = await receiveSorted(transport, 3, true);
    expect(dead[0]?.metadata[MetadataKey.deadLetterReason]).toBe("exceeded 2 attempts; last error: failure 2");
    for (const delivery of dead) await delivery.nack();

    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 3 });
    expect(await statsOf(url)).toMatchObject({ visible: 3, deadLettered: 0 });
    const back = await receiveSorted(transport, 3);
    for (const [index, delivery] of back.entries()) {
      expect(delivery.id).toBe(ids[index]);
      expect(delivery.attempt).toBe(1);
      expect(delivery.metadata[MetadataKey.deadLetterReason]).toBeUndefined();
      expect(delivery.metadata["x-origin"]).toBe("admin-test");
      expect(new TextDecoder().decode(delivery.payload)).toBe(`payload ${delivery.id}`);
      await delivery.nack({ reason: "again" });
    }
    // A full set of attempts again: the second failure dead-letters them once more.
    const second = await receiveSorted(transport, 3);
    expect(second.map((delivery) => delivery.attempt)).toEqual([2, 2, 2]);
    for (const delivery of second) await delivery.nack({ reason: "again" });
    expect(await statsOf(url)).toMatchObject({ visible: 0, deadLettered: 3 });
    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 3 });
    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 0 });
  });

  it("stats counts waiting messages and their age; purge empties the queue but keeps dead letters", async () => {
    const { queue, url } = newQueue();
    const transport = transportOf(queue, 1);
    await transport.send([message("dead")]);
    const [delivery] = await receiveSorted(transport, 1);
    await delivery?.nack({ reason: "last" });
    await transport.send(["a", "b", "c", "d"].map(message));
    const stats = await statsOf(url);
    expect(stats).toMatchObject({ visible: 4, inFlight: 0, delayed: 0, deadLettered: 1 });
    expect(stats["oldestAgeMs"]).toEqual(expect.any(Number));
    const human = await runCli(["queues", "stats", url, "--human"]);
    expect(new TextDecoder().decode(human.stdout)).toMatch(
      new RegExp(`^${queue} \\(amqp\\): 4 waiting, 0 in flight, 0 delayed, 1 dead-lettered; oldest waiting `),
    );
    expect(expectJson(await runCli(["queues", "purge", url]))).toEqual({ purged: 4 });
    expect(await statsOf(url)).toMatchObject({ visible: 0, deadLettered: 1 });
  });

  it("a quorum queue keeps --dlq-after as its delivery limit, so later commands must give the same", async () => {
    const { queue, url } = newQueue({ type: "quorum" });
    expectJson(await runCli(["queues", "create", url, "--dlq-after", "2"]));
    expect(await statsOf(url, "--dlq-after", "2")).toMatchObject({ visible: 0, deadLettered: 0 });
    const started = Date.now();
    const run = await runCli(["queues", "stats", url, "--dlq-after", "3"]);
    expectBadInput(
      run,
      /^thrift-queue: no connection to .*406 \(PRECONDITION-FAILED\).*received '3' but current is '2'/,
    );
    expect(Date.now() - started).toBeLessThan(9000);
    const transport = transportOf(queue, 2, "quorum");
    await transport.send([message("q")]);
    await failUntilDead(transport, ["q"], 2);
    expect(await statsOf(url, "--dlq-after", "2")).toMatchObject({ visible: 0, deadLettered: 1 });
    expect(expectJson(await runCli(["queues", "redrive", url, "--dlq-after", "2"]))).toEqual({ redriven: 1 });
    const [back] = await receiveSorted(transport, 1);
    expect(back?.attempt).toBe(1);
    expect(back?.metadata[MetadataKey.deadLetterReason]).toBeUndefined();
    await back?.ack();
  });

  it("redrive moves many dead letters, pipelined", async () => {
    const { queue, url } = newQueue();
    const transport = transportOf(queue, 1);
    const ids = Array.from({ length: 300 }, (_, index) => `m-${String(index).padStart(3, "0")}`);
    await transport.send(ids.map(message));
    await failUntilDead(transport, ids, 1);
    const started = Date.now();
    expect(expectJson(await runCli(["queues", "redrive", url]))).toEqual({ redriven: 300 });
    // One at a time, each copy waiting for its confirm, this took about 15 s here; pipelined, well under 1 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    const back = await receiveUpTo(transport, 300, { timeoutMs: 5000, maxInFlight: 300 });
    expect(back.map((delivery) => delivery.id).sort()).toEqual(ids);
    await Promise.all(back.map((delivery) => delivery.ack()));
  });

  it("a copy that is not confirmed stops the redrive and loses nothing", async () => {
    const { queue } = newQueue();
    const transport = transportOf(queue, 1);
    await transport.send(["a", "b", "c"].map(message));
    await failUntilDead(transport, ["a", "b", "c"], 1);
    const model = await rawConnection(broker.url);
    const session = new AmqpSession(model, 1, silentLogger);
    const published: string[] = [];
    try {
      const redrive = redriveDeadLetters({
        session,
        topology: new QueueTopology(queue, "classic", 1),
        logger: silentLogger,
        republisher: {
          retry: async (envelope) => {
            if (published.length === 1) throw new Error("broker said no");
            published.push(envelope.id);
            await transport.send([{ ...envelope }]);
          },
          deadLetter: () => Promise.reject(new Error("not used")),
        },
      });
      await expect(redrive).rejects.toThrow(`redrive of ${queue}.dead stopped after 1 message(s): broker said no`);
    } finally {
      await session.close();
    }
    expect(await transport.stats()).toMatchObject({ visible: 1, deadLettered: 2 });
    const remaining = await receiveSorted(transport, 2, true);
    expect(published).toEqual(["a"]);
    expect(remaining.map((delivery) => delivery.id)).toEqual(["b", "c"]);
    for (const delivery of remaining) await delivery.nack();
  });

  it("wrong credentials exit 2 with the broker's reason", async () => {
    const url = new URL(broker.url);
    url.username = "nobody";
    url.password = "wrong";
    url.searchParams.set("queue", "x");
    const run = await runCli(["queues", "stats", url.toString()]);
    expectBadInput(run, /^thrift-queue: no connection to amqp:\/\/nobody:\*\*\*@.*ACCESS_REFUSED/);
  });
});

// No broker needed: nothing listens on port 1.
describe.concurrent("thrift-queue queues: an unreachable AMQP broker", () => {
  it.each(["stats", "create", "purge", "redrive"])("queues %s exits 2 with one line within seconds", async (action) => {
    const started = Date.now();
    const run = await runCli(["queues", action, "amqp://127.0.0.1:1/?queue=x"]);
    expectBadInput(run, /^thrift-queue: no connection to amqp:\/\/127\.0\.0\.1:1\/: connect ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
