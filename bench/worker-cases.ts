/**
 * The cases `npm run bench:worker` measures, each doing the same work: N `Thumbnails.render` jobs sent through
 * the producer with a bounded number outstanding while a worker at concurrency C runs a no-op handler for each and
 * acks it, until all N are done. Ours runs with status tracking on: the producer records `queued` for every job
 * and the worker `running` then `succeeded`, in the status store of the case. BullMQ's peer is in
 * bench/worker-bullmq-case.ts.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  AmqpTransport,
  createProducer,
  openStatusStore,
  SqliteTransport,
  Worker,
  type CheckpointMode,
  type StatusStore,
  type Transport,
} from "../src/index.ts";
import { createThumbnailsClient, Thumbnails } from "../examples/quickstart/gen/jobs.ts";
import { deleteAmqpQueues, runConcurrently, thumbnailJob } from "./transport-cases.ts";
import type { AmqplibQueueType } from "./worker-amqplib-case.ts";
import { RoundCounter } from "./round-counter.ts";
import { withThreadCpu } from "./worker-cpu.ts";

/**
 * The transports ours is measured on. `amqp` declares the transport's default queue (classic, version 2);
 * `amqp-quorum` the same transport on a quorum queue (`?type=quorum`), which costs RabbitMQ 3.10 about half the CPU
 * per persistent message with confirms.
 */
export type WorkerTransportName = "amqp" | "amqp-quorum" | "sqlite" | "memory";
/** The status stores ours is measured with. */
export type WorkerStoreName = "postgres" | "sqlite" | "memory";

/**
 * One case: ours on a transport with a store, BullMQ, or amqplib alone on a queue of our transport's default type
 * or a quorum queue (the broker's ceiling: no status tracking, bench/worker-amqplib-case.ts).
 */
export type WorkerCaseId =
  | { readonly peer: "ours"; readonly transport: WorkerTransportName; readonly store: WorkerStoreName }
  | { readonly peer: "bullmq" }
  | { readonly peer: "amqplib"; readonly queueType: AmqplibQueueType };

/** How the cases run; the same for every peer. */
export interface WorkerBenchSettings {
  /** Handlers running at once (BullMQ's `concurrency`, our worker's). */
  readonly concurrency: number;
  /** Calls outstanding at once while sending (ours); jobs per `addBulk` (BullMQ). */
  readonly outstanding: number;
  readonly batchJobs: number;
  readonly amqpUrl: string;
  readonly postgresUrl: string;
  readonly redisUrl: string;
  /** Whether the SQLite status store runs on a thread of its own (`?thread=true`) or on the case's thread. */
  readonly sqliteStoreThread: boolean;
  /** Where the SQLite transport's and status store's WAL checkpoints run (`?checkpoints=`). */
  readonly sqliteCheckpoints: CheckpointMode;
  /** Distinguishes this run's (and case's) queues, files and schemas from any other's. */
  readonly runId: string;
}

/**
 * One round: when the last send was accepted and when the last job was done, from the first send, and the CPU the
 * case's thread spent meanwhile.
 */
export interface WorkerRoundTiming {
  readonly sendMs: number;
  readonly totalMs: number;
  readonly threadCpuUs: number;
}

/** A case, set up once. */
export interface WorkerBenchCase {
  round(count: number): Promise<WorkerRoundTiming>;
  close(): Promise<void>;
}

/** The name a case is reported under: `<transport>+<store>` for ours, `bullmq`, `amqplib`, `amqplib-quorum`. */
export function workerCaseName(id: WorkerCaseId): string {
  switch (id.peer) {
    case "bullmq":
      return "bullmq";
    case "amqplib":
      return id.queueType === "quorum" ? "amqplib-quorum" : "amqplib";
    case "ours":
      return `${id.transport}+${id.store}`;
  }
}

/** Job number `index` as BullMQ job data: the same fields, i64s as strings (BullMQ stores JSON). */
export function benchJobJson(index: number): Record<string, unknown> {
  const job = thumbnailJob(index);
  return {
    imageId: job.imageId,
    requestedAt: job.requestedAt.toString(),
    priority: job.priority,
    sizes: job.sizes,
    labels: Object.fromEntries(job.labels ?? []),
    owner: { name: job.owner?.name, accountId: job.owner?.accountId?.toString() },
  };
}

