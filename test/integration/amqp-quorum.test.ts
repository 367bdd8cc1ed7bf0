/**
 * The AMQP transport on a quorum queue (`?type=quorum`), against a real RabbitMQ: retries through a delay queue,
 * redeliveries after lost connections counted from `x-delivery-count`, and a message that keeps losing its
 * consumer dead-lettered once it has had its attempts (crash-loop protection).
 */
import { randomUUID } from "node:crypto";
import type { ChannelModel } from "amqplib";
import { afterEach, describe, expect, it } from "vitest";
import { AmqpTransport, MetadataKey, type Delivery } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne, receiveUpTo } from "../conformance/receive-helpers.ts";
import { deleteQueues, findAmqpBroker, withAmqpBroker } from "./amqp-broker.ts";
import { closeConnections, recordingConnect } from "./amqp-chaos.ts";

const lookup = await findAmqpBroker();

withAmqpBroker("amqp quorum queues", lookup, (broker) => {
  const opened: AmqpTransport[] = [];

  afterEach(async () => {
    const transports = opened.splice(0);
    await Promise.allSettled(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
    await deleteQueues(
      broker.url,
      transports.flatMap((transport) => transport.queueNames()),
    );
  });

  describe("amqp quorum queues", () => {
    it("counts redeliveries after lost connections and dead-letters a crash loop", async () => {
      const queue = `quorum-${randomUUID().slice(0, 8)}`;
      const name = `thrift-queue quorum ${queue}`;
      const models: ChannelModel[] = [];
      const transport = new AmqpTransport({
        url: `${broker.url}?queue=${queue}&type=quorum`,
        maxAttempts: 3,
        connectionName: name,
        connect: recordingConnect([], models),
        reconnectInitialDelayMs: 50,
      });
      opened.push(transport);
      const sent = message("crashes its worker");
      await transport.send([sent]);

      const first = await receiveOne(transport, { timeoutMs: 5000 });
      expect(first.attempt).toBe(1);
      await first.nack({ delayMs: 300, reason: "try later" });
      const second = await receiveOne(transport, { timeoutMs: 5000 });
      expect(second.attempt).toBe(2);

      // The worker "crashes" holding the message: the broker requeues it and counts the redelivery.
      const loseConnection = async (held: Delivery): Promise<void> => {
        await closeConnections([name], models.splice(0));
        await expect(held.ack()).rejects.toMatchObject({ code: "TRANSPORT_LEASE_LOST" });
      };
      await loseConnection(second);
      const third = await receiveOne(transport, { timeoutMs: 10_000 });
      expect(third.id).toBe(sent.id);
      expect(third.attempt).toBe(3);
      await loseConnection(third);

      // A fourth delivery would exceed maxAttempts: the transport dead-letters it on receipt, never hands it out.
      expect(await receiveUpTo(transport, 1, { timeoutMs: 2000 })).toEqual([]);
      const dead = await receiveOne(transport, { timeoutMs: 10_000, deadLetters: true });
      expect(dead.id).toBe(sent.id);
      expect(dead.metadata[MetadataKey.deadLetterReason]).toMatch(/exceeded 3 attempts/);
      await dead.ack();
      const stats = await transport.stats();
      expect(stats).toMatchObject({ visible: 0, deadLettered: 0, oldestAgeMs: undefined });
    });
  });
});
