/**
 * The cross-language proof of docs/wire-format.md ("On each transport"): test/cross/python/queue_peer.py, a Python
 * program written from that document alone with nothing but stock Apache Thrift (the classes Debian's
 * `thrift --gen py` generates from idl/jobs.thrift), pika and the standard library, consumes what our transports
 * produced and produces what they consume:
 *
 * - SQS (fauxqs, JSON protocol over urllib): TypeScript → Python, inline and S3-offloaded (Extended Client
 *   pointers, followed with a path-style GET), binary and compact, multiplexed or not, then deleted with their S3
 *   objects; Python → TypeScript, with an offloaded message it uploaded itself.
 * - AMQP (RabbitMQ, pika): TypeScript → Python through basic.get and ack; Python → TypeScript read by the CLI's
 *   `recv`, run in-process, including a message whose enqueue time is only its `timestamp` property.
 * - HTTP, signed the Standard Webhooks way: TypeScript's producer → a Python receiver that verifies with hmac (and
 *   refuses a wrong key); Python's signed POSTs → our receiver, with a replay, a tampered body and a stale timestamp.
 *
 * Python is spawned once per direction and transport, never per message. Skipped (saying why) when Python's
 * thrift or pika, or the broker for the AMQP part, is missing, except under CI, where that fails. A first check,
 * which needs no Python, keeps the document's worked examples equal to what the code writes.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AmqpTransport,
  createProducer,
  decodeCallMessage,
  encodeCallMessage,
  formatTimestamp,
  HttpTransport,
  MessageType,
  protocolOfContentType,
  signWebhook,
  SqsTransport,
  uuidv7Timestamp,
  type CallOptions,
  type Delivery,
  type Receipt,
  type Transport,
} from "thrift-queue";
import { createThumbnailsClient, Thumbnails, type ThumbnailJob } from "../../examples/quickstart/gen/jobs.ts";
import { repoPath, runCli, stdoutText } from "../cli/run-cli.ts";
import { receiveUpTo } from "../conformance/receive-helpers.ts";
import { generatePython, PYTHON, stockPythonUnavailable } from "../cross/python/stock-codec.ts";
import { freePort } from "../unit/transport/http-test-support.ts";
import { cleanUpAfterAll, findAmqpBroker, underCi, withAmqpBroker } from "./amqp-broker.ts";
import { startTestFauxqs, type Fauxqs } from "./sqs-fauxqs.ts";

const PEER = fileURLToPath(new URL("../cross/python/queue_peer.py", import.meta.url));
const BUCKET = "cross-python-offload";
/** Small, so that a few hundred bytes of job go to S3. */
const OFFLOAD_THRESHOLD_BYTES = 1024;
const SECRET = `whsec_${Buffer.from("thrift-queue python queue peer key").toString("base64")}`;
const OTHER_SECRET = `whsec_${Buffer.from("a key the python receiver never saw").toString("base64")}`;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const DEADLINE_MS = Date.parse("2030-01-01T00:00:00.000Z");
const PRIORITY_NAMES: Record<number, string> = { 1: "LOW", 2: "NORMAL", 3: "HIGH" };
/** The IDL default of ThumbnailJob.priority (NORMAL), which Python's generated class always writes. */
const DEFAULT_PRIORITY = 2;

const unavailable = peerUnavailable();
const lookup = unavailable === undefined ? await findAmqpBroker() : undefined;

/** A ThumbnailJob as JSON, the form both sides build from. */
interface JobSpec {
  readonly imageId: string;
  readonly requestedAt: number;
  readonly priority?: number;
  readonly sizes?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly owner?: { readonly name: string; readonly accountId?: number };
}

/** One call for TypeScript to send. */
interface TsSend {
  readonly protocol: "binary" | "compact";
  readonly multiplexed: boolean;
  readonly job: JobSpec;
  readonly options?: CallOptions;
  /** Over the offload threshold: must go through S3 on SQS. */
  readonly large?: boolean;
}

