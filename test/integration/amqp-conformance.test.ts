/** The AMQP transport passes the transport conformance suite against a real RabbitMQ. */
import { afterAll } from "vitest";
import { AmqpTransport } from "thrift-queue";
import { runTransportConformance } from "../conformance/transport-conformance.ts";
import { deleteQueues, findAmqpBroker, rawConnection, withAmqpBroker } from "./amqp-broker.ts";

const lookup = await findAmqpBroker();

withAmqpBroker("transport conformance: amqp", lookup, (broker) => {
  const opened: AmqpTransport[] = [];

  afterAll(async () => {
    await Promise.allSettled(opened.map((transport) => transport.close({ drainTimeoutMs: 0 })));
    await deleteQueues(
      broker.url,
      opened.flatMap((transport) => transport.queueNames()),
    );
  });

  runTransportConformance("amqp", {
    async open(queue, options) {
      const transport = new AmqpTransport({
        url: broker.url,
        queue,
        ...options,
        connectionName: `thrift-queue conformance ${queue}`,
      });
      opened.push(transport);
      await transport.connect();
      return transport;
    },
    async injectMalformed(queue) {
      // A raw publish without a message_id: not an envelope.
      const model = await rawConnection(broker.url);
      try {
        const channel = await model.createConfirmChannel();
        channel.sendToQueue(queue, Buffer.from("not an envelope"), { persistent: true });
        await channel.waitForConfirms();
      } finally {
        await model.close();
      }
    },
    unitMs: 200,
  });
});
