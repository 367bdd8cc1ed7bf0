/** The ack rules of docs/workers.md, one by one, against the memory transport and the memory status store. */
import { afterEach, describe, expect, it } from "vitest";
import {
  ContentType,
  DeclaredException,
  MetadataKey,
  TransportError,
  Worker,
  type Delivery,
  type JobContext,
  type JobRecord,
  type Transport,
  type WorkerOptions,
} from "thrift-queue";
import {
  Thumbnails,
  Thumbnails_countRendered_result,
  UnreadableImage,
  type IThumbnailsHandler,
} from "../../../examples/quickstart/gen/jobs.ts";
import {
  Cleanup,
  RecordingStore,
  callMessage,
  deadLetterReasons,
  openQueue,
  rawMessage,
  sleep,
  waitFor,
} from "./worker-test-support.ts";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const JOB = { imageId: "img-1", requestedAt: 1n };

/** A Thumbnails handler that counts its calls; `countRendered` answers 7 unless overridden. */
function thumbnails(overrides: Partial<IThumbnailsHandler<JobContext>> = {}): IThumbnailsHandler<JobContext> & {
  calls: number;
} {
  const handler = {
    calls: 0,
    render(): void {
      handler.calls++;
    },
    countRendered(): number {
      handler.calls++;
      return 7;
    },
    ...overrides,
  };
  return handler;
}

function startWorker(
  options: Partial<WorkerOptions> & { transport: Transport },
  handler: IThumbnailsHandler<JobContext>,
) {
  const worker = new Worker({ retry: { baseDelayMs: 5, maxDelayMs: 20 }, heartbeatIntervalMs: 50, ...options });
  worker.handle(Thumbnails, handler);
  worker.start();
  return cleanup.add(worker);
}

async function finalRecord(store: RecordingStore, id: string): Promise<JobRecord> {
  let record: JobRecord | undefined;
  await waitFor(
    async () => {
      record = await store.get(id);
      return record !== undefined && ["succeeded", "failed", "dead", "cancelled"].includes(record.state);
    },
    5_000,
    `job ${id} to finish`,
  );
  return record as JobRecord;
}

describe("rule 1: decoding by content type", () => {
  it.each(["binary", "compact"] as const)(
    "runs a %s call and records succeeded with the encoded result",
    async (protocol) => {
      const transport = cleanup.add(openQueue());
      const store = new RecordingStore();
      const handler = thumbnails();
      startWorker({ transport, store }, handler);
      const message = callMessage(Thumbnails, Thumbnails.methods.countRendered, { imageId: "a" }, { protocol });
      await transport.send([message]);
      const record = await finalRecord(store, message.id);
      expect(record.state).toBe("succeeded");
      expect(record.attempt).toBe(1);
      expect(record.service).toBe("Thumbnails");
      expect(record.method).toBe("countRendered");
      expect(record.queue).toBe(transport.queue);
      expect(record.enqueuedAt).toBe(Date.parse(message.metadata[MetadataKey.enqueuedAt] ?? ""));
      expect(Thumbnails_countRendered_result.decode(record.result ?? new Uint8Array(), "binary")).toEqual({
        success: 7,
        unreadable: undefined,
      });
      await waitFor(async () => (await transport.stats()).inFlight === 0, 2_000, "the ack");
      expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
      expect(handler.calls).toBe(1);
    },
  );

  it("records no result for a oneway method", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    startWorker({ transport, store }, thumbnails());
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await finalRecord(store, message.id);
    expect(record.state).toBe("succeeded");
    expect(record.result).toBeUndefined();
  });

  it("dead-letters undecodable payloads, unknown content types and unknown methods, and records them dead", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const handler = thumbnails();
    const dead: string[] = [];
    const worker = startWorker({ transport, store }, handler);
    worker.on("job:dead", (event) => dead.push(event.error.type));
    const garbage = rawMessage(new Uint8Array([0x80, 0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff]));
    const wrongType = {
      ...callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB }),
      metadata: { [MetadataKey.contentType]: "application/json" },
    };
    const unknown = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    const renamed = { ...unknown, payload: renameMethod(unknown.payload, "Thumbnails:render", "Thumbnails:resize") };
    await transport.send([garbage, wrongType, renamed]);
    const records = await Promise.all([garbage, wrongType, renamed].map((message) => finalRecord(store, message.id)));
    expect(records.map((record) => record.state)).toEqual(["dead", "dead", "dead"]);
    for (const record of records) expect(record.error?.type).toMatch(/^CODEC_/);
    expect(records[1]?.error?.message).toContain("application/json");
    expect(records[2]?.error?.message).toContain("Thumbnails:resize");
    expect(records[2]).toMatchObject({ service: "Thumbnails", method: "resize" });
    expect(handler.calls).toBe(0);
    const reasons = await deadLetterReasons(transport);
    expect(reasons).toHaveLength(3);
    for (const reason of reasons) expect(reason).toMatch(/^CODEC_[A-Z_]+: /);
    expect(dead).toHaveLength(3);
  });

  it("dead-letters undecodable payloads without a store", async () => {
    const transport = cleanup.add(openQueue());
    startWorker({ transport }, thumbnails());
    await transport.send([rawMessage(new TextEncoder().encode("not thrift"))]);
    await waitFor(async () => (await transport.stats()).deadLettered === 1, 2_000, "the dead letter");
  });
});

