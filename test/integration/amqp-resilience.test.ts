/**
 * The AMQP transport under failure, against a real RabbitMQ: connections closed by the server while messages flow,
 * a 406 channel error on the consumer's channel and on a declaration, and a consumer cancelled by the broker
 * because its queue was deleted. Nothing confirmed is lost, nothing acked comes back, the process keeps running
 * and consumption resumes by itself.
 */
import { randomUUID } from "node:crypto";
import type { Channel, ChannelModel, Message } from "amqplib";
import { afterEach, describe, expect, it } from "vitest";
import { AmqpTransport, TransportError, type AmqpTransportOptions, type Delivery, type Logger } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne, sleep } from "../conformance/receive-helpers.ts";
import { deleteQueues, findAmqpBroker, rawConnection, withAmqpBroker } from "./amqp-broker.ts";
import { closeConnections, recordingConnect } from "./amqp-chaos.ts";

/** A logger that keeps what it is told. */
function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (_context: object, text?: string) => void lines.push(`${level} ${text ?? ""}`);
  return { lines, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

/** Resolves once `condition` holds, polling; fails after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const lookup = await findAmqpBroker();

withAmqpBroker("amqp transport resilience", lookup, (broker) => {
  const opened: AmqpTransport[] = [];
  const extraQueues: string[] = [];

  afterEach(async () => {
    const transports = opened.splice(0);
    await Promise.allSettled(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
    await deleteQueues(broker.url, [...transports.flatMap((transport) => transport.queueNames()), ...extraQueues]);
    extraQueues.length = 0;
  });

  function open(queue: string, role: string, extra: Partial<AmqpTransportOptions> = {}): AmqpTransport {
    const transport = new AmqpTransport({
      url: broker.url,
      queue,
      connectionName: `thrift-queue resilience ${role} ${queue}`,
      reconnectInitialDelayMs: 50,
      reconnectMaxDelayMs: 1000,
      unavailableTimeoutMs: 5000,
      ...extra,
    });
    opened.push(transport);
    return transport;
  }

  describe("amqp transport resilience", () => {
    it("loses no confirmed message and redelivers no acked one across server-side connection closes", async () => {
      const queue = `res-${randomUUID().slice(0, 8)}`;
      const producerLog = recordingLogger();
      const consumerLog = recordingLogger();
      const models: ChannelModel[] = [];
      const connect = recordingConnect([], models);
      const producer = open(queue, "producer", { logger: producerLog, connect });
      const consumer = open(queue, "consumer", { logger: consumerLog, connect });
      const names = [`thrift-queue resilience producer ${queue}`, `thrift-queue resilience consumer ${queue}`];
      await producer.connect();

      const confirmed = new Set<string>();
      const acked = new Set<string>();
      const seen = new Set<string>();
      const redeliveredAfterAck: string[] = [];
      const sendFailures: unknown[] = [];
      const stopConsuming = new AbortController();
      const consuming = (async () => {
        for await (const delivery of consumer.receive({ maxInFlight: 50, signal: stopConsuming.signal })) {
          if (acked.has(delivery.id)) redeliveredAfterAck.push(delivery.id);
          seen.add(delivery.id);
          delivery.ack().then(
            () => acked.add(delivery.id),
            () => undefined, // lease lost with the connection: the broker may deliver it again
          );
        }
      })();

      let chaosDone = false;
      const producing = (async () => {
        for (let round = 0; !chaosDone || round < 40; round++) {
          const batch = Array.from({ length: 25 }, (_, index) => message(`r${round}-${index}`));
          try {
            await producer.send(batch);
            for (const sent of batch) confirmed.add(sent.id);
          } catch (error) {
            sendFailures.push(error);
            const failed = new Set(error instanceof TransportError ? error.messageIds : []);
            for (const sent of batch) if (!failed.has(sent.id)) confirmed.add(sent.id);
          }
          await sleep(10);
        }
      })();

      for (const threshold of [200, 600]) {
        await eventually(() => acked.size >= threshold, 20_000, `${threshold} acks`);
        await closeConnections(names, models.splice(0));
      }
      chaosDone = true;
      await producing;
      // An ack whose confirmation round trip died with the connection rejects, though the broker may have taken
      // it: such a message was handled and is either gone or delivered again. So: every confirmed message was
      // delivered, the queue drains, and none comes back once its ack resolved.
      await eventually(() => [...confirmed].every((id) => seen.has(id)), 20_000, "every confirmed message delivered");
      await sleep(500); // anything acked that came back would show up now
      stopConsuming.abort();
      await consuming;

      expect(redeliveredAfterAck).toEqual([]);
      expect(await consumer.stats()).toMatchObject({ visible: 0, inFlight: 0, deadLettered: 0 });
      expect(confirmed.size).toBeGreaterThanOrEqual(1000);
      for (const failure of sendFailures)
        expect(failure).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: true });
      const reconnects = (log: { lines: string[] }): number =>
        log.lines.filter((line) => line === "info AMQP connected").length;
      expect(reconnects(producerLog)).toBeGreaterThanOrEqual(3);
      expect(reconnects(consumerLog)).toBeGreaterThanOrEqual(3);
    }, 60_000);

    it("recovers from a 406 channel error on the consumer's channel", async () => {
      const queue = `res-${randomUUID().slice(0, 8)}`;
      const consumerChannels: Channel[] = [];
      const log = recordingLogger();
      const transport = open(queue, "consumer", { connect: recordingConnect(consumerChannels), logger: log });
      const first = [message("a"), message("b"), message("c")];
      await transport.send(first);

      const received: Delivery[] = [];
      const stop = new AbortController();
      const consuming = (async () => {
        for await (const delivery of transport.receive({ signal: stop.signal })) received.push(delivery);
      })();
      await eventually(() => received.length >= 1, 5000, "a delivery");
      const held = received[0];
      if (!held) throw new Error("no delivery");
      // Acking a delivery tag the channel never had: RabbitMQ closes the channel with 406 PRECONDITION_FAILED.
      consumerChannels.at(-1)?.ack({ fields: { deliveryTag: 999_999 } } as Message);
      await expect(
        (async () => {
          await sleep(200);
          await held.ack();
        })(),
      ).rejects.toMatchObject({ code: "TRANSPORT_LEASE_LOST" });

      const later = [message("d"), message("e")];
      await transport.send(later);
      const acked = new Set<string>();
      await eventually(
        () => {
          for (const delivery of received.splice(0)) {
            delivery.ack().then(
              () => acked.add(delivery.id),
              () => undefined, // held by the closed channel: it comes again
            );
          }
          return [...first, ...later].every((sent) => acked.has(sent.id));
        },
        10_000,
        "every message acked after the channel error",
      );
      stop.abort();
      await consuming;
      expect(consumerChannels.length).toBeGreaterThanOrEqual(2);
      expect(log.lines.some((line) => line.startsWith("warn AMQP consumer channel error"))).toBe(true);
    });

    it("recovers from a 406 on a delay-queue declaration, and the lease brings the message back", async () => {
      const queue = `res-${randomUUID().slice(0, 8)}`;
      const transport = open(queue, "consumer", { leaseMs: 1000 });
      await transport.connect();
      // Someone declared the 1 s delay bucket with other arguments: declaring ours fails with 406.
      const conflicting = `${queue}.delay.1000`;
      extraQueues.push(conflicting);
      const model = await rawConnection(broker.url);
      await (
        await model.createChannel()
      ).assertQueue(conflicting, { durable: true, arguments: { "x-message-ttl": 5 } });
      await model.close();

      await transport.send([message("retry me")]);
      const delivery = await receiveOne(transport, { timeoutMs: 5000 });
      const refused = await delivery.nack({ delayMs: 1000 }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TransportError);
      expect(refused).toMatchObject({ code: "TRANSPORT_REJECTED", retryable: false });

      // The channel error did not take the transport down: the lease runs out and the message comes back.
      const again = await receiveOne(transport, { timeoutMs: 5000 });
      expect(again.id).toBe(delivery.id);
      expect(again.attempt).toBe(2);
      await again.ack();
      const delayed = message("delayed", { delayMs: 500 });
      await transport.send([delayed]);
      expect((await transport.stats()).delayed).toBe(1);
      const arrived = await receiveOne(transport, { timeoutMs: 5000 });
      expect(arrived.id).toBe(delayed.id);
      await arrived.ack();
    });

    it("re-declares and resumes when the broker cancels the consumer (queue deleted)", async () => {
      const queue = `res-${randomUUID().slice(0, 8)}`;
      const log = recordingLogger();
      const transport = open(queue, "consumer", { logger: log });
      await transport.connect();
      const acked = new Set<string>();
      const stop = new AbortController();
      const consuming = (async () => {
        for await (const delivery of transport.receive({ signal: stop.signal })) {
          await delivery.ack();
          acked.add(delivery.id);
        }
      })();
      const before = message("before");
      await transport.send([before]);
      await eventually(() => acked.has(before.id), 5000, "the first message");

      const model = await rawConnection(broker.url);
      await (await model.createChannel()).deleteQueue(queue);
      await model.close();
      // Sent while the queue may be gone: returned as unroutable, re-declared, published again.
      const after = Array.from({ length: 10 }, (_, index) => message(`after ${index}`));
      await transport.send(after);
      await eventually(() => after.every((sent) => acked.has(sent.id)), 10_000, "messages sent after the deletion");
      stop.abort();
      await consuming;
      expect(log.lines).toContain("warn AMQP consumer cancelled by the broker; re-declaring");
    });
  });
});
