/** Concurrency, shutdown, multiplexed services, progress coalescing, the context and heartbeats. */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, Worker, type JobContext, type JobRecord } from "thrift-queue";
import { Thumbnails, type IThumbnailsHandler } from "../../../examples/quickstart/gen/jobs.ts";
import {
  Admin,
  Inventory,
  type IAdminHandler,
  type IInventoryHandler,
} from "../../golden/gen/everything/everything.ts";
import { Cleanup, RecordingStore, callMessage, openQueue, rawMessage, sleep, waitFor } from "./worker-test-support.ts";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const JOB = { imageId: "img-1", requestedAt: 1n };

function renderOnly(render: IThumbnailsHandler<JobContext>["render"]): IThumbnailsHandler<JobContext> {
  return { render, countRendered: () => 0 };
}

async function stateOf(store: RecordingStore, id: string, state: string): Promise<JobRecord> {
  let record: JobRecord | undefined;
  await waitFor(async () => (record = await store.get(id))?.state === state, 5_000, `job ${id} to be ${state}`);
  return record as JobRecord;
}

describe("concurrency", () => {
  it("never runs more than `concurrency` handlers at once", async () => {
    const transport = cleanup.add(openQueue());
    let running = 0;
    let most = 0;
    let done = 0;
    const worker = new Worker({ transport, concurrency: 3 }).handle(
      Thumbnails,
      renderOnly(async () => {
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
        done++;
      }),
    );
    cleanup.add(worker).start();
    await transport.send(
      Array.from({ length: 30 }, () => callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB })),
    );
    await waitFor(() => done === 30, 5_000, "all jobs");
    expect(most).toBe(3);
  });
});

describe("shutdown", () => {
  it("lets in-flight jobs finish within the grace period, then writes the stopped heartbeat", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    let started = false;
    const worker = new Worker({ transport, store, workerId: "w-1" }).handle(
      Thumbnails,
      renderOnly(async () => {
        started = true;
        await sleep(60);
      }),
    );
    worker.start();
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await waitFor(() => started, 2_000, "the handler");
    await worker.stop({ drainTimeoutMs: 2_000 });
    expect((await store.get(message.id))?.state).toBe("succeeded");
    expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
    const [record] = await store.workers();
    expect(record).toMatchObject({ workerId: "w-1", status: "stopped", processed: 1, failed: 0, inFlight: 0 });
    expect(record?.queues).toEqual([transport.queue]);
  });

  it("past the grace period aborts the signal and the job is redelivered to a new worker, nothing lost", async () => {
    const transport = openQueue();
    const store = new RecordingStore();
    const reasons: string[] = [];
    const first = new Worker({ transport, store }).handle(
      Thumbnails,
      renderOnly(
        (_args, context) =>
          new Promise<void>((_resolve, reject) =>
            context.signal.addEventListener("abort", () => {
              reasons.push((context.signal.reason as { code: string }).code);
              reject(context.signal.reason as Error);
            }),
          ),
      ),
    );
    first.start();
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await stateOf(store, message.id, "running");
    await first.stop({ drainTimeoutMs: 30 });
    expect(reasons).toEqual(["HANDLER_ABORTED"]);
    await sleep(10);
    // Not settled by the stopped worker: neither retried, failed nor dead-lettered.
    expect(store.history(message.id)).toEqual(["running@1"]);
    await transport.close({ drainTimeoutMs: 0 });
    const next = cleanup.add(openQueue({ queue: transport.queue }));
    let ran = 0;
    cleanup
      .add(
        new Worker({ transport: next, store }).handle(
          Thumbnails,
          renderOnly(() => void ran++),
        ),
      )
      .start();
    const record = await stateOf(store, message.id, "succeeded");
    expect(record.attempt).toBe(2);
    expect(ran).toBe(1);
    expect((await next.stats()).deadLettered).toBe(0);
  });
});

