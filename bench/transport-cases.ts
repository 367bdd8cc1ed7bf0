/**
 * The cases `npm run bench:transport` measures, each doing the same work: N `Thumbnails.render` calls sent with a
 * bounded number outstanding, then received, decoded and acknowledged until all N are acked. Every peer encodes
 * each call with thrift-queue's codec and decodes each payload, so the ratio measures only what lies between the
 * codec and the broker.
 *
 * thrift-queue ("ours"), here: the generated client of examples/quickstart/gen/jobs.ts over `createProducer`, then
 * one `transport.receive({ maxInFlight })` iteration that decodes each payload with `decodeCallMessage` and acks it.
 * The brokers' own clients are in bench/transport-raw-cases.ts.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import {
  AmqpTransport,
  createProducer,
  decodeCallMessage,
  encodeCallMessage,
  HttpTransport,
  MemoryTransport,
  SqliteTransport,
  SqsTransport,
  type Transport,
} from "../src/index.ts";
import { Priority } from "../examples/quickstart/gen/common.ts";
import { createThumbnailsClient, Thumbnails, type ThumbnailJob } from "../examples/quickstart/gen/jobs.ts";

/** The transports measured. */
export type TransportName = "memory" | "sqlite" | "amqp" | "sqs" | "http";
/** Who does the work: thrift-queue, the broker's own client, or the sqs-consumer package. */
export type PeerName = "ours" | "raw" | "sqs-consumer";

/** One case: a transport and a peer. */
export interface CaseId {
  readonly transport: TransportName;
  readonly peer: PeerName;
}

/** How the cases run; the same for every peer of a transport. */
export interface BenchSettings {
  /** Calls (messages) outstanding at once while sending. */
  readonly concurrency: number;
  /** Our producer's `maxBatchMessages`; undefined for its default. */
  readonly batchMessages: number | undefined;
  /** Unsettled deliveries a consumer holds (maxInFlight, AMQP prefetch). */
  readonly prefetch: number;
  /** SQS: concurrent ReceiveMessage calls (our transport's `pollers`); maxInFlight is 10 per poller. */
  readonly sqsPollers: number;
  /** Most messages of a round, for the HTTP receiver's buffer. */
  readonly maxMessages: number;
  readonly amqpUrl: string;
  /** fauxqs, started by the main thread. */
  readonly sqsEndpoint: string;
  /** Distinguishes this run's queues and files from any other's. */
  readonly runId: string;
}

/** How long each phase of a round took, and the CPU time the peer's thread used in it. */
export interface RoundTiming {
  readonly sendMs: number;
  readonly receiveMs: number;
  readonly sendCpuMs: number;
  readonly receiveCpuMs: number;
}

/** A peer, set up once: rounds send `count` messages then receive and ack them all. */
export interface BenchCase {
  round(count: number): Promise<RoundTiming>;
  close(): Promise<void>;
}

/** fauxqs takes any region and credentials; fixed ones keep the SDK from looking for real ones. */
export const SQS_REGION = "us-east-1";
export const SQS_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
/** SQS's most messages per SendMessageBatch, ReceiveMessage and DeleteMessageBatch. */
export const SQS_BATCH = 10;
/**
 * A short long poll: within a round the queue is never empty, so the wait never applies until the end, where every
 * peer's last polls run out by themselves. They are never aborted: SQS (and fauxqs) keep serving an abandoned
 * ReceiveMessage, and the messages it takes in the next round would stay invisible for a whole lease.
 */
export const SQS_WAIT_SECONDS = 1;
/** Every peer's lease (visibility timeout): our transports' default. */
export const LEASE_SECONDS = 30;
const RENDER = Thumbnails.methods["render"];

/** The job of call number `index`; every peer sends the same ones. */
export function thumbnailJob(index: number): ThumbnailJob {
  return {
    imageId: `img-${String(index).padStart(8, "0")}`,
    requestedAt: 1_767_225_600_000_000n + BigInt(index),
    priority: Priority.HIGH,
    sizes: ["64x64", "256x256", "1024x1024"],
    labels: new Map([
      ["tenant", "acme"],
      ["source", "upload"],
    ]),
    owner: { name: "ada", accountId: 7n },
  };
}

/** The payload of call number `index`, as our producer encodes it (binary, multiplexed). */
export function encodedCall(index: number): Uint8Array {
  return encodeCallMessage(Thumbnails, RENDER, { job: thumbnailJob(index) }, { multiplexed: true });
}

/** Decodes a received payload as a worker would; throws unless it is a render call with its job. */
export function readCall(payload: Uint8Array): void {
  const call = decodeCallMessage([Thumbnails], payload);
  const args = call.args as { job?: ThumbnailJob };
  if (call.method !== RENDER || args.job === undefined) throw new Error("received something else than a render call");
}

/** Runs `task(0 … count-1)` with at most `concurrency` running: each of that many callers works in turn. */
export async function runConcurrently(count: number, concurrency: number, task: (index: number) => Promise<void>) {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, caller));
}

/**
 * Times the two phases of a round: `receive` resolves with the moment (performance.now()) its last ack was done, so
 * that cleaning up after it (cancelling a consumer, ending an iteration) is not counted.
 */
