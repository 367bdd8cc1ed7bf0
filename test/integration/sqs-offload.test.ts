/**
 * S3 offload of the SQS transport against fauxqs: bodies over the threshold go to S3 in the AWS SQS Extended
 * Client format (checked on the raw SQS message), come back intact, and their objects are deleted after the ack
 * unless kept; a message whose object is gone is dead-lettered with the reason; a message written the way the
 * Extended Client writes it is read.
 */
import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MetadataKey, SqsTransport, type SqsTransportOptions } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne, receiveUpTo } from "../conformance/receive-helpers.ts";
import { startTestFauxqs, type Fauxqs } from "./sqs-fauxqs.ts";

const BUCKET = "thrift-queue-offload";
const POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";
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

async function open(options: Partial<SqsTransportOptions> = {}): Promise<SqsTransport> {
  const transport = new SqsTransport({
    ...fauxqs.transportOptions,
    queue: `offload-${randomUUID().slice(0, 8)}`,
    create: true,
    offloadBucket: BUCKET,
    leaseMs: 5000,
    ...options,
  });
  opened.push(transport);
  await transport.queueUrls();
  return transport;
}

/** A payload of `size` bytes that no two calls share. */
function payloadOf(size: number): Uint8Array {
  const seed = Math.floor(Math.random() * 251);
  return new Uint8Array(size).map((_, index) => (index + seed) % 251);
}

/** Reads the next raw SQS message of the queue and leaves it visible again at once. */
async function peekRaw(transport: SqsTransport): Promise<Message> {
  const { main } = await transport.queueUrls();
  const output = await fauxqs.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: main.url,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 5,
      MessageAttributeNames: ["All"],
    }),
  );
  const [raw] = output.Messages ?? [];
  if (!raw) throw new Error("no raw message");
  return raw;
}

async function objectText(key: string): Promise<string | undefined> {
  try {
    const output = await fauxqs.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await output.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

function pointerKey(raw: Message): string {
  const [, fields] = JSON.parse(raw.Body ?? "") as [string, { s3Key: string }];
  return fields.s3Key;
}

describe("SQS transport: S3 offload", () => {
  it("writes the Extended Client pointer and ExtendedPayloadSize, reads the payload back, deletes the object on ack", async () => {
    const transport = await open({ offloadKeyPrefix: "tq/" });
    const sent = message(payloadOf(300 * 1024));
    await transport.send([sent]);

    const raw = await peekRaw(transport);
    const key = pointerKey(raw);
    expect(key).toMatch(/^tq\/[0-9a-f-]{36}$/);
    expect(raw.Body).toBe(`["${POINTER_CLASS}",{"s3BucketName":"${BUCKET}","s3Key":"${key}"}]`);
    const base64 = Buffer.from(sent.payload).toString("base64");
    expect(raw.MessageAttributes?.["ExtendedPayloadSize"]).toEqual({
      DataType: "Number",
      StringValue: String(base64.length),
    });
    expect(raw.MessageAttributes?.[MetadataKey.jobId]?.StringValue).toBe(sent.id);
    expect(await objectText(key)).toBe(base64);

    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(delivery.id).toBe(sent.id);
    expect(delivery.payload).toEqual(sent.payload);
    expect(delivery.metadata).toMatchObject(sent.metadata);
    await delivery.ack();
    expect(await objectText(key)).toBeUndefined();
  });

  it("keeps the object after the ack when configured to", async () => {
    const transport = await open({ keepOffloadedPayloads: true });
    await transport.send([message(payloadOf(400 * 1024))]);
    const key = pointerKey(await peekRaw(transport));
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    await delivery.ack();
    expect(await objectText(key)).toBeDefined();
  });

  it("sends messages at or under the threshold inline", async () => {
    const transport = await open({ offloadThresholdBytes: 64 * 1024 });
    const sent = message(payloadOf(40 * 1024));
    await transport.send([sent]);
    const raw = await peekRaw(transport);
    expect(raw.Body).toBe(Buffer.from(sent.payload).toString("base64"));
    expect(raw.MessageAttributes?.["ExtendedPayloadSize"]).toBeUndefined();
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(delivery.payload).toEqual(sent.payload);
    await delivery.ack();
  });

  it("dead-letters a message whose S3 object is gone, with the reason, and keeps delivering", async () => {
    const transport = await open();
    const lost = message(payloadOf(300 * 1024));
    await transport.send([lost]);
    const key = pointerKey(await peekRaw(transport));
    await fauxqs.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const good = message("still here");
    await transport.send([good]);

    // Only the good message is handed out; the lost one goes to the dead-letter queue.
    const delivered = await receiveUpTo(transport, 2, { timeoutMs: 3000 });
    expect(delivered.map((delivery) => delivery.id)).toEqual([good.id]);
    await Promise.all(delivered.map((delivery) => delivery.ack()));
    const dead = await receiveOne(transport, { timeoutMs: 10_000, deadLetters: true });
    expect(dead.id).toBe(lost.id);
    expect(dead.metadata[MetadataKey.deadLetterReason]).toBe(
      `TRANSPORT_INVALID_MESSAGE: the offloaded payload s3://${BUCKET}/${key} is gone`,
    );
    expect(new TextDecoder().decode(dead.payload)).toContain(POINTER_CLASS);
    await dead.ack();
    expect(await receiveUpTo(transport, 1, { timeoutMs: 2000 })).toEqual([]);
  });

  it("keeps the object of a dead-lettered message until the dead letter is acked", async () => {
    const transport = await open();
    const sent = message(payloadOf(300 * 1024));
    await transport.send([sent]);
    const key = pointerKey(await peekRaw(transport));
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    await delivery.deadLetter("declared failure");
    expect(await objectText(key)).toBeDefined();
    const dead = await receiveOne(transport, { timeoutMs: 10_000, deadLetters: true });
    expect(dead.payload).toEqual(sent.payload);
    expect(dead.metadata[MetadataKey.deadLetterReason]).toBe("declared failure");
    await dead.ack();
    expect(await objectText(key)).toBeUndefined();
  });

  it("reads a message offloaded the way the AWS Extended Client writes it", async () => {
    const transport = await open();
    const { main } = await transport.queueUrls();
    const payload = payloadOf(2000);
    const body = Buffer.from(payload).toString("base64");
    const key = randomUUID();
    await fauxqs.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await fauxqs.sqs.send(
      new SendMessageCommand({
        QueueUrl: main.url,
        MessageBody: JSON.stringify([POINTER_CLASS, { s3BucketName: BUCKET, s3Key: key }]),
        MessageAttributes: {
          ExtendedPayloadSize: { DataType: "Number", StringValue: String(body.length) },
          "job-id": { DataType: "String", StringValue: "0190c5a4-0000-7000-8000-000000000001" },
          "content-type": { DataType: "String", StringValue: "application/vnd.apache.thrift.compact" },
        },
      }),
    );
    const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
    expect(delivery.id).toBe("0190c5a4-0000-7000-8000-000000000001");
    expect(delivery.payload).toEqual(payload);
    expect(delivery.metadata[MetadataKey.contentType]).toBe("application/vnd.apache.thrift.compact");
    await delivery.ack();
    expect(await objectText(key)).toBeUndefined();
  });
});
