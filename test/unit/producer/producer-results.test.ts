/**
 * Two-way calls: the generated client's `result()` reads the job's outcome from the producer's status store and
 * resolves with the typed return value or rejects with the typed failure.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  createEncodingChannel,
  createProducer,
  DeclaredException,
  HandlerError,
  JobFailedError,
  MemoryStatusStore,
  MemoryTransport,
  StatusStoreError,
  TimeoutError,
  Worker,
  type JobRecord,
  type JobTransition,
} from "thrift-queue";
import {
  createThumbnailsClient,
  Thumbnails,
  Thumbnails_countRendered_result,
  UnreadableImage,
} from "../../../examples/quickstart/gen/jobs.ts";

let queues = 0;
const fast = { pollIntervalMs: 1, maxPollIntervalMs: 5 } as const;
const workers: Worker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ drainTimeoutMs: 100 })));
});

/** A producer over a fresh memory queue with a memory store, and its typed client. */
function setup() {
  const transport = new MemoryTransport({ queue: `results-${queues++}` });
  const store = new MemoryStatusStore();
  const client = createThumbnailsClient(createProducer({ transport, store }));
  return { transport, store, client };
}

/** What a worker writes for attempt 1 of `id`: running, then the given outcome. */
async function settle(store: MemoryStatusStore, id: string, outcome: Omit<JobTransition, "id" | "attempt" | "at">) {
  const at = Date.now();
  await store.transition({ id, to: "running", attempt: 1, at, workerId: "fake" });
  const { applied } = await store.transition({ id, attempt: 1, at, workerId: "fake", ...outcome });
  expect(applied).toBe(true);
}