/** One message for Python to send (see queue_peer.py). */
interface PySend {
  readonly protocol?: "binary" | "compact";
  readonly multiplexed?: boolean;
  readonly job?: JobSpec;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly omitEnqueuedAtHeader?: boolean;
  readonly delayMs?: number;
  readonly replayOf?: number;
  readonly tamper?: boolean;
  readonly ageSeconds?: number;
}

/** A message as queue_peer.py read it. */
interface PeerReport {
  readonly id: string;
  readonly metadata: Record<string, string>;
  readonly call: unknown;
  readonly problems: readonly string[];
  readonly pointer?: { readonly bucket: string; readonly key: string } | null;
  readonly [extra: string]: unknown;
}

/** A message as queue_peer.py sent it. */
interface PeerSent {
  readonly id: string;
  readonly metadata: Record<string, string>;
  readonly pointer?: { readonly s3BucketName: string; readonly s3Key: string } | null;
  readonly timestamp?: number;
}

const SMALL_JOB: JobSpec = {
  imageId: "img-small",
  requestedAt: 1700000000123456,
  priority: 3,
  sizes: ["64x64", "256x256"],
  labels: { source: "cross-test", ünïcode: "✓" },
  owner: { name: "web", accountId: 42 },
};
const BARE_JOB: JobSpec = { imageId: "img-bare", requestedAt: 1 };
const LARGE_JOB: JobSpec = {
  imageId: "img-large",
  requestedAt: 1700000000000000,
  priority: 1,
  sizes: Array.from({ length: 150 }, (_, index) => `${index * 8}x${index * 8}`),
};

const TS_SENDS: readonly TsSend[] = [
  {
    protocol: "binary",
    multiplexed: true,
    job: SMALL_JOB,
    options: { metadata: { tenant: "acme", "x-request.id": "r-1" }, traceparent: TRACEPARENT, deadline: DEADLINE_MS },
  },
  { protocol: "compact", multiplexed: true, job: BARE_JOB },
  { protocol: "compact", multiplexed: false, job: { ...SMALL_JOB, imageId: "img-plain" } },
  { protocol: "binary", multiplexed: true, job: LARGE_JOB, options: { metadata: { tenant: "big" } }, large: true },
];

const PY_SENDS: readonly PySend[] = [
  {
    protocol: "binary",
    job: SMALL_JOB,
    metadata: { "x-tenant": "py", "x-request.id": "r-2", traceparent: TRACEPARENT, deadline: "2030-01-01T00:00:00Z" },
  },
  { protocol: "compact", multiplexed: false, job: BARE_JOB },
  { protocol: "binary", job: LARGE_JOB, metadata: { "x-tenant": "py-big" } },
];

/** Why queue_peer.py cannot run here, or undefined when it can. */
function peerUnavailable(): string | undefined {
  const stock = stockPythonUnavailable();
  if (stock !== undefined) return stock;
  const probe = spawnSync(PYTHON, ["-c", "import pika"], { encoding: "utf8" });
  if (probe.status !== 0) return `${PYTHON} cannot import pika (install python3-pika): ${probe.stderr.trim()}`;
  return undefined;
}

/** The job as our generated code holds it. */
function tsJob(spec: JobSpec): ThumbnailJob {
  return {
    imageId: spec.imageId,
    requestedAt: BigInt(spec.requestedAt),
    ...(spec.priority === undefined ? {} : { priority: spec.priority as ThumbnailJob["priority"] }),
    ...(spec.sizes === undefined ? {} : { sizes: [...spec.sizes] }),
    ...(spec.labels === undefined ? {} : { labels: new Map(Object.entries(spec.labels)) }),
    ...(spec.owner === undefined
      ? {}
      : {
          owner: {
            name: spec.owner.name,
            ...(spec.owner.accountId === undefined ? {} : { accountId: BigInt(spec.owner.accountId) }),
          },
        }),
  };
}

