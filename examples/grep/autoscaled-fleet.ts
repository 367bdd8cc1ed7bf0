/**
 * The orchestrator's workers under the scaler (`--autoscale`): a local fleet of worker-main.ts processes that the
 * scaler grows from zero when chunk jobs arrive, up to `--workers`, and drains once the queue is idle. Everything
 * the scaler decides and does is recorded in the status store (`GET /v1/scaler`).
 */
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  LocalFleet,
  Scaler,
  thriftQueuePolicy,
  type Logger,
  type ScalerEvent,
  type StatusStore,
  type Transport,
} from "thrift-queue";

const WORKER_MAIN = fileURLToPath(new URL("./worker-main.ts", import.meta.url));

/** Options of {@link startAutoscaledFleet}. */
export interface AutoscaledFleetOptions {
  /** The URLs the workers open. */
  readonly urls: { readonly transport: string; readonly store: string; readonly blobs: string };
  /** The orchestrator's own transport and store, which the scaler reads. */
  readonly transport: Transport;
  readonly store: StatusStore;
  readonly maxWorkers: number;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** Instance files and worker logs go under `<dataDir>/fleet`. */
  readonly dataDir: string;
  readonly logger: Logger;
}

/** The running scaler and its fleet. */
export interface AutoscaledFleet {
  /** Where each worker's log file goes. */
  readonly logDirectory: string;
  /** The lease the scaler holds: `scaler:grep`. */
  readonly leaseName: string;
  /** What the scaler decided and did, oldest first (decisions left out). */
  actions(): Promise<ScalerEvent[]>;
  /** How many worker processes are up now. */
  size(): Promise<number>;
  /** Stops the scaler, then asks every worker to stop (running jobs finish); resolves with how many were stopped. */
  stop(timeoutMs?: number): Promise<number>;
}

/** Starts the scaler on a local fleet; it launches the first worker as soon as a job is queued. */
export function startAutoscaledFleet(options: AutoscaledFleetOptions): AutoscaledFleet {
  const stateDirectory = join(options.dataDir, "fleet");
  const fleet = new LocalFleet({
    command: [
      process.execPath,
      ...process.execArgv,
      WORKER_MAIN,
      ...["--transport", options.urls.transport, "--store", options.urls.store, "--blobs", options.urls.blobs],
      ...["--concurrency", String(options.concurrency), "--lease-ms", String(options.leaseMs)],
    ],
    stateDirectory,
  });
  const scaler = new Scaler({
    store: options.store,
    transport: options.transport,
    fleet,
    name: "grep",
    policy: thriftQueuePolicy(
      { min: 0, max: options.maxWorkers, maxStep: options.maxWorkers, targetWaitMs: 2000 },
      { evaluationIntervalMs: 1000, minHoldMs: 5000, smallDropHoldMs: 10_000, initialServiceTimeMs: 1000 },
    ),
    concurrencyPerInstance: options.concurrency,
    bootDelayMs: 1500,
    tickIntervalMs: 500,
    leaseTtlMs: 5000,
    logger: options.logger,
  });
  scaler.start();
  let stopping: Promise<number> | undefined;
  return {
    logDirectory: join(stateDirectory, "logs"),
    leaseName: scaler.leaseName,
    actions: async () =>
      [
        ...(await options.store.scalerEvents({
          lease: scaler.leaseName,
          kinds: ["launch", "drain", "terminate", "recover"],
          limit: 1000,
        })),
      ].reverse(),
    size: async () => (await fleet.list()).length,
    stop: (timeoutMs = 30_000) =>
      (stopping ??= (async () => {
        await scaler.stop();
        const instances = await fleet.list();
        await fleet.terminate(
          instances.map((instance) => instance.id),
          { id: "orchestrator-stop", fencingToken: 0 },
        );
        const deadline = Date.now() + timeoutMs;
        while ((await fleet.list()).length > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return instances.length;
      })()),
  };
}
