/**
 * The pipeline with the DynamoDB store (on dynalite): typed calls through a producer that records `queued`, over
 * the memory transport, run by two workers that each have their own client of the same table, with a job that
 * fails once and one that raises a declared exception. Every job ends in its final state exactly once, with its
 * progress and encoded result, and both workers' heartbeats are there.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  createProducer,
  DeclaredException,
  DynamoDbStatusStore,
  MemoryTransport,
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
import { startDynalite } from "./dynalite-server.ts";

const emulator = await startDynalite();
afterAll(() => emulator.close());

describe("worker with the DynamoDB store", () => {
  it("runs every job to its final state once, retrying failures and recording declared exceptions", async () => {
    const url = `dynamodb://${emulator.freshTable()}?region=us-east-1&endpoint=${emulator.endpoint}`;
    const stores: StatusStore[] = [
      await DynamoDbStatusStore.open(`${url}&create=true`),
      await DynamoDbStatusStore.open(url),
      await DynamoDbStatusStore.open(url),
    ];
    const queue = `tq-dynamodb-${randomUUID()}`;
    const transports = [0, 1, 2].map(() => new MemoryTransport({ queue, maxAttempts: 5 }));
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
      const ids = ["flaky", ...Array.from({ length: 30 }, (_, i) => `img-${i}`)];
      const receipts = await Promise.all(ids.map((imageId) => client.render({ job: { imageId, requestedAt: 1n } })));
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
      expect(await store.counts()).toMatchObject({ succeeded: 32, failed: 1, queued: 0, running: 0, retrying: 0 });
      expect((await store.list({ service: "Thumbnails", method: "countRendered" })).jobs).toHaveLength(2);
      const workerIds = (await store.workers()).map((record) => record.workerId).sort();
      expect(workerIds).toEqual(["worker-1", "worker-2"]);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop({ drainTimeoutMs: 2000 })));
      await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);
});
