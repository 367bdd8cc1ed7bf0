/**
 * `thrift-queue worker` as real processes over RabbitMQ with the PostgreSQL status store: a worker killed with
 * SIGKILL mid-job loses nothing. The broker requeues the dead consumer's unacked messages at once; the second
 * worker takes the job over once its lease in the store has run out, and every job ends succeeded exactly once.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AmqpTransport, createProducer, openStatusStore } from "thrift-queue";
import { createThumbnailsClient } from "../../examples/quickstart/gen/jobs.ts";
import { deleteQueues, findAmqpBroker, withAmqpBroker } from "./amqp-broker.ts";
import { postgresUnavailable, withPostgres } from "./postgres-server.ts";
import { ensureBuilt, waitUntil, WorkerCli } from "./worker-cli-process.ts";

const lookup = await findAmqpBroker();
const unavailable = await postgresUnavailable();
const HANDLERS = "test/integration/fixtures/worker-cli/thumbnails-handlers.ts";
const LEASE_MS = 1500;

withAmqpBroker("thrift-queue worker processes over AMQP", lookup, (broker) => {
  withPostgres("thrift-queue worker processes over AMQP", unavailable, (schemas) => {
    describe("thrift-queue worker processes (AMQP transport, PostgreSQL store)", () => {
      beforeAll(ensureBuilt, 120_000);
      const cleanUps: Array<() => Promise<void>> = [];
      afterEach(async () => {
        for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
      });

      it("loses nothing when a worker is SIGKILLed mid-job: a second worker finishes it", async () => {
        const folder = await mkdtemp(join(tmpdir(), "tq-worker-cli-amqp-"));
        const queue = `tq-worker-cli-${randomUUID()}`;
        const storeUrl = schemas.url();
        const transport = new AmqpTransport({ url: broker.url, queue });
        const store = await openStatusStore(storeUrl);
        const workers: WorkerCli[] = [];
        cleanUps.push(async () => {
          for (const worker of workers) worker.kill("SIGKILL");
          await Promise.all(workers.map((worker) => worker.exited));
          const names = transport.queueNames();
          await transport.close({ drainTimeoutMs: 0 });
          await store.close();
          await deleteQueues(broker.url, names);
          await rm(folder, { recursive: true, force: true });
        });
        const runsFile = join(folder, "runs.jsonl");
        const queueUrl = new URL(broker.url);
        queueUrl.searchParams.set("queue", queue);
        const spawnWorker = (workerId: string, slowMs: number): WorkerCli => {
          const argv = [
            ...["--idl", "idl/jobs.thrift", "--handlers", HANDLERS, "--transport", queueUrl.toString()],
            ...["--store", storeUrl, "--worker-id", workerId, "--lease-ms", String(LEASE_MS), "--concurrency", "4"],
          ];
          const worker = new WorkerCli(argv, { TQ_RUNS_FILE: runsFile, TQ_SLOW_MS: String(slowMs) }, runsFile);
          workers.push(worker);
          return worker;
        };

        const first = spawnWorker("amqp-worker-a", 60_000);
        await first.started();
        const client = createThumbnailsClient(createProducer({ transport, store }));
        const imageIds = ["slow-1", ...Array.from({ length: 11 }, (_, i) => `img-${i}`)];
        const receipts = await Promise.all(
          imageIds.map((imageId) => client.render({ job: { imageId, requestedAt: 1n } })),
        );
        await first.waitForRun((run) => run.event === "started" && run.imageId === "slow-1");
        await waitUntil(
          async () => (await store.counts()).succeeded === imageIds.length - 1,
          20_000,
          "the fast jobs on the first worker",
        );
        first.kill("SIGKILL");
        expect((await first.exited).signal).toBe("SIGKILL");
        expect((await store.get(receipts[0]!.jobId))?.state).toBe("running");

        const second = spawnWorker("amqp-worker-b", 50);
        await waitUntil(async () => (await store.counts()).succeeded === imageIds.length, 30_000, "every job done");
        expect(await store.get(receipts[0]!.jobId)).toMatchObject({
          state: "succeeded",
          attempt: 2,
          workerId: "amqp-worker-b",
        });
        const slowRuns = first.runs().filter((run) => run.imageId === "slow-1");
        expect(slowRuns.map((run) => [run.event, run.pid])).toEqual([
          ["started", first.pid],
          ["started", second.pid],
          ["done", second.pid],
        ]);
        const states = await Promise.all(receipts.map(async ({ jobId }) => (await store.get(jobId))?.state));
        expect(states).toEqual(imageIds.map(() => "succeeded"));
        expect(await store.counts()).toMatchObject({ succeeded: imageIds.length, running: 0, queued: 0 });
        await waitUntil(async () => (await transport.stats()).visible === 0, 10_000, "an empty queue");
        second.kill("SIGTERM");
        expect(await second.exited).toEqual({ code: 0, signal: null });
      }, 90_000);
    });
  });
});