/** The args as a reader that fills IDL defaults sees them (Python's generated classes, our decoder of them). */
function withDefaults(spec: JobSpec): JobSpec {
  return { ...spec, priority: spec.priority ?? DEFAULT_PRIORITY };
}

/** What queue_peer.py reports for a Thumbnails.render call of `spec`. */
function pythonCall(spec: JobSpec, multiplexed: boolean): unknown {
  return {
    name: multiplexed ? "Thumbnails:render" : "render",
    type: MessageType.ONEWAY,
    seqid: 0,
    service: multiplexed ? "Thumbnails" : null,
    method: "render",
    args: { job: withDefaults(spec) },
  };
}

/** Runs queue_peer.py `command` with `request` on stdin; `onFirstLine` sees its first line (http-serve's port). */
function spawnPeer<T>(
  generated: string,
  command: string,
  request: object,
  onFirstLine?: (line: unknown) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER, generated, command], { stdio: ["pipe", "pipe", "pipe"], timeout: 45_000 });
    let stdout = "";
    let stderr = "";
    let announced = onFirstLine === undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (!announced && stdout.includes("\n")) {
        announced = true;
        onFirstLine?.(JSON.parse(stdout.slice(0, stdout.indexOf("\n"))));
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`queue_peer.py ${command} failed (${code}): ${stderr}`));
        return;
      }
      const lines = stdout.trim().split("\n");
      resolve(JSON.parse(lines[lines.length - 1] ?? "null") as T);
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** Sends every call through `transport` with our generated client; resolves with the receipts, in order. */
function sendAll(transport: Transport, sends: readonly TsSend[]): Promise<Receipt[]> {
  return Promise.all(
    sends.map(({ protocol, multiplexed, job, options }) =>
      createThumbnailsClient(createProducer({ transport, protocol, multiplexed })).render({ job: tsJob(job) }, options),
    ),
  );
}

/** The metadata a TypeScript send carries: reserved keys from the receipt and options, user keys with `x-`. */
function sentMetadata(send: TsSend, receipt: Receipt): Record<string, string> {
  const user = Object.entries(send.options?.metadata ?? {}).map(([key, value]): [string, string] => [
    key.startsWith("x-") ? key : `x-${key}`,
    value,
  ]);
  const deadline = send.options?.deadline;
  return {
    ...Object.fromEntries(user),
    "content-type": `application/vnd.apache.thrift.${send.protocol}`,
    "job-id": receipt.jobId,
    "enqueued-at": receipt.enqueuedAt,
    ...(send.options?.traceparent === undefined ? {} : { traceparent: send.options.traceparent }),
    ...(deadline === undefined ? {} : { deadline: formatTimestamp(Number(deadline)) }),
  };
}

/** Checks Python's reports against what TypeScript sent: same ids, metadata, calls, and no rule broken. */
function expectReadByPython(
  reports: readonly PeerReport[],
  sends: readonly TsSend[],
  receipts: readonly Receipt[],
  extra: (send: TsSend, receipt: Receipt) => Record<string, unknown> = () => ({}),
): void {
  expect(reports.map((report) => report.id).sort()).toEqual(receipts.map((receipt) => receipt.jobId).sort());
  sends.forEach((send, index) => {
    const receipt = receipts[index]!;
    const report = reports.find((candidate) => candidate.id === receipt.jobId);
    expect(report).toEqual({
      id: receipt.jobId,
      metadata: sentMetadata(send, receipt),
      call: pythonCall(send.job, send.multiplexed),
      problems: [],
      ...extra(send, receipt),
    });
  });
}

