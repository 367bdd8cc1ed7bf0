/**
 * Classic queues declared as version 2 (`x-queue-version`), and queues that already exist with another version
 * (an older thrift-queue declared them without one, or an operator chose version 1): the transport keeps them as
 * they are and works, instead of failing on the broker's PRECONDITION_FAILED.
 */
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { AmqpTransport, type OutgoingMessage } from "thrift-queue";
import { receiveUpTo } from "../conformance/receive-helpers.ts";
import { cleanUpAfterAll, findAmqpBroker, rawConnection, withAmqpBroker } from "./amqp-broker.ts";

const lookup = await findAmqpBroker();

withAmqpBroker("AMQP classic queue versions", lookup, (broker) => {
  const { queues, transports } = cleanUpAfterAll(broker, [".dead", ".delay.100"]);

  function newQueue(): string {
    const queue = `tq-version-${randomUUID()}`;
    queues.push(queue);
    return queue;
  }

  function transportOf(queue: string): AmqpTransport {
    const transport = new AmqpTransport({ url: broker.url, queue, leaseMs: 10_000 });
    transports.push(transport);
    return transport;
  }

  function message(text: string, delayMs?: number): OutgoingMessage {
    const payload = new TextEncoder().encode(text);
    return { id: randomUUID(), metadata: {}, payload, ...(delayMs === undefined ? {} : { delayMs }) };
  }

  /** Declares `queue` (and its dead-letter queue) as an older thrift-queue did, with `version` if given. */
  async function declareBefore(queue: string, version?: 1 | 2): Promise<void> {
    const model = await rawConnection(broker.url);
    try {
      const channel = await model.createChannel();
      const typed = { "x-queue-type": "classic", ...(version === undefined ? {} : { "x-queue-version": version }) };
      await channel.assertQueue(`${queue}.dead`, { durable: true, arguments: typed });
      const toDead = { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": `${queue}.dead` };
      await channel.assertQueue(queue, { durable: true, arguments: { ...typed, ...toDead } });
    } finally {
      await model.close();
    }
  }

  /** Whether a declaration with `version` is accepted for `queue`, i.e. the queue has that version. */
  async function hasVersion(queue: string, version: 1 | 2): Promise<boolean> {
    const model = await rawConnection(broker.url);
    try {
      const channel = await model.createChannel();
      channel.on("error", () => undefined);
      const toDead = { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": `${queue}.dead` };
      const args = { "x-queue-type": "classic", "x-queue-version": version, ...toDead };
      return await channel.assertQueue(queue, { durable: true, arguments: args }).then(
        () => true,
        () => false,
      );
    } finally {
      await model.close().catch(() => undefined);
    }
  }

  async function roundTrip(transport: AmqpTransport): Promise<void> {
    await transport.send([message("now"), message("later", 50)]);
    const deliveries = await receiveUpTo(transport, 2, { timeoutMs: 5000, maxInFlight: 2 });
    expect(deliveries.map((delivery) => new TextDecoder().decode(delivery.payload)).sort()).toEqual(["later", "now"]);
    await Promise.all(deliveries.map((delivery) => delivery.ack()));
  }

  it("declares new classic queues as version 2", async () => {
    const queue = newQueue();
    const transport = transportOf(queue);
    await transport.admin.create();
    await roundTrip(transport);
    expect(await hasVersion(queue, 2)).toBe(true);
  });

  it("uses a queue an older thrift-queue declared without a version, as it is", async () => {
    const queue = newQueue();
    await declareBefore(queue);
    const transport = transportOf(queue);
    await transport.admin.create();
    await roundTrip(transport);
    expect(await hasVersion(queue, 2)).toBe(false);
  });

  it("uses a queue declared explicitly as version 1, as it is", async () => {
    const queue = newQueue();
    await declareBefore(queue, 1);
    const transport = transportOf(queue);
    await transport.admin.create();
    await roundTrip(transport);
    expect(await hasVersion(queue, 1)).toBe(true);
  });
});