describe("the result of a two-way call", () => {
  it("resolves with the typed return value a worker recorded", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-1" });
    expect(pending.jobId).toMatch(/^[0-9a-f-]{36}$/);
    const result = Thumbnails_countRendered_result.encode({ success: 7 });
    // The worker finishes after the caller started waiting: result() polls until the state is final.
    const waiting = pending.result(fast);
    setTimeout(() => void settle(store, pending.jobId, { to: "succeeded", result }), 10);
    await expect(waiting).resolves.toBe(7);
  });

  it("resolves with a success of 0 (not mistaken for a missing value)", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-0" });
    await settle(store, pending.jobId, {
      to: "succeeded",
      result: Thumbnails_countRendered_result.encode({ success: 0 }),
    });
    await expect(pending.result(fast)).resolves.toBe(0);
  });

  it("rejects with the declared exception, typed through is()", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-2" });
    await settle(store, pending.jobId, {
      to: "failed",
      error: { type: "jobs.UnreadableImage", message: "truncated" },
      result: Thumbnails_countRendered_result.encode({ unreadable: { imageId: "img-2", reason: "truncated" } }),
    });
    const error: unknown = await pending.result(fast).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeclaredException);
    expect(error).toBeInstanceOf(HandlerError);
    if (!(error instanceof DeclaredException) || !error.is(UnreadableImage)) throw new Error("not UnreadableImage");
    expect(error.codec).toBe(UnreadableImage);
    expect(error.value).toEqual({ imageId: "img-2", reason: "truncated" });
    expect(error.code).toBe("HANDLER_DECLARED_EXCEPTION");
  });

  it("rejects a dead job with JobFailedError carrying the recorded error", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-3" });
    await settle(store, pending.jobId, { to: "dead", error: { type: "TypeError", message: "boom" } });
    const error: unknown = await pending.result(fast).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({
      code: "JOB_DEAD",
      jobId: pending.jobId,
      jobError: { type: "TypeError", message: "boom" },
    });
    expect((error as Error).message).toContain("boom");
  });

  it("rejects a failed job without a declared exception, and a cancelled one", async () => {
    const { store, client } = setup();
    const failed = await client.countRendered({ imageId: "img-4" });
    await settle(store, failed.jobId, { to: "failed", error: { type: "Oops", message: "no result" } });
    await expect(failed.result(fast)).rejects.toMatchObject({ code: "JOB_FAILED", jobError: { type: "Oops" } });

    const cancelled = await client.countRendered({ imageId: "img-5" });
    await store.transition({ id: cancelled.jobId, to: "cancelled", attempt: 0, at: Date.now() });
    await expect(cancelled.result(fast)).rejects.toMatchObject({ code: "JOB_CANCELLED", jobId: cancelled.jobId });
  });

  it("rejects unreadable result bytes with a CodecError, never a crash", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-6" });
    await settle(store, pending.jobId, { to: "succeeded", result: Uint8Array.of(8, 0, 0, 0) });
    await expect(pending.result(fast)).rejects.toMatchObject({ name: "CodecError" });
  });

  it("rejects a success recorded without its value", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-7" });
    await settle(store, pending.jobId, { to: "succeeded" });
    await expect(pending.result(fast)).rejects.toMatchObject({ code: "JOB_RESULT_MISSING" });
  });

  it("times out with a TimeoutError while the job is not final", async () => {
    const { store, client } = setup();
    const pending = await client.countRendered({ imageId: "img-8" });
    await store.transition({ id: pending.jobId, to: "running", attempt: 1, at: Date.now() });
    const error: unknown = await pending.result({ ...fast, timeoutMs: 20 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "RESULT_TIMEOUT" });
    expect((error as Error).message).toContain("still running");
  });

  it("stops waiting when the signal aborts, with its reason", async () => {
    const { client } = setup();
    const pending = await client.countRendered({ imageId: "img-9" });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const waiting = pending.result({ ...fast, pollIntervalMs: 50, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 5);
    await expect(waiting).rejects.toBe(reason);
  });

  it("waits for a record the store does not have yet, and through retryable store errors", async () => {
    const store = new FlakyStore();
    const transport = new MemoryTransport({ queue: `results-${queues++}` });
    const client = createThumbnailsClient(createProducer({ transport, store, onStatusError: () => undefined }));
    store.failEnqueued = true;
    const pending = await client.countRendered({ imageId: "img-10" });
    expect(await store.get(pending.jobId)).toBeUndefined();
    store.unavailableReads = 3;
    const waiting = pending.result(fast);
    // The worker's create-if-absent makes the record.
    const create = { service: "Thumbnails", method: "countRendered" };
    await store.transition({ id: pending.jobId, to: "running", attempt: 1, at: Date.now(), create });
    await store.transition({
      id: pending.jobId,
      to: "succeeded",
      attempt: 1,
      at: Date.now(),
      result: Thumbnails_countRendered_result.encode({ success: 3 }),
    });
    await expect(waiting).resolves.toBe(3);
    expect(store.unavailableReads).toBe(0);
  });

  it("rejects a store error that is not retryable", async () => {
    const store = new FlakyStore();
    const client = createThumbnailsClient(
      createProducer({ transport: new MemoryTransport({ queue: `results-${queues++}` }), store }),
    );
    const pending = await client.countRendered({ imageId: "img-11" });
    await store.close();
    await expect(pending.result(fast)).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });

  it("rejects bad wait options with a ConfigError", async () => {
    const { client } = setup();
    const pending = await client.countRendered({ imageId: "img-12" });
    await expect(pending.result({ pollIntervalMs: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(pending.result({ timeoutMs: Number.NaN })).rejects.toBeInstanceOf(ConfigError);
  });

  it("rejects with a ConfigError on a producer without a store and on the encoding channel", async () => {
    const producer = createProducer({ transport: new MemoryTransport({ queue: `results-${queues++}` }) });
    expect("awaitResult" in producer).toBe(false);
    const viaProducer = await createThumbnailsClient(producer).countRendered({ imageId: "x" });
    await expect(viaProducer.result()).rejects.toThrow(ConfigError);
    await expect(viaProducer.result()).rejects.toThrow(/status store/);

    const encoded = await createThumbnailsClient(createEncodingChannel()).countRendered({ imageId: "x" });
    expect(encoded.bytes).toBeInstanceOf(Uint8Array);
    await expect(encoded.result()).rejects.toThrow(ConfigError);
  });

  it("keeps oneway calls returning a plain receipt", async () => {
    const { client } = setup();
    const receipt = await client.render({ job: { imageId: "a", requestedAt: 1n } });
    expect(Object.keys(receipt).sort()).toEqual(["enqueuedAt", "jobId", "queue"]);
  });

  it("round-trips through a real worker: a value, then a declared exception", async () => {
    const { transport, store, client } = setup();
    const worker = new Worker({ transport, store }).handle(Thumbnails, {
      render: () => undefined,
      countRendered: ({ imageId }) => {
        if (imageId === "bad") throw new DeclaredException(UnreadableImage, { imageId, reason: "corrupt" });
        return imageId?.length ?? 0;
      },
    });
    workers.push(worker);
    worker.start();
    const good = await client.countRendered({ imageId: "four" });
    await expect(good.result({ ...fast, timeoutMs: 5_000 })).resolves.toBe(4);
    const bad = await client.countRendered({ imageId: "bad" });
    const error: unknown = await bad.result({ ...fast, timeoutMs: 5_000 }).catch((caught: unknown) => caught);
    expect(DeclaredException.isDeclared(error, UnreadableImage) && error.value.reason).toBe("corrupt");
  });
});

/** A memory store whose `enqueued` can fail and whose reads can be unavailable a few times. */
class FlakyStore extends MemoryStatusStore {
  failEnqueued = false;
  unavailableReads = 0;
  override enqueued(jobs: Parameters<MemoryStatusStore["enqueued"]>[0]): Promise<number> {
    if (this.failEnqueued) return Promise.reject(new StatusStoreError("STORE_UNAVAILABLE", "down"));
    return super.enqueued(jobs);
  }
  override get(id: string): Promise<JobRecord | undefined> {
    if (this.unavailableReads > 0) {
      this.unavailableReads--;
      return Promise.reject(new StatusStoreError("STORE_UNAVAILABLE", "down", { retryable: true }));
    }
    return super.get(id);
  }
}