/** Checks deliveries against what Python sent: same ids and metadata, and the calls decode with our code. */
function expectReadByTypeScript(
  deliveries: readonly Delivery[],
  sends: readonly PySend[],
  sent: readonly PeerSent[],
): void {
  expect(deliveries.map((delivery) => delivery.id).sort()).toEqual(sent.map((message) => message.id).sort());
  sends.forEach((send, index) => {
    const message = sent[index]!;
    expect(uuidv7Timestamp(message.id)).toBeGreaterThan(0);
    const delivery = deliveries.find((candidate) => candidate.id === message.id)!;
    expect({ metadata: delivery.metadata, attempt: delivery.attempt }).toEqual({
      metadata: message.metadata,
      attempt: 1,
    });
    const protocol = protocolOfContentType(delivery.metadata["content-type"]);
    expect(protocol).toBe(send.protocol);
    const call = decodeCallMessage([Thumbnails], delivery.payload, protocol === undefined ? {} : { protocol });
    const multiplexed = send.multiplexed ?? true;
    expect(call.header).toEqual({
      name: multiplexed ? "Thumbnails:render" : "render",
      type: MessageType.ONEWAY,
      seqid: 0,
    });
    expect(call.args).toEqual({ job: tsJob(withDefaults(send.job!)) });
  });
}

describe("the worked examples of docs/wire-format.md", () => {
  it("are what the code writes: payload bytes, SQS body and offload size, its MD5, the webhook signature", () => {
    const doc = readFileSync(repoPath("docs/wire-format.md"), "utf8");
    const flat = doc.replace(/\s+/g, " ");
    const job: ThumbnailJob = { imageId: "img-42", requestedAt: 1748779200000000n, priority: 3 };
    const payload = encodeCallMessage(Thumbnails, Thumbnails.methods["render"], { job }, { multiplexed: true });
    const hex = [...payload].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
    expect(flat).toContain(hex);
    const body = Buffer.from(payload).toString("base64");
    expect(doc).toContain(`"MessageBody": "${body}"`);
    expect(doc).toContain(`"MD5OfBody": "${createHash("md5").update(body).digest("hex")}"`);
    expect(doc).toContain(`"ExtendedPayloadSize": { "DataType": "Number", "StringValue": "${body.length}" }`);
    const secret = "whsec_dGhyaWZ0LXF1ZXVlIHdpcmUtZm9ybWF0IGV4YW1wbGUhIQ==";
    const id = "01972b5c-ee00-7000-8000-000000000042";
    const signed = signWebhook(secret, id, payload, Date.parse("2025-06-01T12:00:00.000Z"));
    expect(doc).toContain(`webhook-timestamp: ${signed["webhook-timestamp"]}`);
    expect(doc).toContain(`webhook-signature: ${signed["webhook-signature"]}`);
  });
});

