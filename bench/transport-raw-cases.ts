/**
 * The brokers' own clients for `npm run bench:transport`, doing what bench/transport-cases.ts has thrift-queue do:
 *
 * - amqplib ("raw"): one connection; a confirm channel publishing persistent, mandatory messages to a durable queue
 *   with the same properties our transport sets (message id, content type, timestamp, `enqueued-at` header), then a
 *   channel consuming with the same prefetch and acking each message. Raw AMQP acks have no reply, so the raw
 *   consumer ends with one synchronous request on its channel (as our transport does after each group of acks):
 *   the round ends when the broker has processed every ack.
 * - @aws-sdk/client-sqs ("raw"): SendMessageBatch of 10 with the same body (base64 payload) and attributes as our
 *   transport writes, with as many calls in flight as our producer makes (outstanding calls / 10); then `pollers`
 *   loops of ReceiveMessage(10, long poll, the same attributes asked for) and DeleteMessageBatch.
 * - sqs-consumer: the npm package, `pollers` consumers of 10 (its usual `handleMessage`, one DeleteMessage per
 *   message), fed by the raw SDK sender above.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ConfirmChannel } from "amqplib";
import type { Message, SQSClient, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { ContentType, formatTimestamp, MetadataKey } from "../src/index.ts";
import {
  ackCounter,
  encodedCall,
  LEASE_SECONDS,
  readCall,
  runConcurrently,
  SQS_BATCH,
  SQS_CREDENTIALS,
  SQS_REGION,
  SQS_WAIT_SECONDS,
  timeRound,
  type BenchCase,
  type BenchSettings,
} from "./transport-cases.ts";

/**
 * Publishes call number `index` to `queue` on a confirm channel, persistent and mandatory, with the properties our
 * transport sets (message id, content type, timestamp, `enqueued-at` header); resolves once the broker confirmed it.
 */
export function rawAmqpPublish(publisher: ConfirmChannel, queue: string): (index: number) => Promise<void> {
  return (index) =>
    new Promise((resolve, reject) => {
      const payload = encodedCall(index);
      const nowMs = Date.now();
      const options = {
        messageId: randomUUID(),
        contentType: ContentType.binary,
        timestamp: Math.floor(nowMs / 1000),
        headers: { [MetadataKey.enqueuedAt]: formatTimestamp(nowMs) },
        persistent: true,
        mandatory: true,
      };
      const content = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      publisher.publish("", queue, content, options, (error: unknown) => (error ? reject(toError(error)) : resolve()));
    });
}

/** amqplib itself: a confirm channel publishing, a consuming channel acking. */
export async function rawAmqpCase(settings: BenchSettings): Promise<BenchCase> {
  const amqp = await import("amqplib");
  const queue = `bench-transport-${settings.runId}-raw`;
  const connection = await amqp.connect(settings.amqpUrl);
  const publisher: ConfirmChannel = await connection.createConfirmChannel();
  await publisher.assertQueue(queue, { durable: true });
  await publisher.purgeQueue(queue);
  const publish = rawAmqpPublish(publisher, queue);
  const consume = async (count: number): Promise<number> => {
    const channel = await connection.createChannel();
    await channel.prefetch(settings.prefetch);
    const acks = ackCounter(count);
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message === null) return acks.failed(new Error("consumer cancelled by the broker"));
      try {
        readCall(message.content);
        channel.ack(message);
        acks.acked();
      } catch (error) {
        acks.failed(error);
      }
    });
    await acks.done;
    // A synchronous request after the acks: its reply means the broker has processed every one of them.
    await channel.prefetch(settings.prefetch);
    const lastAck = performance.now();
    await channel.cancel(consumerTag);
    await channel.close();
    return lastAck;
  };
  return {
    round: (count) =>
      timeRound(
        () => runConcurrently(count, settings.concurrency, publish),
        () => consume(count),
      ),
    close: async () => {
      await publisher.deleteQueue(queue);
      await connection.close();
    },
  };
}

