/**
 * Two-way results on real services: a producer (RabbitMQ, PostgreSQL store) awaits `result()` of calls that a
 * worker in another store connection runs: the typed value, a declared exception, and a job cancelled before a
 * worker ran it.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AmqpTransport,
  createProducer,
  DeclaredException,
  JobFailedError,
  openStatusStore,
  Worker,
  type JobContext,
} from "thrift-queue";
import {
  createThumbnailsClient,
  Thumbnails,
  UnreadableImage,
  type IThumbnailsHandler,
} from "../../examples/quickstart/gen/jobs.ts";
import { deleteQueues, findAmqpBroker, withAmqpBroker } from "./amqp-broker.ts";
import { postgresUnavailable, withPostgres } from "./postgres-server.ts";

const lookup = await findAmqpBroker();
const unavailable = await postgresUnavailable();

withAmqpBroker("two-way results over AMQP with the PostgreSQL store", lookup, (broker) => {
  withPostgres("two-way results over AMQP with the PostgreSQL store", unavailable, (schemas) => {
    describe("two-way results over AMQP with the PostgreSQL store", () => {
      it("resolves typed values and rejects declared exceptions and cancelled jobs", async () => {
        const queue = `tq-results-${randomUUID()}`;
        // One schema (each url() call makes a fresh one), two connections to it.
        const url = schemas.url();
        const producerStore = await openStatusStore(url);
        const workerStore = await openStatusStore(url);
        const producerTransport = new AmqpTransport({ url: broker.url, queue });
        const workerTransport = new AmqpTransport({ url: broker.url, queue });
        const handler: IThumbnailsHandler<JobContext> = {
          render: () => undefined,
          countRendered({ imageId = "" }) {
            if (imageId === "missing") throw new DeclaredException(UnreadableImage, { imageId, reason: "gone" });
            return imageId.length;
          },
        };
        const worker = new Worker({ transport: workerTransport, store: workerStore }).handle(Thumbnails, handler);
        const client = createThumbnailsClient(createProducer({ transport: producerTransport, store: producerStore }));
        const wait = { timeoutMs: 20_000, pollIntervalMs: 10, maxPollIntervalMs: 100 } as const;
        try {
          // Cancelled while still queued: no worker is running yet.
          const cancelled = await client.countRendered({ imageId: "never" });
          await producerStore.transition({ id: cancelled.jobId, to: "cancelled", attempt: 0, at: Date.now() });
          await expect(cancelled.result(wait)).rejects.toMatchObject({ code: "JOB_CANCELLED" });

          const counted = await client.countRendered({ imageId: "abcdef" });
          const declared = await client.countRendered({ imageId: "missing" });
          worker.start();
          const count: number = await counted.result(wait);
          expect(count).toBe(6);
          const error: unknown = await declared.result(wait).catch((caught: unknown) => caught);
          expect(error).not.toBeInstanceOf(JobFailedError);
          if (!DeclaredException.isDeclared(error, UnreadableImage)) throw new Error(`not declared: ${String(error)}`);
          expect(error.value).toEqual({ imageId: "missing", reason: "gone" });
        } finally {
          await worker.stop({ drainTimeoutMs: 2000 });
          const names = [...producerTransport.queueNames(), ...workerTransport.queueNames()];
          await Promise.all([producerTransport, workerTransport].map((t) => t.close({ drainTimeoutMs: 0 })));
          await Promise.all([producerStore, workerStore].map((store) => store.close()));
          await deleteQueues(broker.url, [...new Set(names)]);
        }
      }, 60_000);
    });
  });
});