describe("a Python peer (stock Thrift, pika, urllib) written from docs/wire-format.md", () => {
  if (unavailable !== undefined) {
    if (underCi()) {
      it("needs Python's thrift and pika under CI", () => {
        throw new Error(`CI is set but the Python queue peer cannot run: ${unavailable}`);
      });
    } else {
      it.skip(`skipped: ${unavailable} (set CI=1 to make this a failure)`, () => undefined);
    }
    return;
  }

  let workDir = "";
  let generated = "";
  const peer = <T>(command: string, request: object, onFirstLine?: (line: unknown) => void): Promise<T> =>
    spawnPeer<T>(generated, command, request, onFirstLine);

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), "thrift-queue-queue-peer-"));
    generated = generatePython(workDir, "jobs", repoPath("idl/jobs.thrift"), [repoPath("idl")]);
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  describe("SQS (fauxqs) with S3 offload", () => {
    let fauxqs: Fauxqs;
    const opened: SqsTransport[] = [];

    beforeAll(async () => {
      fauxqs = await startTestFauxqs();
      await fauxqs.createBucket(BUCKET);
    });
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
    });
    afterAll(async () => {
      await fauxqs.stop();
    });

    async function open(name: string): Promise<{ transport: SqsTransport; queueUrl: string }> {
      const transport = new SqsTransport({
        ...fauxqs.transportOptions,
        queue: `xpy-${name}-${randomUUID().slice(0, 8)}`,
        create: true,
        offloadBucket: BUCKET,
        offloadThresholdBytes: OFFLOAD_THRESHOLD_BYTES,
        leaseMs: 10_000,
      });
      opened.push(transport);
      const { main } = await transport.queueUrls();
      return { transport, queueUrl: main.url };
    }

    async function objectExists(key: string): Promise<boolean> {
      try {
        await fauxqs.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return true;
      } catch (error) {
        if ((error as Error).name === "NoSuchKey") return false;
        throw error;
      }
    }

    it("TypeScript → Python: inline and offloaded messages are read, decoded and deleted with their objects", async () => {
      const { transport, queueUrl } = await open("ts2py");
      const receipts = await sendAll(transport, TS_SENDS);
      const { received } = await peer<{ received: PeerReport[] }>("sqs-receive", {
        endpoint: fauxqs.endpoint,
        queueUrl,
        count: TS_SENDS.length,
      });
      const anyKey: unknown = expect.any(String);
      expectReadByPython(received, TS_SENDS, receipts, (send) => ({
        attempt: 1,
        pointer: send.large === true ? { bucket: BUCKET, key: anyKey } : null,
      }));
      const keys = received.flatMap((report) => (report.pointer ? [report.pointer.key] : []));
      expect(keys).toHaveLength(1);
      for (const key of keys) expect(await objectExists(key)).toBe(false);
      expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });

    it("Python → TypeScript: SendMessage with attributes, and an offloaded body Python uploaded itself", async () => {
      const { transport, queueUrl } = await open("py2ts");
      const { sent } = await peer<{ sent: PeerSent[] }>("sqs-send", {
        endpoint: fauxqs.endpoint,
        queueUrl,
        bucket: BUCKET,
        offloadThresholdBytes: OFFLOAD_THRESHOLD_BYTES,
        messages: PY_SENDS,
      });
      expect(sent.map((message) => message.pointer !== null)).toEqual([false, false, true]);
      const deliveries = await receiveUpTo(transport, PY_SENDS.length, { timeoutMs: 10_000, maxInFlight: 10 });
      expectReadByTypeScript(deliveries, PY_SENDS, sent);
      await Promise.all(deliveries.map((delivery) => delivery.ack()));
      const key = sent[2]?.pointer?.s3Key ?? "";
      expect(await objectExists(key)).toBe(false);
    });
  });

  describe("HTTP, signed the Standard Webhooks way", () => {
    const opened: HttpTransport[] = [];
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
    });

    function httpTransport(url: string, secret: string): HttpTransport {
      const transport = new HttpTransport({ url, secret, useEnvironment: false, maxSendAttempts: 1 });
      opened.push(transport);
      return transport;
    }

    it("TypeScript → Python: a receiver verifying with hmac takes our signed POSTs and refuses a wrong key", async () => {
      const sends = TS_SENDS.slice(0, 3);
      let port: (value: number) => void = () => undefined;
      const listening = new Promise<number>((resolve) => (port = resolve));
      const result = peer<{ received: PeerReport[]; refused: unknown[] }>(
        "http-serve",
        { secret: SECRET, path: "/thumbnails", count: sends.length },
        (line) => port((line as { port: number }).port),
      );
      const url = `http://127.0.0.1:${await Promise.race([listening, result.then(() => 0)])}/thumbnails`;
      const intruder = createThumbnailsClient(createProducer({ transport: httpTransport(url, OTHER_SECRET) }));
      const refusal: unknown = expect.stringContaining("401 UNAUTHORIZED: no signature matches");
      await expect(intruder.render({ job: tsJob(BARE_JOB) })).rejects.toMatchObject({
        code: "TRANSPORT_REJECTED",
        message: refusal,
      });
      const receipts = await sendAll(httpTransport(url, SECRET), sends);
      const { received, refused } = await result;
      expect(refused).toEqual([{ status: 401, reason: "no signature matches" }]);
      expectReadByPython(received, sends, receipts, () => ({ signed: true }));
    });

    it("Python → TypeScript: signed POSTs are held; a replay is a duplicate; tampered and stale ones get 401", async () => {
      const url = `http://127.0.0.1:${await freePort()}/jobs`;
      const receiver = httpTransport(url, SECRET);
      await receiver.listen();
      const sends: PySend[] = [
        PY_SENDS[0]!,
        { ...PY_SENDS[1]!, delayMs: 200 },
        { replayOf: 0 },
        { protocol: "binary", job: BARE_JOB, tamper: true },
        { protocol: "binary", job: BARE_JOB, ageSeconds: 6 * 60 },
      ];
      const { posts } = await peer<{ posts: (PeerSent & { status: number; answer: unknown })[] }>("http-post", {
        url,
        secret: SECRET,
        messages: sends,
      });
      expect(posts.map(({ status, answer }) => ({ status, answer }))).toEqual([
        { status: 202, answer: { id: posts[0]?.id, duplicate: false } },
        { status: 202, answer: { id: posts[1]?.id, duplicate: false } },
        { status: 202, answer: { id: posts[0]?.id, duplicate: true } },
        { status: 401, answer: { error: "UNAUTHORIZED", message: "no signature matches" } },
        { status: 401, answer: { error: "UNAUTHORIZED", message: "webhook-timestamp is more than 5 minutes old" } },
      ]);
      const deliveries = await receiveUpTo(receiver, 3, { timeoutMs: 1500, maxInFlight: 10 });
      expectReadByTypeScript(deliveries, sends.slice(0, 2), posts.slice(0, 2));
      await Promise.all(deliveries.map((delivery) => delivery.ack()));
    });
  });

  describe("AMQP (RabbitMQ, pika)", () => {
    withAmqpBroker("AMQP (RabbitMQ, pika)", lookup!, (broker) => {
      const { queues, transports } = cleanUpAfterAll(broker, [".dead"]);

      function open(): { transport: AmqpTransport; queue: string } {
        const queue = `tq-xpy-${randomUUID()}`;
        queues.push(queue);
        const transport = new AmqpTransport({ url: broker.url, queue });
        transports.push(transport);
        return { transport, queue };
      }

      it("TypeScript → Python: basic.get reads properties, headers and the call, then acks", async () => {
        const { transport, queue } = open();
        const receipts = await sendAll(transport, TS_SENDS);
        const { received } = await peer<{ received: PeerReport[] }>("amqp-receive", {
          url: broker.url,
          queue,
          count: TS_SENDS.length,
        });
        expectReadByPython(received, TS_SENDS, receipts, (_, receipt) => ({
          amqp: { timestamp: Math.floor(Date.parse(receipt.enqueuedAt) / 1000), deliveryMode: 2, attempt: 1 },
        }));
        expect(await transport.stats()).toMatchObject({ visible: 0 });
      });

      it("Python → TypeScript: what pika published is read by `thrift-queue recv`", async () => {
        const { transport, queue } = open();
        await transport.admin.create();
        const sends: PySend[] = [...PY_SENDS, { protocol: "compact", job: SMALL_JOB, omitEnqueuedAtHeader: true }];
        const { sent } = await peer<{ sent: PeerSent[] }>("amqp-send", { url: broker.url, queue, messages: sends });
        const url = new URL(broker.url);
        url.searchParams.set("queue", queue);
        const run = await runCli([
          "recv",
          "--idl",
          repoPath("idl/jobs.thrift"),
          "--transport",
          url.toString(),
          "--count",
          String(sends.length),
          "--timeout",
          "10",
        ]);
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
        const lines = stdoutText(run)
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as unknown);
        expect(lines).toEqual(
          sends.map((send, index) => {
            const message = sent[index]!;
            const job = withDefaults(send.job!);
            const metadata = send.omitEnqueuedAtHeader
              ? { ...message.metadata, "enqueued-at": formatTimestamp((message.timestamp ?? 0) * 1000) }
              : message.metadata;
            return {
              jobId: message.id,
              service: "Thumbnails",
              method: "render",
              args: { job: { ...job, priority: PRIORITY_NAMES[job.priority ?? DEFAULT_PRIORITY] } },
              metadata,
            };
          }),
        );
      });
    });
  });
});