/** The SDK client and queue of a raw SQS case, with the raw batched sender. */
async function rawSqsQueue(settings: BenchSettings, suffix: string) {
  const sdk = await import("@aws-sdk/client-sqs");
  const client = new sdk.SQSClient({
    endpoint: settings.sqsEndpoint,
    region: SQS_REGION,
    credentials: SQS_CREDENTIALS,
  });
  const created = await client.send(
    new sdk.CreateQueueCommand({ QueueName: `bench-transport-${settings.runId}-${suffix}` }),
  );
  const queueUrl = created.QueueUrl ?? "";
  const entry = (index: number, position: number): SendMessageBatchRequestEntry => {
    const payload = encodedCall(index);
    const id = randomUUID();
    const text = (value: string) => ({ DataType: "String", StringValue: value });
    return {
      Id: String(position),
      MessageBody: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("base64"),
      MessageAttributes: {
        [MetadataKey.contentType]: text(ContentType.binary),
        [MetadataKey.jobId]: text(id),
        [MetadataKey.enqueuedAt]: text(formatTimestamp(Date.now())),
      },
    };
  };
  /** SendMessageBatch of 10, as many calls in flight as our producer makes with the same outstanding calls. */
  const send = (count: number): Promise<void> =>
    runConcurrently(Math.ceil(count / SQS_BATCH), Math.ceil(settings.concurrency / SQS_BATCH), async (batch) => {
      const first = batch * SQS_BATCH;
      const size = Math.min(SQS_BATCH, count - first);
      const Entries = Array.from({ length: size }, (_, position) => entry(first + position, position));
      const answer = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
      if ((answer.Failed ?? []).length > 0)
        throw new Error(`SendMessageBatch failed: ${JSON.stringify(answer.Failed)}`);
    });
  return { sdk, client, queueUrl, send };
}

/** Decodes an SQS body (base64) as our transport does, then the Thrift call in it. */
function readSqsBody(body: string | undefined): void {
  const bytes = Buffer.from(body ?? "", "base64");
  readCall(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The SDK itself: batched sends, then `sqsPollers` loops of ReceiveMessage(10) and DeleteMessageBatch. */
export async function rawSqsCase(settings: BenchSettings): Promise<BenchCase> {
  const { sdk, client, queueUrl, send } = await rawSqsQueue(settings, "raw");
  const receive = async (): Promise<Message[]> => {
    const request = new sdk.ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: SQS_BATCH,
      WaitTimeSeconds: SQS_WAIT_SECONDS,
      VisibilityTimeout: LEASE_SECONDS,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
    });
    return (await client.send(request)).Messages ?? [];
  };
  const consume = async (count: number): Promise<number> => {
    let deleted = 0;
    let lastAck = 0;
    const poller = async (): Promise<void> => {
      while (deleted < count) {
        const messages = await receive();
        if (messages.length === 0) continue;
        for (const message of messages) readSqsBody(message.Body);
        const Entries = messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? "",
        }));
        const answer = await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
        if ((answer.Failed ?? []).length > 0) throw new Error(`DeleteMessageBatch failed: ${JSON.stringify(answer)}`);
        deleted += messages.length;
        lastAck = performance.now();
      }
    };
    await Promise.all(Array.from({ length: settings.sqsPollers }, poller));
    return lastAck;
  };
  return {
    round: (count) =>
      timeRound(
        () => send(count),
        () => consume(count),
      ),
    close: () => destroySqs(client),
  };
}

/** sqs-consumer: `sqsPollers` consumers with batchSize 10, one DeleteMessage per handled message. */
export async function sqsConsumerCase(settings: BenchSettings): Promise<BenchCase> {
  const { client, queueUrl, send } = await rawSqsQueue(settings, "sqs-consumer");
  const { Consumer } = await import("sqs-consumer");
  const consume = async (count: number): Promise<number> => {
    const acks = ackCounter(count);
    const consumers = Array.from({ length: settings.sqsPollers }, () => {
      const consumer = Consumer.create({
        queueUrl,
        sqs: client,
        batchSize: SQS_BATCH,
        waitTimeSeconds: SQS_WAIT_SECONDS,
        visibilityTimeout: LEASE_SECONDS,
        messageAttributeNames: ["All"],
        messageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
        handleMessage: (message) => {
          readSqsBody(message.Body);
          return Promise.resolve(message);
        },
      });
      consumer.on("message_processed", acks.acked);
      consumer.on("processing_error", acks.failed);
      consumer.on("error", acks.failed);
      consumer.start();
      return consumer;
    });
    try {
      return await acks.done;
    } finally {
      for (const consumer of consumers) consumer.stop();
      while (consumers.some((consumer) => consumer.status.isPolling)) await sleep(50);
    }
  };
  return {
    round: (count) =>
      timeRound(
        () => send(count),
        () => consume(count),
      ),
    close: () => destroySqs(client),
  };
}

function destroySqs(client: SQSClient): Promise<void> {
  client.destroy();
  return Promise.resolve();
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