describe("rule 2: a deadline already past", () => {
  it("records dead with DEADLINE_EXCEEDED and dead-letters without running the handler", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const handler = thumbnails();
    startWorker({ transport, store }, handler);
    const message = callMessage(
      Thumbnails,
      Thumbnails.methods.render,
      { job: JOB },
      { deadline: new Date(Date.now() - 1) },
    );
    await transport.send([message]);
    const record = await finalRecord(store, message.id);
    expect(record.state).toBe("dead");
    expect(record.error?.type).toBe("DEADLINE_EXCEEDED");
    expect(handler.calls).toBe(0);
    expect((await deadLetterReasons(transport))[0]).toMatch(/^DEADLINE_EXCEEDED: /);
  });
});

describe("rule 3: running, duplicates and a store that fails", () => {
  it("acks a job already succeeded in the store without calling the handler", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    const create = { service: "Thumbnails", method: "render" };
    await store.transition({ id: message.id, to: "running", attempt: 1, at: 1, create });
    await store.transition({ id: message.id, to: "succeeded", attempt: 1, at: 2 });
    const handler = thumbnails();
    const duplicates: string[] = [];
    const worker = startWorker({ transport, store }, handler);
    worker.on("job:duplicate", (event) => duplicates.push(`${event.jobId}:${event.record.state}`));
    await transport.send([message]);
    await waitFor(() => duplicates.length === 1, 2_000, "the duplicate event");
    await waitFor(async () => (await transport.stats()).inFlight === 0, 2_000, "the ack");
    expect(duplicates).toEqual([`${message.id}:succeeded`]);
    expect(handler.calls).toBe(0);
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 0, inFlight: 0, deadLettered: 0 });
  });

  it("gives a job another delivery runs back for about a lease, without running it", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await store.transition({
      id: message.id,
      to: "running",
      attempt: 3,
      at: 1,
      workerId: "other",
      create: { service: "Thumbnails", method: "render" },
    });
    const handler = thumbnails();
    startWorker({ transport, store, leaseMs: 10_000 }, handler);
    await transport.send([message]);
    await waitFor(async () => (await transport.stats()).delayed === 1, 2_000, "the message given back");
    expect(handler.calls).toBe(0);
    expect((await store.get(message.id))?.workerId).toBe("other");
  });

  it("never runs a job whose running status cannot be written; runs it once the store is back", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    store.failing.add("running");
    const handler = thumbnails();
    const errors: string[] = [];
    const worker = startWorker(
      { transport, store, statusWriteRetry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
      handler,
    );
    worker.on("error", (event) => errors.push(event.error.message));
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await waitFor(() => errors.length >= 2, 2_000, "two refused attempts");
    expect(handler.calls).toBe(0);
    store.failing.delete("running");
    expect((await finalRecord(store, message.id)).state).toBe("succeeded");
    expect(handler.calls).toBe(1);
  });
});

describe("rule 4: leases", () => {
  it("extends the lease of a job longer than the lease, so it is not delivered again while it runs", async () => {
    const transport = cleanup.add(openQueue({ leaseMs: 60 }));
    const store = new RecordingStore();
    const handler = thumbnails({ render: () => sleep(300).then(() => void handler.calls++) });
    startWorker({ transport, store, leaseMs: 60, concurrency: 4 }, handler);
    // A second consumer of the same queue would take the message if its lease ran out.
    const other = cleanup.add(openQueue({ queue: transport.queue, leaseMs: 60 }));
    const otherHandler = thumbnails();
    startWorker({ transport: other, store, leaseMs: 60 }, otherHandler);
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    const record = await finalRecord(store, message.id);
    expect(record).toMatchObject({ state: "succeeded", attempt: 1 });
    expect(handler.calls + otherHandler.calls).toBe(1);
    expect(store.history(message.id)).toEqual(["running@1", "succeeded@1"]);
  });
});

describe("rule 5: the ack follows the recorded outcome", () => {
  it("never acks while the succeeded status cannot be written: the job is given back and runs again", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    store.failing.add("succeeded");
    const handler = thumbnails();
    const worker = startWorker(
      { transport, store, statusWriteRetry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
      handler,
    );
    const errors: string[] = [];
    worker.on("error", (event) => errors.push(event.error.message));
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await waitFor(() => handler.calls >= 2, 3_000, "a second run");
    expect((await store.get(message.id))?.state).toBe("running");
    store.failing.delete("succeeded");
    const record = await finalRecord(store, message.id);
    expect(record.state).toBe("succeeded");
    expect(record.attempt).toBeGreaterThanOrEqual(2);
    expect(errors.some((text) => text.includes("store down for succeeded"))).toBe(true);
    await waitFor(async () => (await transport.stats()).inFlight === 0, 2_000, "the ack");
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 0, deadLettered: 0 });
  });
});

