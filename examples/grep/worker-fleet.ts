/**
 * The orchestrator's worker processes: N children running worker-main.ts, each logging to its own file, started
 * together (resolves once every one is receiving) and stopped gracefully with SIGTERM (SIGKILL after a timeout).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const WORKER_MAIN = fileURLToPath(new URL("./worker-main.ts", import.meta.url));

/** Options of {@link startWorkerFleet}. */
export interface WorkerFleetOptions {
  readonly count: number;
  readonly transport: string;
  readonly store: string;
  readonly blobs: string;
  /** Jobs per worker at once. */
  readonly concurrency: number;
  /** Lease of each delivery, in ms. */
  readonly leaseMs: number;
  /** Where `worker-<n>.log` files go. */
  readonly logDir: string;
  /** How long to wait for every worker to be ready. @defaultValue 60000 */
  readonly readyTimeoutMs?: number;
}

/** One running worker process. */
export interface FleetWorker {
  readonly workerId: string;
  readonly pid: number;
  readonly logFile: string;
}

/** Running workers. */
export interface WorkerFleet {
  readonly workers: readonly FleetWorker[];
  /** SIGTERM to each, waits for the exits (SIGKILL after `timeoutMs`); resolves with the exit codes. Idempotent. */
  stop(timeoutMs?: number): Promise<(number | null)[]>;
}

/** Starts the workers; rejects (after stopping the others) when one exits or is not ready in time. */
export async function startWorkerFleet(options: WorkerFleetOptions): Promise<WorkerFleet> {
  const children: { child: ChildProcess; worker: FleetWorker; exited: Promise<number | null> }[] = [];
  for (let index = 1; index <= options.count; index++) {
    const workerId = `grep-worker-${index}-${process.pid}`;
    const logFile = join(options.logDir, `worker-${index}.log`);
    const args = [
      ...process.execArgv,
      WORKER_MAIN,
      ...["--transport", options.transport, "--store", options.store, "--blobs", options.blobs],
      ...["--concurrency", String(options.concurrency), "--worker-id", workerId, "--stop-with-parent"],
      ...["--lease-ms", String(options.leaseMs)],
    ];
    // stdin stays open while this process lives: a worker whose stdin ends stops (see --stop-with-parent).
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr?.pipe(createWriteStream(logFile, { flags: "a" }));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    children.push({ child, worker: { workerId, pid: child.pid ?? 0, logFile }, exited });
  }
  let stopping: Promise<(number | null)[]> | undefined;
  const fleet: WorkerFleet = {
    workers: children.map(({ worker }) => worker),
    stop: (timeoutMs = 30_000) =>
      (stopping ??= Promise.all(
        children.map(async ({ child, exited }) => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
          const code = await exited;
          clearTimeout(timer);
          return code;
        }),
      )),
  };
  try {
    await Promise.all(children.map(({ child, worker, exited }) => ready(child, worker, exited, options)));
  } catch (error) {
    await fleet.stop(5000);
    throw error;
  }
  return fleet;
}

function ready(
  child: ChildProcess,
  worker: FleetWorker,
  exited: Promise<number | null>,
  options: WorkerFleetOptions,
): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${worker.workerId} was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`${worker.workerId} exited with code ${String(code)} before it was ready (see ${worker.logFile})`),
      );
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.includes(`"event":"ready"`)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