describe("several services on one queue", () => {
  function inventory(log: string[], name: string): IInventoryHandler<JobContext> & IAdminHandler<JobContext> {
    const record = (method: string) => () => void log.push(`${name}.${method}`);
    return {
      ping: () => "pong",
      version: () => 1n,
      get: () => ({}) as never,
      put: record("put"),
      touch: record("touch"),
      search: () => [],
      groups: () => new Map(),
      count: () => 0n as never,
      blob: () => new Uint8Array(),
      locate: () => ({}),
      nothing: record("nothing"),
      reset: record("reset"),
      shutdown: record("shutdown"),
    };
  }

  it("dispatches multiplexed names, and plain names when they are unambiguous", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const log: string[] = [];
    const worker = new Worker({ transport, store })
      .handle(
        Thumbnails,
        renderOnly(() => void log.push("Thumbnails.render")),
      )
      .handle(Inventory, inventory(log, "Inventory"));
    cleanup.add(worker).start();
    const messages = [
      callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB }),
      callMessage(Inventory, Inventory.methods.touch, { id: 1n }),
      callMessage(Inventory, Inventory.methods.put, {}, { multiplexed: false }),
    ];
    await transport.send(messages);
    const records = await Promise.all(messages.map((message) => stateOf(store, message.id, "succeeded")));
    expect(log.sort()).toEqual(["Inventory.put", "Inventory.touch", "Thumbnails.render"]);
    // A void two-way method records an empty result struct (just the stop byte).
    expect(records[2]?.result).toEqual(new Uint8Array([0]));
  });

  it("dead-letters a plain name two services share; the multiplexed one reaches its service", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const log: string[] = [];
    const worker = new Worker({ transport, store })
      .handle(Inventory, inventory(log, "Inventory"))
      .handle(Admin, inventory(log, "Admin"));
    cleanup.add(worker).start();
    const plain = callMessage(Inventory, Inventory.methods.put, {}, { multiplexed: false });
    const admin = callMessage(Admin, Admin.methods.put, {});
    await transport.send([plain, admin]);
    expect((await stateOf(store, plain.id, "dead")).error?.message).toContain("ambiguous");
    await stateOf(store, admin.id, "succeeded");
    expect(log).toEqual(["Admin.put"]);
  });

  it("keeps good messages flowing around malformed ones", async () => {
    const transport = cleanup.add(openQueue());
    let ran = 0;
    cleanup
      .add(
        new Worker({ transport }).handle(
          Thumbnails,
          renderOnly(() => void ran++),
        ),
      )
      .start();
    const messages = Array.from({ length: 9 }, (_, index) =>
      index % 3 === 1
        ? rawMessage(new Uint8Array([index, 0xff, 0x00]))
        : callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB }),
    );
    await transport.send(messages);
    await waitFor(async () => ran === 6 && (await transport.stats()).deadLettered === 3, 3_000, "all messages");
  });
});

describe("the job context", () => {
  it("is frozen and carries the job's facts and a tagged logger", async () => {
    const transport = cleanup.add(openQueue());
    const entries: object[] = [];
    const logger = {
      debug: () => undefined,
      info: (context: object) => void entries.push(context),
      warn: () => undefined,
      error: () => undefined,
    };
    let seen: JobContext | undefined;
    cleanup
      .add(
        new Worker({ transport, logger }).handle(
          Thumbnails,
          renderOnly((_args, context) => {
            seen = context;
            context.logger.info({ step: 1 }, "working");
          }),
        ),
      )
      .start();
    const message = callMessage(
      Thumbnails,
      Thumbnails.methods.render,
      { job: JOB },
      { metadata: { "x-tenant": "acme" } },
    );
    await transport.send([message]);
    await waitFor(() => seen !== undefined, 2_000, "the handler");
    expect(Object.isFrozen(seen)).toBe(true);
    expect(seen).toMatchObject({
      jobId: message.id,
      service: "Thumbnails",
      method: "render",
      attempt: 1,
      deadline: undefined,
    });
    expect(seen?.metadata["x-tenant"]).toBe("acme");
    expect(entries).toEqual([{ jobId: message.id, service: "Thumbnails", method: "render", attempt: 1, step: 1 }]);
    expect(() => seen?.progress(101)).toThrow(expect.objectContaining({ code: "HANDLER_INVALID_PROGRESS" }));
    expect(() => seen?.progress(Number.NaN)).toThrow(expect.objectContaining({ code: "HANDLER_INVALID_PROGRESS" }));
  });

  it("coalesces progress: many reports, few writes, the last value stored before the outcome", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const worker = new Worker({ transport, store, progressIntervalMs: 1_000 }).handle(
      Thumbnails,
      renderOnly(async (_args, context) => {
        for (let percent = 0; percent <= 100; percent++) context.progress(percent, `step ${percent}`);
        await sleep(20);
        context.progress(100, "done");
      }),
    );
    cleanup.add(worker).start();
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await stateOf(store, message.id, "succeeded");
    expect(store.progressWrites.length).toBeLessThanOrEqual(2);
    expect(store.progressWrites.at(-1)).toMatchObject({ percent: 100, message: "done" });
    expect(record).toMatchObject({ progress: 100, progressMessage: "done" });
  });
});

describe("registration", () => {
  it("refuses a service twice, a handler missing a method and starting without handlers", () => {
    const transport = openQueue();
    const worker = new Worker({ transport });
    expect(() => worker.start()).toThrow(ConfigError);
    worker.handle(
      Thumbnails,
      renderOnly(() => undefined),
    );
    expect(() =>
      worker.handle(
        Thumbnails,
        renderOnly(() => undefined),
      ),
    ).toThrow(/already registered/);
    const incomplete = { render: () => undefined } as unknown as IThumbnailsHandler<JobContext>;
    expect(() => new Worker({ transport }).handle(Thumbnails, incomplete)).toThrow(/countRendered/);
    expect(() => new Worker({ transport, concurrency: 0, leaseMs: -1 })).toThrow(/concurrency.*leaseMs/);
  });
});
