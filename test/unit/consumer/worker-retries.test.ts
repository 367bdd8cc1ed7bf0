/** Rule 7: retries with backoff, dead-lettering after the last attempt, timeouts and deadlines while running. */
import { afterEach, describe, expect, it } from "vitest";
import {
  TimeoutError,
  type HandleOptions,
  Worker,
  type JobContext,
  type JobRecord,
  type Transport,
  type WorkerOptions,
} from "thrift-queue";
import { Thumbnails, type IThumbnailsHandler } from "../../../examples/quickstart/gen/jobs.ts";
import {
  Cleanup,
  ManualClock,
  RecordingStore,
  callMessage,
  deadLetterReasons,
  openQueue,
  sleep,
  waitFor,
} from "./worker-test-support.ts";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const JOB = { imageId: "img-1", requestedAt: 1n };

function renderOnly(render: IThumbnailsHandler<JobContext>["render"]): IThumbnailsHandler<JobContext> {
  return { render, countRendered: () => 0 };
}

function startWorker(
  options: Partial<WorkerOptions> & { transport: Transport },
  handler: IThumbnailsHandler<JobContext>,
  methods: HandleOptions<typeof Thumbnails.methods> = {},
): Worker {
  const worker = new Worker({ retry: { baseDelayMs: 5, maxDelayMs: 50 }, ...options });
  worker.handle(Thumbnails, handler, methods).start();
  return cleanup.add(worker);
}

async function settledRecord(store: RecordingStore, id: string, state: string): Promise<JobRecord> {
  let record: JobRecord | undefined;
  await waitFor(async () => (record = await store.get(id))?.state === state, 5_000, `job ${id} to be ${state}`);
  return record as JobRecord;
}

describe("retries", () => {
  it("fails twice then succeeds on attempt 3, through every state, with doubling backoff", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const startedAt: number[] = [];
    const retrying: number[] = [];
    const handler = renderOnly(() => {
      startedAt.push(Date.now());
      if (startedAt.length < 3) throw new Error(`failure ${startedAt.length}`);
    });
    const worker = startWorker(
      { transport, store, retry: { baseDelayMs: 40, maxDelayMs: 1_000, jitter: "full" }, random: () => 0.999_999 },
      handler,
    );
    worker.on("job:retrying", (event) => retrying.push(event.delayMs));
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await store.enqueued([{ id: message.id, service: "Thumbnails", method: "render", enqueuedAt: Date.now() }]);
    await transport.send([message]);
    const record = await settledRecord(store, message.id, "succeeded");
    expect(record.attempt).toBe(3);
    expect(record.error).toBeUndefined();
    expect(store.history(message.id)).toEqual([
      "running@1",
      "retrying@1",
      "running@2",
      "retrying@2",
      "running@3",
      "succeeded@3",
    ]);
    expect(retrying).toEqual([40, 80]);
    // Each attempt waited at least its backoff (the nack delay); never sooner.
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(38);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(78);
    expect(worker.stats).toMatchObject({ processed: 3, failed: 2 });
  });

  it("records the error of a retrying attempt", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    startWorker(
      { transport, store, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } },
      renderOnly(() => {
        throw new TypeError("bad input");
      }),
    );
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await settledRecord(store, message.id, "retrying");
    expect(record.error).toEqual({ type: "TypeError", message: "bad input" });
    expect((await transport.stats()).delayed).toBe(1);
  });

  it("dead-letters after the last attempt with the reason, and records dead", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    let calls = 0;
    const dead: string[] = [];
    const worker = startWorker(
      { transport, store, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } },
      renderOnly(() => {
        calls++;
        throw new Error("boom");
      }),
      { methods: { render: { maxAttempts: 3 } } },
    );
    worker.on("job:dead", (event) => dead.push(event.reason));
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await settledRecord(store, message.id, "dead");
    expect(record).toMatchObject({ attempt: 3, error: { type: "Error", message: "boom" } });
    expect(calls).toBe(3);
    expect(dead).toEqual(["exceeded 3 attempts; last error: Error: boom"]);
    expect(await deadLetterReasons(transport)).toEqual(["exceeded 3 attempts; last error: Error: boom"]);
  });

  it("takes maxAttempts from the IDL annotation (tq.maxAttempts = 5 on render)", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    let calls = 0;
    startWorker(
      { transport, store, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
      renderOnly(() => {
        calls++;
        throw new Error("no");
      }),
    );
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    expect((await settledRecord(store, message.id, "dead")).attempt).toBe(5);
    expect(calls).toBe(5);
  });
});