describe("rule 6: declared exceptions", () => {
  it("records failed with the exception in the result, acks and does not retry", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const handler = thumbnails({
      countRendered: () => {
        handler.calls++;
        throw new DeclaredException(UnreadableImage, { imageId: "a", reason: "truncated" });
      },
    });
    const failed: string[] = [];
    startWorker({ transport, store }, handler).on("job:failed", (event) => failed.push(event.error.type));
    const message = callMessage(Thumbnails, Thumbnails.methods.countRendered, { imageId: "a" });
    await transport.send([message]);
    const record = await finalRecord(store, message.id);
    expect(record.state).toBe("failed");
    expect(record.error).toEqual({ type: "jobs.UnreadableImage", message: "jobs.UnreadableImage: truncated" });
    expect(Thumbnails_countRendered_result.decode(record.result ?? new Uint8Array())).toEqual({
      success: undefined,
      unreadable: { imageId: "a", reason: "truncated" },
    });
    expect(handler.calls).toBe(1);
    expect(failed).toEqual(["jobs.UnreadableImage"]);
    await waitFor(async () => (await transport.stats()).inFlight === 0, 2_000, "the ack");
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 0, deadLettered: 0 });
  });

  it("retries a declared exception when configured, then records failed", async () => {
    const transport = cleanup.add(openQueue());
    const store = new RecordingStore();
    const handler = thumbnails({
      countRendered: () => {
        handler.calls++;
        throw new DeclaredException(UnreadableImage, { reason: "flaky" });
      },
    });
    const worker = new Worker({ transport, store, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    worker.handle(Thumbnails, handler, { methods: { countRendered: { retryable: true, maxAttempts: 3 } } }).start();
    cleanup.add(worker);
    const message = callMessage(Thumbnails, Thumbnails.methods.countRendered, { imageId: "a" });
    await transport.send([message]);
    const record = await finalRecord(store, message.id);
    expect(record).toMatchObject({ state: "failed", attempt: 3 });
    expect(handler.calls).toBe(3);
    expect(store.history(message.id)).toEqual([
      "running@1",
      "retrying@1",
      "running@2",
      "retrying@2",
      "running@3",
      "failed@3",
    ]);
  });
});

describe("rule 8: a lost lease", () => {
  it("does not settle the outcome of a job whose lease was lost while it ran", async () => {
    const inner = cleanup.add(openQueue());
    const settled: string[] = [];
    const transport = leaseLosingTransport(inner, settled);
    const store = new RecordingStore();
    const handler = thumbnails({ render: () => sleep(120).then(() => void handler.calls++) });
    startWorker({ transport, store, leaseMs: 60 }, handler);
    const message = callMessage(Thumbnails, Thumbnails.methods.render, { job: JOB });
    await transport.send([message]);
    await waitFor(() => handler.calls === 1, 2_000, "the handler");
    await sleep(50);
    expect(settled).toEqual([]);
    expect((await store.get(message.id))?.state).toBe("running");
  });
});

/** Rewrites the message name inside a binary call (same length keeps the framing valid). */
function renameMethod(payload: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(payload).toString("latin1");
  if (from.length !== to.length) throw new Error("names must have the same length");
  return new Uint8Array(Buffer.from(text.replace(from, to), "latin1"));
}

/** A transport whose deliveries refuse lease extensions as lost, recording any settlement. */
function leaseLosingTransport(inner: Transport, settled: string[]): Transport {
  const lost = (): Promise<never> =>
    Promise.reject(new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost", { queue: inner.queue }));
  return {
    kind: inner.kind,
    queue: inner.queue,
    capabilities: inner.capabilities,
    send: (messages) => inner.send(messages),
    stats: () => inner.stats(),
    purge: () => inner.purge(),
    close: (options) => inner.close(options),
    async *receive(options) {
      for await (const delivery of inner.receive(options)) {
        const wrapped: Delivery = {
          id: delivery.id,
          metadata: delivery.metadata,
          payload: delivery.payload,
          attempt: delivery.attempt,
          queue: delivery.queue,
          ack: () => (settled.push("ack"), delivery.ack()),
          nack: (nackOptions) => (settled.push("nack"), delivery.nack(nackOptions)),
          deadLetter: (reason) => (settled.push("dead"), delivery.deadLetter(reason)),
          extendLease: lost,
        };
        yield wrapped;
      }
    },
  };
}

void ContentType;
