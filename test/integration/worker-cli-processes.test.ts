/**
 * `thrift-queue worker` as real processes (node bin/thrift-queue.js, handlers from a TS module, no generated code)
 * on the SQLite transport with the SQLite status store: a worker killed with SIGKILL mid-job loses nothing,
 * SIGTERM drains, a bad handlers module exits 2 with one line, and a poison message is dead-lettered while the
 * worker keeps running. Handlers append their runs to a file, a side effect that outlives a killed process.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContentType, createProducer, MetadataKey, openStatusStore, SqliteTransport, uuidv7 } from "thrift-queue";
import { createThumbnailsClient, Thumbnails } from "../../examples/quickstart/gen/jobs.ts";
import { ensureBuilt, REPO_ROOT, waitUntil, WorkerCli } from "./worker-cli-process.ts";

const HANDLERS = "test/integration/fixtures/worker-cli/thumbnails-handlers.ts";
const LEASE_MS = 1500;

interface Setup {
  readonly folder: string;
  readonly transport: SqliteTransport;
  readonly store: Awaited<ReturnType<typeof openStatusStore>>;
  readonly client: ReturnType<typeof createThumbnailsClient<{ jobId: string }>>;
  spawnWorker(workerId: string, options?: { slowMs?: number; extra?: readonly string[] }): WorkerCli;
}

describe("thrift-queue worker processes (SQLite transport, SQLite store)", () => {
  beforeAll(ensureBuilt, 120_000);
  const cleanUps: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
  });

  async function setUp(): Promise<Setup> {
    const folder = await mkdtemp(join(tmpdir(), "tq-worker-cli-"));
    const queueUrl = `sqlite:${join(folder, "queue.db")}?queue=thumbnails`;
    const storeUrl = `sqlite:${join(folder, "status.db")}`;
    const transport = new SqliteTransport({ path: join(folder, "queue.db"), queue: "thumbnails", leaseMs: LEASE_MS });
    const store = await openStatusStore(storeUrl);
    const workers: WorkerCli[] = [];
    cleanUps.push(async () => {
      for (const worker of workers) worker.kill("SIGKILL");
      await Promise.all(workers.map((worker) => worker.exited));
      await transport.close({ drainTimeoutMs: 0 });
      await store.close();
      await rm(folder, { recursive: true, force: true });
    });
    return {
      folder,
      transport,
      store,
      client: createThumbnailsClient(createProducer({ transport, store })),
      spawnWorker: (workerId, options = {}) => {
        const argv = [
          ...["--idl", "idl/jobs.thrift", "--handlers", HANDLERS, "--transport", queueUrl, "--store", storeUrl],
          ...["--worker-id", workerId, "--lease-ms", String(LEASE_MS), ...(options.extra ?? [])],
        ];
        const env = { TQ_RUNS_FILE: join(folder, "runs.jsonl"), TQ_SLOW_MS: String(options.slowMs ?? 60_000) };
        const worker = new WorkerCli(argv, env, join(folder, "runs.jsonl"));
        workers.push(worker);
        return worker;
      },
    };
  }

  const sendAll = (setup: Setup, imageIds: readonly string[]) =>
    Promise.all(imageIds.map((imageId) => setup.client.render({ job: { imageId, requestedAt: 1n } })));

  it("loses nothing when a worker is SIGKILLed mid-job: a second worker finishes it after the lease", async () => {
    const setup = await setUp();
    const first = setup.spawnWorker("worker-a", { extra: ["--concurrency", "4"] });
    await first.started();
    const imageIds = ["slow-1", ...Array.from({ length: 15 }, (_, i) => `img-${i}`)];
    const receipts = await sendAll(setup, imageIds);
    await first.waitForRun((run) => run.event === "started" && run.imageId === "slow-1");
    first.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    expect((await setup.store.get(receipts[0]!.jobId))?.state).toBe("running");

    const second = setup.spawnWorker("worker-b", { slowMs: 50 });
    await waitUntil(async () => (await setup.store.counts()).succeeded === imageIds.length, 30_000, "every job done");
    expect(await setup.store.get(receipts[0]!.jobId)).toMatchObject({
      state: "succeeded",
      attempt: 2,
      workerId: "worker-b",
    });
    const runs = first.runs();
    const slowRuns = runs.filter((run) => run.imageId === "slow-1");
    expect(slowRuns.filter((run) => run.event === "started").map((run) => [run.pid, run.attempt])).toEqual([
      [first.pid, 1],
      [second.pid, 2],
    ]);
    expect(slowRuns.filter((run) => run.event === "done").map((run) => run.pid)).toEqual([second.pid]);
    // At least once for runs, exactly once for the final state; every job has one record.
    for (const imageId of imageIds) {
      expect(runs.filter((run) => run.event === "done" && run.imageId === imageId).length).toBeGreaterThanOrEqual(1);
    }
    const states = await Promise.all(receipts.map(async ({ jobId }) => (await setup.store.get(jobId))?.state));
    expect(states).toEqual(imageIds.map(() => "succeeded"));
    expect(await setup.store.counts()).toMatchObject({ succeeded: imageIds.length, running: 0, queued: 0 });
    const stats = await setup.transport.stats();
    expect(stats).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
    expect(stats.deadLettered ?? 0).toBe(0);
    second.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("drains on SIGTERM: running jobs finish, the rest stay queued, exit 0, heartbeat stopped", async () => {
    const setup = await setUp();
    const worker = setup.spawnWorker("worker-c", {
      slowMs: 1000,
      extra: ["--concurrency", "2", "--drain-timeout", "10"],
    });
    await worker.started();
    const receipts = await sendAll(
      setup,
      Array.from({ length: 6 }, (_, i) => `slow-${i}`),
    );
    await worker.waitForRun((run) => run.event === "started");
    await new Promise((resolve) => setTimeout(resolve, 200));
    worker.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const runs = worker.runs();
    const started = runs.filter((run) => run.event === "started").map((run) => run.jobId);
    const done = runs.filter((run) => run.event === "done").map((run) => run.jobId);
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(2);
    expect([...done].sort()).toEqual([...started].sort());
    const states = await Promise.all(receipts.map(async ({ jobId }) => (await setup.store.get(jobId))?.state));
    expect(states.filter((state) => state === "succeeded")).toHaveLength(done.length);
    expect(states.filter((state) => state === "queued")).toHaveLength(receipts.length - done.length);
    expect((await setup.transport.stats()).visible).toBe(receipts.length - done.length);
    const heartbeat = (await setup.store.workers()).find((record) => record.workerId === "worker-c");
    expect(heartbeat).toMatchObject({ status: "stopped", inFlight: 0, processed: done.length });
    expect(worker.logs().at(-1)).toMatchObject({ msg: "worker stopped", exitCode: 0 });

    // The jobs left behind are the next worker's.
    const next = setup.spawnWorker("worker-d", { slowMs: 20 });
    await waitUntil(async () => (await setup.store.counts()).succeeded === receipts.length, 30_000, "the rest done");
    next.kill("SIGINT");
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("exits after the grace period even when a handler ignores its abort signal; the job goes back", async () => {
    const setup = await setUp();
    // The handler sleeps past this test's timeout: only the worker's own exit can end the process in time.
    const worker = setup.spawnWorker("worker-i", { slowMs: 120_000, extra: ["--drain-timeout", "1"] });
    await worker.started();
    const [receipt] = await sendAll(setup, ["slow-stubborn"]);
    await worker.waitForRun((run) => run.event === "started");
    worker.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.runs().filter((run) => run.event === "done")).toEqual([]);
    expect(await setup.transport.stats()).toMatchObject({ visible: 1, inFlight: 0 });
    setup.spawnWorker("worker-j", { slowMs: 20 });
    await waitUntil(async () => (await setup.store.get(receipt!.jobId))?.state === "succeeded", 30_000, "the job");
    expect(await setup.store.get(receipt!.jobId)).toMatchObject({ attempt: 2, workerId: "worker-j" });
  }, 60_000);

  it("a second signal stops at once: the running job goes back to the queue, exit 128 + signal", async () => {
    const setup = await setUp();
    const worker = setup.spawnWorker("worker-e", { extra: ["--drain-timeout", "60"] });
    await worker.started();
    const [receipt] = await sendAll(setup, ["slow-forced"]);
    await worker.waitForRun((run) => run.event === "started");
    worker.kill("SIGTERM");
    await worker.waitForLog((line) => String(line["msg"]).startsWith("stopping"));
    worker.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 143, signal: null });
    expect(worker.runs().filter((run) => run.event === "done")).toEqual([]);
    expect((await setup.transport.stats()).inFlight).toBe(0);
    const next = setup.spawnWorker("worker-f", { slowMs: 20 });
    await waitUntil(async () => (await setup.store.get(receipt!.jobId))?.state === "succeeded", 30_000, "the job");
    expect(next.runs().filter((run) => run.event === "done" && run.pid === next.pid)).toHaveLength(1);
  }, 60_000);

  it("stores two-way results and declared exceptions thrown through declaredException()", async () => {
    const setup = await setUp();
    const worker = setup.spawnWorker("worker-h");
    await worker.started();
    const counted = await setup.client.countRendered({ imageId: "img-12345" });
    const unreadable = await setup.client.countRendered({ imageId: "unreadable-1" });
    const final = (jobId: string) => async () =>
      ["succeeded", "failed", "dead"].includes((await setup.store.get(jobId))?.state ?? "");
    await waitUntil(final(counted.jobId), 20_000, "the counted job");
    await waitUntil(final(unreadable.jobId), 20_000, "the unreadable job");
    const result = Thumbnails.methods.countRendered.result!;
    const success = await setup.store.get(counted.jobId);
    expect(success?.state).toBe("succeeded");
    expect(result.decode(success!.result!)).toEqual({ success: 9 });
    const failure = await setup.store.get(unreadable.jobId);
    expect(failure).toMatchObject({ state: "failed", attempt: 1, error: { type: "jobs.UnreadableImage" } });
    expect(result.decode(failure!.result!)).toEqual({
      unreadable: { imageId: "unreadable-1", reason: "not an image" },
    });
    worker.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("dead-letters a poison message and keeps running", async () => {
    const setup = await setUp();
    const worker = setup.spawnWorker("worker-g");
    await worker.started();
    const poisonId = uuidv7();
    await setup.transport.send([
      {
        id: poisonId,
        payload: new Uint8Array([0x80, 0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xf0, 0x42]),
        metadata: { [MetadataKey.contentType]: ContentType.binary, [MetadataKey.jobId]: poisonId },
      },
    ]);
    const [good] = await sendAll(setup, ["img-after-poison"]);
    await waitUntil(async () => (await setup.store.get(good!.jobId))?.state === "succeeded", 20_000, "the good job");
    await waitUntil(async () => (await setup.transport.stats()).deadLettered === 1, 20_000, "the dead letter");
    expect((await setup.store.get(poisonId))?.state).toBe("dead");
    expect(worker.exitCode).toBeNull();
    worker.kill("SIGTERM");
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("refuses a handlers module that does not match the IDL: exit 2, one line naming it", () => {
    const child = spawnSync(
      process.execPath,
      [
        "bin/thrift-queue.js",
        "worker",
        ...["--idl", "idl/jobs.thrift", "--transport", "sqlite:/nonexistent/queue.db"],
        ...["--handlers", "test/integration/fixtures/worker-cli/unknown-method.ts"],
      ],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 },
    );
    expect(child.status).toBe(2);
    expect(child.stdout).toBe("");
    expect(child.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^thrift-queue worker: .*Thumbnails has no method "resize"/) as string,
    ]);
  });
});
