/**
 * The pipeline on real services: typed calls through a producer that records `queued` in PostgreSQL, over
 * RabbitMQ, run by two workers sharing the PostgreSQL store, with a job that fails once and one that raises a
 * declared exception. Every job ends in its final state exactly once, and the worker heartbeats are there.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AmqpTransport,
  createProducer,
  DeclaredException,
  openStatusStore,
  Worker,
  type JobContext,
  type StatusStore,
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

withAmqpBroker("worker over AMQP with the PostgreSQL store", lookup, (broker) => {
  withPostgres("worker over AMQP with the PostgreSQL store", unavailable, (schemas) => {
    describe("worker over AMQP with the PostgreSQL store", () => {
      it("runs every job to its final state once, retrying failures and recording declared exceptions", async () => {
        const queue = `tq-worker-${randomUUID()}`;
        const url = schemas.url();
        const stores: StatusStore[] = [
          await openStatusStore(url),
          await openStatusStore(url),
          await openStatusStore(url),
        ];
        const transports = [0, 1, 2].map(() => new AmqpTransport({ url: broker.url, queue, maxAttempts: 5 }));
        const runs = new Map<string, number>();
        const handler: IThumbnailsHandler<JobContext> = {
          render({ job }, context) {
            const imageId = job?.imageId ?? "";
            runs.set(imageId, (runs.get(imageId) ?? 0) + 1);
            context.progress(50, "half way");
            if (imageId === "flaky" && context.attempt === 1) throw new Error("transient");
          },
          countRendered({ imageId = "" }) {
            if (imageId === "missing") throw new DeclaredException(UnreadableImage, { imageId, reason: "gone" });
            return imageId.length;
          },
        };
        const workers = [1, 2].map((i) =>
          new Worker({
            transport: transports[i]!,
            store: stores[i]!,
            concurrency: 8,
            workerId: `worker-${i}`,
            retry: { baseDelayMs: 50, maxDelayMs: 100 },
          }).handle(Thumbnails, handler),
        );
        try {
          const client = createThumbnailsClient(createProducer({ transport: transports[0]!, store: stores[0]! }));
          const ids = ["flaky", ...Array.from({ length: 40 }, (_, i) => `img-${i}`)];
          const receipts = await Promise.all(
            ids.map((imageId) => client.render({ job: { imageId, requestedAt: 1n } })),
          );
          const counted = await client.countRendered({ imageId: "abcd" });
          const declared = await client.countRendered({ imageId: "missing" });
          const store = stores[0]!;
          expect((await store.get(receipts[0]!.jobId))?.state).toBe("queued");
          for (const worker of workers) worker.start();

          const allIds = [...receipts, counted, declared].map((receipt) => receipt.jobId);
          const deadline = Date.now() + 20_000;
          while (Date.now() < deadline) {
            const records = await Promise.all(allIds.map((id) => store.get(id)));
            if (records.every((record) => record?.state === "succeeded" || record?.state === "failed")) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const flaky = await store.get(receipts[0]!.jobId);
          expect(flaky).toMatchObject({ state: "succeeded", attempt: 2, service: "Thumbnails", method: "render" });
          expect(flaky?.error).toBeUndefined();
          expect(flaky?.progress).toBe(50);
          for (const receipt of receipts) expect((await store.get(receipt.jobId))?.state).toBe("succeeded");
          for (const id of ids) expect(runs.get(id), id).toBe(id === "flaky" ? 2 : 1);

          const success = await store.get(counted.jobId);
          expect(success?.state).toBe("succeeded");
          expect(Thumbnails.methods.countRendered.result!.decode(success!.result!)).toMatchObject({ success: 4 });
          const failure = await store.get(declared.jobId);
          expect(failure).toMatchObject({ state: "failed", error: { type: "jobs.UnreadableImage" } });
          expect(Thumbnails.methods.countRendered.result!.decode(failure!.result!).unreadable).toEqual({
            imageId: "missing",
            reason: "gone",
          });
          expect(await store.counts()).toMatchObject({ succeeded: 42, failed: 1, queued: 0, running: 0, retrying: 0 });
          expect((await transports[0]!.stats()).visible).toBe(0);
          const workerIds = (await store.workers()).map((record) => record.workerId).sort();
          expect(workerIds).toEqual(["worker-1", "worker-2"]);
        } finally {
          await Promise.all(workers.map((worker) => worker.stop({ drainTimeoutMs: 2000 })));
          const names = transports[0]!.queueNames();
          await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
          await Promise.all(stores.map((store) => store.close()));
          await deleteQueues(broker.url, names);
        }
      }, 60_000);
    });
  });
});
