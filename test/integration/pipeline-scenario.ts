/**
 * One pipeline scenario, run over several transport and store pairs: typed calls through a producer that records
 * `queued`, run by two workers that share the store through clients of their own, with a job that fails once, a
 * two-way call with a result and one that raises a declared exception. Every job must end in its final state
 * exactly once, with its progress and encoded result, and both workers' heartbeats must be there.
 */
import { expect } from "vitest";
import {
  createProducer,
  DeclaredException,
  Worker,
  type JobContext,
  type StatusStore,
  type Transport,
} from "thrift-queue";
import {
  createThumbnailsClient,
  Thumbnails,
  UnreadableImage,
  type IThumbnailsHandler,
} from "../../examples/quickstart/gen/jobs.ts";

/** Three clients of one queue and three of one store: the producer's, then each worker's. */
export interface PipelineSetup {
  readonly transports: readonly [Transport, Transport, Transport];
  readonly stores: readonly [StatusStore, StatusStore, StatusStore];
  /** How many plain render jobs besides the flaky one. @defaultValue 30 */
  readonly renders?: number;
}

/** Runs the scenario and asserts its outcome; the caller closes transports and stores. */
export async function runPipelineScenario(setup: PipelineSetup): Promise<void> {
  const { transports, stores } = setup;
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
      transport: transports[i as 1 | 2],
      store: stores[i as 1 | 2],
      concurrency: 8,
      workerId: `worker-${i}`,
      retry: { baseDelayMs: 50, maxDelayMs: 100 },
    }).handle(Thumbnails, handler),
  );
  try {
    const store = stores[0];
    const client = createThumbnailsClient(createProducer({ transport: transports[0], store }));
    const ids = ["flaky", ...Array.from({ length: setup.renders ?? 30 }, (_, i) => `img-${i}`)];
    const receipts = await Promise.all(ids.map((imageId) => client.render({ job: { imageId, requestedAt: 1n } })));
    const counted = await client.countRendered({ imageId: "abcd" });
    const declared = await client.countRendered({ imageId: "missing" });
    expect((await store.get(receipts[0]!.jobId))?.state).toBe("queued");
    for (const worker of workers) worker.start();

    await expect(counted.result({ timeoutMs: 20_000 })).resolves.toBe(4);
    await expect(declared.result({ timeoutMs: 20_000 })).rejects.toSatisfy(
      (error: unknown) => error instanceof DeclaredException && error.is(UnreadableImage),
    );
    const allIds = receipts.map((receipt) => receipt.jobId);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const records = await Promise.all(allIds.map((id) => store.get(id)));
      if (records.every((record) => record?.state === "succeeded")) break;
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
    const succeeded = ids.length + 1;
    expect(await store.counts()).toMatchObject({ succeeded, failed: 1, queued: 0, running: 0, retrying: 0 });
    expect((await store.list({ service: "Thumbnails", method: "countRendered" })).jobs).toHaveLength(2);
    expect((await transports[0].stats()).visible).toBe(0);
    const workerIds = (await store.workers()).map((record) => record.workerId).sort();
    expect(workerIds).toEqual(["worker-1", "worker-2"]);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop({ drainTimeoutMs: 2000 })));
  }
}
