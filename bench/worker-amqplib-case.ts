/**
 * The broker's ceiling in `npm run bench:worker`: amqplib alone moving the same jobs through RabbitMQ, with no
 * status tracking and no handler — a confirm channel publishing the same encoded calls (persistent, with the
 * properties our transport sets) with as many publishes outstanding as our producer has calls, while a consumer
 * at a prefetch of the worker's concurrency acks each message as it arrives. A round ends when every message was
 * acked and a synchronous request after the last ack was answered (the broker processed every ack), as ours ends
 * when the last job's ack was processed. Whatever ours does beyond this — status writes, the worker — can only
 * add to it, so on a machine where this case is slower than BullMQ no AMQP case of ours can reach BullMQ there.
 */
import { performance } from "node:perf_hooks";
import type { Channel, ConfirmChannel, ConsumeMessage } from "amqplib";
import { deleteAmqpQueues, runConcurrently } from "./transport-cases.ts";
import { rawAmqpPublish } from "./transport-raw-cases.ts";
import type { WorkerBenchCase, WorkerBenchSettings } from "./worker-cases.ts";
import { RoundCounter } from "./round-counter.ts";
import { withThreadCpu } from "./worker-cpu.ts";

/** The queue types the ceiling is measured on: our transport's default (classic, version 2) and quorum. */
export type AmqplibQueueType = "classic" | "quorum";

/** Opens the amqplib case on a queue of its own, declared as our transport declares it; `close` deletes it. */
export async function amqplibCase(settings: WorkerBenchSettings, type: AmqplibQueueType): Promise<WorkerBenchCase> {
  const amqp = await import("amqplib");
  const queue = `bench-worker-${settings.runId}-amqplib-${type}`;
  const connection = await amqp.connect(settings.amqpUrl);
  const publisher: ConfirmChannel = await connection.createConfirmChannel();
  const queueArguments = type === "quorum" ? { "x-queue-type": "quorum" } : { "x-queue-version": 2 };
  await publisher.assertQueue(queue, { durable: true, arguments: queueArguments });
  const consumer: Channel = await connection.createChannel();
  await consumer.prefetch(settings.concurrency);
  const acked = new RoundCounter();
  await consumer.consume(queue, (message: ConsumeMessage | null) => {
    if (message === null) return;
    consumer.ack(message);
    acked.done();
  });
  const publish = rawAmqpPublish(publisher, queue);
  return {
    round: (count) =>
      withThreadCpu(async () => {
        const allAcked = acked.expect(count);
        const started = performance.now();
        await runConcurrently(count, settings.outstanding, publish);
        const sent = performance.now();
        await allAcked;
        // A synchronous request after the acks: its reply means the broker has processed every one of them.
        await consumer.prefetch(settings.concurrency);
        return { sendMs: sent - started, totalMs: performance.now() - started };
      }),
    async close() {
      await connection.close();
      await deleteAmqpQueues(settings.amqpUrl, [queue]);
    },
  };
}