export async function timeRound(send: () => Promise<void>, receive: () => Promise<number>): Promise<RoundTiming> {
  const cpuMs = (): number => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  const startedCpu = cpuMs();
  const started = performance.now();
  await send();
  const sent = performance.now();
  const sentCpu = cpuMs();
  const lastAck = await receive();
  return {
    sendMs: sent - started,
    receiveMs: lastAck - sent,
    sendCpuMs: sentCpu - startedCpu,
    receiveCpuMs: cpuMs() - sentCpu,
  };
}

/** Counts acks; `done` resolves with the moment the `count`th was done, and rejects on the first failure. */
export interface AckCounter {
  readonly acked: () => void;
  readonly failed: (error: unknown) => void;
  readonly done: Promise<number>;
}

/** An {@link AckCounter} for `count` acks. */
export function ackCounter(count: number): AckCounter {
  let resolve: (lastAck: number) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<number>((onDone, onFailure) => {
    resolve = onDone;
    reject = onFailure;
  });
  let acked = 0;
  return {
    acked: () => {
      if (++acked === count) resolve(performance.now());
    },
    failed: reject,
    done: promise,
  };
}

/** The transport a producer sends through and the one a consumer receives from (the same object but for HTTP). */
interface OurTransports {
  readonly producer: Transport;
  readonly consumer: Transport;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

async function openOurTransports(name: TransportName, settings: BenchSettings): Promise<OurTransports> {
  const queue = `bench-transport-${settings.runId}`;
  const single = (transport: Transport, cleanUp: () => Promise<void> = async () => {}): OurTransports => ({
    producer: transport,
    consumer: transport,
    maxInFlight: settings.prefetch,
    close: async () => {
      await transport.close({ drainTimeoutMs: 0 });
      await cleanUp();
    },
  });
  switch (name) {
    case "memory":
      return single(new MemoryTransport({ queue }));
    case "sqlite": {
      const path = join(tmpdir(), `${queue}.db`);
      const files = [path, `${path}-wal`, `${path}-shm`];
      return single(new SqliteTransport({ path, queue }), () => removeFiles(files));
    }
    case "amqp": {
      const transport = new AmqpTransport({ url: settings.amqpUrl, queue });
      await transport.connect();
      await transport.purge();
      return single(transport, () => deleteAmqpQueues(settings.amqpUrl, transport.queueNames()));
    }
    case "sqs": {
      const transport = new SqsTransport({
        queue,
        endpoint: settings.sqsEndpoint,
        region: SQS_REGION,
        credentials: SQS_CREDENTIALS,
        useEnvironment: false,
        create: true,
        pollers: settings.sqsPollers,
        waitTimeSeconds: SQS_WAIT_SECONDS,
        leaseMs: LEASE_SECONDS * 1000,
      });
      await transport.createQueues();
      return { ...single(transport), maxInFlight: settings.sqsPollers * SQS_BATCH };
    }
    case "http": {
      const base = { queue, useEnvironment: false } as const;
      const receiver = new HttpTransport({
        ...base,
        url: `http://127.0.0.1/${queue}`,
        port: 0,
        maxPending: Math.max(1000, settings.maxMessages),
      });
      const { port } = await receiver.listen();
      const producer = new HttpTransport({ ...base, url: `http://127.0.0.1:${port}/${queue}` });
      return {
        producer,
        consumer: receiver,
        maxInFlight: settings.prefetch,
        close: async () => {
          await producer.close({ drainTimeoutMs: 0 });
          await receiver.close({ drainTimeoutMs: 0 });
        },
      };
    }
  }
}

/** Generated client calls through a producer, then one receive iteration that decodes and acks. */
async function ourCase(name: TransportName, settings: BenchSettings): Promise<BenchCase> {
  const transports = await openOurTransports(name, settings);
  const producer = createProducer({
    transport: transports.producer,
    maxPendingMessages: settings.concurrency,
    ...(settings.batchMessages === undefined ? {} : { maxBatchMessages: settings.batchMessages }),
  });
  const thumbnails = createThumbnailsClient(producer);
  const consume = async (count: number): Promise<number> => {
    const acks = ackCounter(count);
    let received = 0;
    for await (const delivery of transports.consumer.receive({ maxInFlight: transports.maxInFlight })) {
      readCall(delivery.payload);
      delivery.ack().then(acks.acked, acks.failed);
      if (++received === count) break;
    }
    return acks.done;
  };
  return {
    round: (count) =>
      timeRound(
        () =>
          runConcurrently(count, settings.concurrency, async (index) => {
            await thumbnails.render({ job: thumbnailJob(index) });
          }),
        () => consume(count),
      ),
    close: () => transports.close(),
  };
}

/** Sets up one case; the raw clients' module (and with it amqplib or the SDK) loads only for theirs. */
export async function openCase(id: CaseId, settings: BenchSettings): Promise<BenchCase> {
  if (id.peer === "ours") return ourCase(id.transport, settings);
  const raw = await import("./transport-raw-cases.ts");
  if (id.peer === "sqs-consumer") return raw.sqsConsumerCase(settings);
  if (id.transport === "amqp") return raw.rawAmqpCase(settings);
  if (id.transport === "sqs") return raw.rawSqsCase(settings);
  throw new Error(`no raw client for ${id.transport}`);
}

/** Deletes our transport's queues once its case is done. */
export async function deleteAmqpQueues(url: string, queues: readonly string[]): Promise<void> {
  const amqp = await import("amqplib");
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  await connection.close();
}

async function removeFiles(files: readonly string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