describe("timeouts", () => {
  it("fails a handler that runs past its timeout from code: the signal aborts, HANDLER_TIMEOUT is recorded", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const reasons: unknown[] = [];
    const handler = renderOnly(
      (_args, context) =>
        new Promise<void>((resolve) => {
          context.signal.addEventListener("abort", () => {
            reasons.push(context.signal.reason);
            resolve();
          });
        }),
    );
    startWorker({ transport, store }, handler, { methods: { render: { timeoutMs: 30, maxAttempts: 1 } } });
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await settledRecord(store, message.id, "dead");
    expect(record.error?.type).toBe("HANDLER_TIMEOUT");
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(TimeoutError);
    expect((reasons[0] as TimeoutError).code).toBe("HANDLER_TIMEOUT");
    expect((await deadLetterReasons(transport))[0]).toMatch(/HANDLER_TIMEOUT/);
  });

  it("never acks a handler that finishes after its timeout", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    let finished = 0;
    const handler = renderOnly(() => sleep(80).then(() => void finished++));
    startWorker({ transport, store, retry: { baseDelayMs: 1, maxDelayMs: 1 } }, handler, {
      methods: { render: { timeoutMs: 20, maxAttempts: 2 } },
    });
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await settledRecord(store, message.id, "dead");
    await waitFor(() => finished === 2, 2_000, "both late handlers");
    await sleep(20);
    expect(store.history(message.id)).toEqual(["running@1", "retrying@1", "running@2", "dead@2"]);
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 0, inFlight: 0, deadLettered: 1 });
  });

  it("takes the timeout from tq.timeoutSeconds (600 s on render), on the worker's clock", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const clock = new ManualClock();
    let context: JobContext | undefined;
    const handler = renderOnly((_args, jobContext) => {
      context = jobContext;
      return new Promise<void>(() => undefined);
    });
    startWorker({ transport, store, clock, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } }, handler);
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await waitFor(() => context !== undefined, 2_000, "the handler");
    clock.advance(599_999);
    await sleep(10);
    expect(context?.signal.aborted).toBe(false);
    expect((await store.get(message.id))?.state).toBe("running");
    clock.advance(1);
    const record = await settledRecord(store, message.id, "retrying");
    expect(record.error?.type).toBe("HANDLER_TIMEOUT");
    expect(context?.signal.aborted).toBe(true);
  });
});

describe("deadlines while running", () => {
  it("aborts the signal at the deadline and records dead with DEADLINE_EXCEEDED, without retrying", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    let calls = 0;
    let deadline: Date | undefined;
    const handler = renderOnly((_args, context) => {
      calls++;
      deadline = context.deadline;
      return new Promise<void>((_resolve, reject) =>
        context.signal.addEventListener("abort", () => reject(context.signal.reason as Error)),
      );
    });
    startWorker({ transport, store }, handler);
    const at = new Date(Date.now() + 80);
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB }, { deadline: at });
    await transport.send([message]);
    const record = await settledRecord(store, message.id, "dead");
    expect(record.error?.type).toBe("DEADLINE_EXCEEDED");
    expect(record.attempt).toBe(1);
    expect(calls).toBe(1);
    expect(deadline?.getTime()).toBe(at.getTime());
  });
});
