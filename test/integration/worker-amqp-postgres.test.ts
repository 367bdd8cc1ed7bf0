/**
 * The pipeline scenario (pipeline-scenario.ts) on real services: RabbitMQ with the PostgreSQL store, two workers
 * with their own connections and pools.
 */
import { randomUUID } from "node:crypto";
import { describe, it } from "vitest";
import { AmqpTransport, openStatusStore } from "thrift-queue";
import { deleteQueues, findAmqpBroker, withAmqpBroker } from "./amqp-broker.ts";
import { runPipelineScenario } from "./pipeline-scenario.ts";
import { postgresUnavailable, withPostgres } from "./postgres-server.ts";

const lookup = await findAmqpBroker();
const unavailable = await postgresUnavailable();

withAmqpBroker("worker over AMQP with the PostgreSQL store", lookup, (broker) => {
  withPostgres("worker over AMQP with the PostgreSQL store", unavailable, (schemas) => {
    describe("worker over AMQP with the PostgreSQL store", () => {
      it("runs every job to its final state once, retrying failures and recording declared exceptions", async () => {
        const queue = `tq-worker-${randomUUID()}`;
        const url = schemas.url();
        const stores = [await openStatusStore(url), await openStatusStore(url), await openStatusStore(url)] as const;
        const transports = [0, 1, 2].map(() => new AmqpTransport({ url: broker.url, queue, maxAttempts: 5 }));
        try {
          await runPipelineScenario({
            transports: [transports[0]!, transports[1]!, transports[2]!],
            stores,
            renders: 40,
          });
        } finally {
          const names = transports[0]!.queueNames();
          await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
          await Promise.all(stores.map((store) => store.close()));
          await deleteQueues(broker.url, names);
        }
      }, 60_000);
    });
  });
});