async function openTransport(name: WorkerTransportName, settings: WorkerBenchSettings, files: string[]) {
  const queue = `bench-worker-${settings.runId}`;
  switch (name) {
    case "memory": {
      const { MemoryTransport } = await import("../src/index.ts");
      return new MemoryTransport({ queue });
    }
    case "sqlite": {
      const path = join(tmpdir(), `${queue}-queue.db`);
      files.push(path, `${path}-wal`, `${path}-shm`);
      return new SqliteTransport({ path, queue, checkpoints: settings.sqliteCheckpoints });
    }
    case "amqp":
    case "amqp-quorum": {
      const queueType = name === "amqp-quorum" ? "quorum" : undefined;
      const transport = new AmqpTransport({ url: settings.amqpUrl, queue, ...(queueType ? { queueType } : {}) });
      await transport.connect();
      await transport.purge();
      return transport;
    }
  }
}

async function openStore(name: WorkerStoreName, settings: WorkerBenchSettings, files: string[]): Promise<StatusStore> {
  switch (name) {
    case "memory":
      return openStatusStore("memory:");
    case "sqlite": {
      const path = join(tmpdir(), `bench-worker-${settings.runId}-status.db`);
      files.push(path, `${path}-wal`, `${path}-shm`);
      const { sqliteStoreThread: thread, sqliteCheckpoints: checkpoints } = settings;
      return openStatusStore(`sqlite:${path}?thread=${String(thread)}&checkpoints=${checkpoints}`);
    }
    case "postgres": {
      const url = new URL(settings.postgresUrl);
      url.searchParams.set("schema", `bench_${settings.runId.replace(/[^a-z0-9]/gi, "_")}`);
      return openStatusStore(url.href);
    }
  }
}

/** Ours: the generated client over a producer with the store, and a Worker with the store and a no-op handler. */
async function ourCase(
  transportName: WorkerTransportName,
  storeName: WorkerStoreName,
  settings: WorkerBenchSettings,
): Promise<WorkerBenchCase> {
  const files: string[] = [];
  // Each case has queues, files and schemas of its own: an idle worker of another case must not take its jobs.
  const caseSettings = { ...settings, runId: `${settings.runId}-${transportName}-${storeName}` };
  const transport: Transport = await openTransport(transportName, caseSettings, files);
  const store = await openStore(storeName, caseSettings, files);
  const producer = createProducer({ transport, store, maxPendingMessages: settings.outstanding });
  const thumbnails = createThumbnailsClient(producer);
  const finished = new RoundCounter();
  const worker = new Worker({ transport, store, concurrency: settings.concurrency }).handle(Thumbnails, {
    render: () => {},
    countRendered: () => 0,
  });
  worker.on("job:succeeded", finished.done);
  worker.start();
  return {
    round: (count) =>
      withThreadCpu(async () => {
        const done = finished.expect(count);
        const started = performance.now();
        await runConcurrently(count, settings.outstanding, async (index) => {
          await thumbnails.render({ job: thumbnailJob(index) });
        });
        const sent = performance.now();
        return { sendMs: sent - started, totalMs: (await done) - started };
      }),
    async close() {
      await worker.stop({ drainTimeoutMs: 5000 });
      await transport.close({ drainTimeoutMs: 0 });
      await store.close();
      await Promise.all(files.map((file) => rm(file, { force: true })));
      // The broker keeps a queue (a quorum queue's Raft log too) until it is deleted.
      if (transport instanceof AmqpTransport) await deleteAmqpQueues(settings.amqpUrl, transport.queueNames());
    },
  };
}

/** Sets up one case; BullMQ (and Redis) load only for its own. */
export async function openWorkerCase(id: WorkerCaseId, settings: WorkerBenchSettings): Promise<WorkerBenchCase> {
  if (id.peer === "bullmq") return (await import("./worker-bullmq-case.ts")).bullmqCase(settings);
  if (id.peer === "amqplib") return (await import("./worker-amqplib-case.ts")).amqplibCase(settings, id.queueType);
  return ourCase(id.transport, id.store, settings);
}
