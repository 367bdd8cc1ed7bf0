/**
 * The BullMQ peer of `npm run bench:worker`: the same jobs added with `Queue.addBulk` (in batches of the size our
 * producer sends in) and processed by a BullMQ `Worker` at the same concurrency with a no-op processor, on the
 * local Redis. BullMQ keeps each job's state in Redis as it goes (waiting, active, completed — its status
 * tracking), which is what ours is measured with: a status store recording every job's state.
 */
import { performance } from "node:perf_hooks";
import { Queue, Worker, type ConnectionOptions } from "bullmq";
import type { WorkerBenchCase, WorkerBenchSettings } from "./worker-cases.ts";
import { benchJobJson } from "./worker-cases.ts";
import { RoundCounter } from "./round-counter.ts";
import { withThreadCpu } from "./worker-cpu.ts";

/** Opens the BullMQ case on its own queue; `close` removes the queue's keys. */
export async function bullmqCase(settings: WorkerBenchSettings): Promise<WorkerBenchCase> {
  const connection: ConnectionOptions = { url: settings.redisUrl, maxRetriesPerRequest: null };
  const name = `bench-worker-${settings.runId}`;
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  const completed = new RoundCounter();
  const worker = new Worker(name, async () => {}, { connection, concurrency: settings.concurrency, autorun: true });
  worker.on("completed", completed.done);
  await worker.waitUntilReady();
  return {
    round: (count) =>
      withThreadCpu(async () => {
        const done = completed.expect(count);
        const started = performance.now();
        for (let first = 0; first < count; first += settings.batchJobs) {
          const size = Math.min(settings.batchJobs, count - first);
          await queue.addBulk(
            Array.from({ length: size }, (_, i) => ({ name: "render", data: benchJobJson(first + i) })),
          );
        }
        const sent = performance.now();
        return { sendMs: sent - started, totalMs: (await done) - started };
      }),
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}
