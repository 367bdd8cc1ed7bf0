/**
 * Workers as real processes on the SQLite transport with the PostgreSQL status store: a worker killed with
 * SIGKILL mid-job loses nothing (another worker finishes the job once its lease runs out), and SIGTERM drains
 * (in-flight jobs finish, the rest stay queued, exit 0, the last heartbeat says stopped).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createProducer, openStatusStore, SqliteTransport, type StatusStore } from "thrift-queue";
import { createThumbnailsClient } from "../../examples/quickstart/gen/jobs.ts";
import type { ThumbnailWorkerArguments } from "./fixtures/thumbnail-worker.ts";
import { postgresUnavailable, withPostgres } from "./postgres-server.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/thumbnail-worker.ts", import.meta.url));
const unavailable = await postgresUnavailable();

interface WorkerEvent {
  readonly event: string;
  readonly imageId?: string;
  readonly attempt?: number;
}

/** A worker process and the events it printed. */
class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private stderr = "";
  private waiters: Array<() => void> = [];

  constructor(args: ThumbnailWorkerArguments) {
    this.child = spawn(process.execPath, [FIXTURE, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") this.events.push(JSON.parse(line) as WorkerEvent);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once an event matching `predicate` was printed. */
  async waitFor(predicate: (event: WorkerEvent) => boolean, timeoutMs = 20_000): Promise<WorkerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out; events ${JSON.stringify(this.events)}; ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

withPostgres("worker processes", unavailable, (schemas) => {
  describe("worker processes", () => {
    const cleanUps: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
    });

    async function setUp(): Promise<{
      base: Omit<ThumbnailWorkerArguments, "workerId">;
      store: StatusStore;
      transport: SqliteTransport;
      spawnWorker: (workerId: string, extra?: Partial<ThumbnailWorkerArguments>) => WorkerProcess;
    }> {
      const folder = await mkdtemp(join(tmpdir(), "tq-worker-processes-"));
      const storeUrl = schemas.url();
      const base = {
        queuePath: join(folder, "queue.db"),
        queue: "thumbnails",
        storeUrl,
        leaseMs: 1500,
        concurrency: 4,
        workMs: 20,
        slowMs: 60_000,
        drainTimeoutMs: 5000,
      };
      const transport = new SqliteTransport({ path: base.queuePath, queue: base.queue, leaseMs: base.leaseMs });
      const store = await openStatusStore(storeUrl);
      const processes: WorkerProcess[] = [];
      cleanUps.push(async () => {
        for (const child of processes) child.kill("SIGKILL");
        await Promise.all(processes.map((child) => child.exited));
        await transport.close({ drainTimeoutMs: 0 });
        await store.close();
        await rm(folder, { recursive: true, force: true });
      });
      return {
        base,
        store,
        transport,
        spawnWorker: (workerId, extra = {}) => {
          const child = new WorkerProcess({ ...base, workerId, ...extra });
          processes.push(child);
          return child;
        },
      };
    }

    it("loses nothing when a worker is killed mid-job: another finishes it after the lease", async () => {
      const { store, transport, spawnWorker } = await setUp();
      const client = createThumbnailsClient(createProducer({ transport, store }));
      const first = spawnWorker("worker-a");
      await first.waitFor((event) => event.event === "ready");
      const receipts = await Promise.all(
        ["slow-1", ...Array.from({ length: 15 }, (_, i) => `img-${i}`)].map((imageId) =>
          client.render({ job: { imageId, requestedAt: 1n } }),
        ),
      );
      await first.waitFor((event) => event.event === "started" && event.imageId === "slow-1");
      first.kill("SIGKILL");
      expect((await first.exited).signal).toBe("SIGKILL");
      expect((await store.get(receipts[0]!.jobId))?.state).toBe("running");

      const second = spawnWorker("worker-b", { slowMs: 100 });
      await waitUntil(async () => (await store.counts()).succeeded === receipts.length, 30_000, "every job to succeed");
      const slow = await store.get(receipts[0]!.jobId);
      expect(slow).toMatchObject({ state: "succeeded", attempt: 2, workerId: "worker-b" });
      expect(second.events.some((event) => event.event === "done" && event.imageId === "slow-1")).toBe(true);
      expect(first.events.some((event) => event.event === "done" && event.imageId === "slow-1")).toBe(false);
      for (const receipt of receipts) expect((await store.get(receipt.jobId))?.state).toBe("succeeded");
      const stats = await transport.stats();
      expect(stats).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
      expect(stats.deadLettered ?? 0).toBe(0);
    }, 60_000);

    it("drains on SIGTERM: running jobs finish, the rest stay queued, exit 0, heartbeat stopped", async () => {
      const { store, transport, spawnWorker } = await setUp();
      const client = createThumbnailsClient(createProducer({ transport, store }));
      const worker = spawnWorker("worker-c", { concurrency: 2, slowMs: 1000 });
      await worker.waitFor((event) => event.event === "ready");
      const receipts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => client.render({ job: { imageId: `slow-${i}`, requestedAt: 1n } })),
      );
      await worker.waitFor((event) => event.event === "started");
      await new Promise((resolve) => setTimeout(resolve, 200));
      worker.kill("SIGTERM");
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      const started = worker.events.filter((event) => event.event === "started").map((event) => event.imageId);
      const done = worker.events.filter((event) => event.event === "done").map((event) => event.imageId);
      expect(started.length).toBeGreaterThan(0);
      expect(done.sort()).toEqual([...started].sort());
      expect(worker.events.at(-1)?.event).toBe("stopped");
      const states = await Promise.all(receipts.map(async (receipt) => (await store.get(receipt.jobId))?.state));
      expect(states.filter((state) => state === "succeeded")).toHaveLength(done.length);
      expect(states.filter((state) => state === "queued")).toHaveLength(receipts.length - done.length);
      expect((await transport.stats()).visible).toBe(receipts.length - done.length);
      const heartbeat = (await store.workers()).find((record) => record.workerId === "worker-c");
      expect(heartbeat).toMatchObject({ status: "stopped", inFlight: 0, processed: done.length });
    }, 60_000);
  });
});
