/**
 * A GrepTheWeb worker process: opens the transport, status store and blob store from URLs and runs `matchChunk`
 * until SIGTERM or SIGINT, then drains (running jobs finish) and exits 0. Logs are JSON lines on stderr; one
 * `{"event":"ready"}` line on stdout says it is receiving.
 *
 *   node examples/grep/worker-main.ts --transport <url> --store <url> --blobs <url> [--concurrency 2] [--worker-id id]
 *                                     [--drain-timeout 20000] [--lease-ms 30000] [--stop-with-parent]
 *
 * Started by the scaler's local fleet (`--autoscale`), it gets its instance id in THRIFT_QUEUE_INSTANCE_ID and
 * stops the same way when the scaler asks that instance to drain.
 */
import { hostname } from "node:os";
import process from "node:process";
import { parseArgs } from "node:util";
import { INSTANCE_ID_ENV, openStatusStore, openTransport, watchDrainRequests, Worker } from "thrift-queue";
import { openBlobStore } from "./blob-store.ts";
import { GrepTheWeb } from "./gen/grep.ts";
import { createGrepHandler } from "./grep-handler.ts";
import { jsonLinesLogger } from "./stderr-logger.ts";

const { values } = parseArgs({
  options: {
    transport: { type: "string" },
    store: { type: "string" },
    blobs: { type: "string" },
    concurrency: { type: "string", default: "2" },
    "worker-id": { type: "string" },
    "drain-timeout": { type: "string", default: "20000" },
    "lease-ms": { type: "string", default: "30000" },
    "stop-with-parent": { type: "boolean", default: false },
  },
  strict: true,
});
const transportUrl = values.transport ?? process.env["GREP_TRANSPORT"];
const storeUrl = values.store ?? process.env["GREP_STORE"];
const blobsUrl = values.blobs ?? process.env["GREP_BLOBS"];
if (!transportUrl || !storeUrl || !blobsUrl) {
  process.stderr.write("usage: worker-main.ts --transport <url> --store <url> --blobs <url> [--concurrency n]\n");
  process.exit(2);
}
const workerId = values["worker-id"] ?? `grep-${hostname()}-${process.pid}`;
const instanceId = process.env[INSTANCE_ID_ENV] || undefined;
const logger = jsonLinesLogger(
  (line) => process.stderr.write(line),
  process.env["GREP_LOG_LEVEL"] === "debug" ? "debug" : "info",
  { workerId },
);

const transport = await openTransport(transportUrl, { maxAttempts: 3 });
const store = await openStatusStore(storeUrl, { logger });
const blobs = await openBlobStore(blobsUrl);
const worker = new Worker({
  transport,
  store,
  workerId,
  ...(instanceId === undefined ? {} : { instanceId }),
  concurrency: Number(values.concurrency),
  drainTimeoutMs: Number(values["drain-timeout"]),
  leaseMs: Number(values["lease-ms"]),
  logger,
  heartbeatIntervalMs: 2000,
  progressIntervalMs: 100,
});
worker.handle(GrepTheWeb, createGrepHandler({ blobs, workerId }));
worker.on("job:succeeded", (event) => logger.info({ jobId: event.jobId, ms: event.durationMs }, "job succeeded"));
worker.on("job:retrying", (event) => logger.warn({ jobId: event.jobId, error: event.error }, "job will be retried"));
worker.on("job:dead", (event) => logger.error({ jobId: event.jobId, reason: event.reason }, "job dead-lettered"));
/**
 * Stops once: running jobs finish (up to the drain timeout), then the transport and stores close and the process
 * exits. Further signals while draining are ignored (a Ctrl-C reaches the workers and then the orchestrator's
 * SIGTERM follows); the orchestrator SIGKILLs a worker that does not exit in time.
 */
let stopping = false;
function stop(reason: string): void {
  if (stopping) {
    logger.info({ reason }, "already stopping");
    return;
  }
  stopping = true;
  logger.info({ reason }, "stopping: running jobs finish first");
  void worker
    .stop()
    .then(
      () => undefined,
      (error: unknown) => error,
    )
    .then(async (error) => {
      if (error !== undefined) logger.error({ err: error }, "the worker did not stop cleanly");
      // The worker has drained its jobs: what is left is receives in flight (an SQS long poll waits up to 20 s).
      await Promise.allSettled([transport.close({ drainTimeoutMs: 2000 }), store.close(), blobs.close()]);
      logger.info({ reason, ...worker.stats }, "worker stopped");
      process.exit(error === undefined ? 0 : 1);
    });
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
if (values["stop-with-parent"]) {
  // The orchestrator holds our stdin open: when it ends, the orchestrator is gone and nobody would stop us.
  process.stdin.on("end", () => stop("the parent process exited"));
  process.stdin.resume();
}
if (instanceId !== undefined) {
  watchDrainRequests({
    store,
    instanceId,
    logger,
    onDrainRequested: () => stop("the scaler asked this instance to drain"),
  });
}
worker.start();
process.stdout.write(`${JSON.stringify({ event: "ready", workerId, pid: process.pid })}\n`);
logger.info(
  { queue: transport.queue, transport: transport.kind, store: store.kind, blobs: blobs.kind },
  "worker ready",
);
