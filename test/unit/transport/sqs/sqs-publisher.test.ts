/** The send path, against a fake SQS and a fake S3: checks first, offload, batches, and the failed ids exactly. */
import { describe, expect, it } from "vitest";
import { TransportError, type OutgoingMessage } from "thrift-queue";
import type { PayloadStore } from "../../../../src/transport/sqs/s3-payload-store.ts";
import { resolveSqsOptions, type SqsTransportOptions } from "../../../../src/transport/sqs/sqs-options.ts";
import type { PayloadPointer } from "../../../../src/transport/sqs/sqs-pointer.ts";
import { SqsPublisher } from "../../../../src/transport/sqs/sqs-publisher.ts";
import { SqsQueues } from "../../../../src/transport/sqs/sqs-queues.ts";
import { message } from "../../../conformance/transport-conformance.ts";
import { fakeSqsApi, type FakeSqsOptions } from "./fake-sqs-api.ts";

const KiB = 1024;

/** An in-memory S3; `failPut` names keys whose upload fails. */
function fakePayloads(failPut: (pointer: PayloadPointer) => boolean = () => false): PayloadStore & {
  objects: Map<string, string>;
} {
  const objects = new Map<string, string>();
  return {
    objects,
    put(pointer, body) {
      if (failPut(pointer)) return Promise.reject(Object.assign(new Error("slow down"), { name: "SlowDown" }));
      objects.set(pointer.key, body);
      return Promise.resolve();
    },
    get: (pointer) => Promise.resolve(objects.get(pointer.key)),
    delete(pointer) {
      objects.delete(pointer.key);
      return Promise.resolve();
    },
    destroy: () => undefined,
  };
}

function publisherOf(options: Partial<SqsTransportOptions>, sqs: FakeSqsOptions = {}, payloads = fakePayloads()) {
  const resolved = resolveSqsOptions({ queue: "jobs", useEnvironment: false, ...options });
  const api = fakeSqsApi(sqs);
  const queues = new SqsQueues(api, resolved);
  const maxDelayMs = resolved.fifo ? 0 : 900_000;
  return { api, payloads, publisher: new SqsPublisher({ api, payloads, queues, options: resolved, maxDelayMs }) };
}

async function failureOf(sending: Promise<void>): Promise<TransportError> {
  const error = await sending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TransportError)) throw new Error(`expected a TransportError, got ${String(error)}`);
  return error;
}

function bodyOf(sent: OutgoingMessage): string {
  return Buffer.from(sent.payload).toString("base64");
}

describe("SqsPublisher", () => {
  it("sends base64 bodies with metadata attributes and rounds delays up to whole seconds", async () => {
    const { api, publisher } = publisherOf({});
    const sent = message("hello", { delayMs: 1001 });
    await publisher.publish([sent]);
    const [entry] = api.sends[0]?.entries ?? [];
    expect(api.sends[0]?.queueUrl).toBe("https://sqs.example/000000000000/jobs");
    expect(entry).toMatchObject({ Id: "0", MessageBody: bodyOf(sent), DelaySeconds: 2 });
    expect(entry?.MessageAttributes?.["job-id"]).toEqual({ DataType: "String", StringValue: sent.id });
    expect(entry?.MessageAttributes?.["x-tenant"]).toEqual({ DataType: "String", StringValue: "acme" });
  });

  it("gives FIFO messages their group and deduplication id, and refuses delays there", async () => {
    const { api, publisher } = publisherOf({ queue: "jobs.fifo" });
    const grouped = message("a", { groupId: "customer-7" });
    const plain = message("b", { deduplicationId: "dedup-1" });
    await publisher.publish([grouped, plain]);
    expect(api.sends[0]?.entries).toMatchObject([
      { MessageGroupId: "customer-7", MessageDeduplicationId: grouped.id },
      { MessageGroupId: "default", MessageDeduplicationId: "dedup-1" },
    ]);
    const delayed = message("c", { delayMs: 1000 });
    const refused = await failureOf(publisher.publish([delayed]));
    expect(refused).toMatchObject({ code: "TRANSPORT_INVALID_MESSAGE", messageIds: [delayed.id] });
  });

  it("rejects naming exactly the ids SQS did not accept; the others are sent", async () => {
    const batch = Array.from({ length: 12 }, (_, index) => message(`m${index}`));
    const refusedBody = bodyOf(batch[3] as OutgoingMessage);
    const flakyBody = bodyOf(batch[11] as OutgoingMessage);
    const { api, publisher } = publisherOf(
      {},
      {
        answer: (body, attempt) => {
          if (body === refusedBody) return { code: "InvalidParameterValue", senderFault: true };
          if (body === flakyBody && attempt === 1) return { code: "InternalError", senderFault: false };
          return "ok";
        },
      },
    );
    const error = await failureOf(publisher.publish(batch));
    expect(error).toMatchObject({ code: "TRANSPORT_REJECTED", retryable: false, messageIds: [batch[3]?.id] });
    expect(error.message).toMatch(/^1 of 12 messages were not sent: .*InvalidParameterValue/);
    const accepted = new Set(api.sends.flatMap((call) => call.entries.map((entry) => entry.MessageBody)));
    expect(accepted.size).toBe(12);
  });

  it("offloads bodies over the threshold; a failed upload fails only its message", async () => {
    const payloads = fakePayloads((pointer) => pointer.key.startsWith("fail/"));
    const { api, publisher } = publisherOf({ offloadBucket: "big", offloadKeyPrefix: "ok/" }, {}, payloads);
    const large = message(new Uint8Array(300 * KiB).fill(7));
    const small = message("small");
    await publisher.publish([large, small]);
    const [pointerEntry, inlineEntry] = api.sends[0]?.entries ?? [];
    const [, fields] = JSON.parse(pointerEntry?.MessageBody ?? "") as [string, { s3BucketName: string; s3Key: string }];
    expect(fields.s3BucketName).toBe("big");
    expect(payloads.objects.get(fields.s3Key)).toBe(bodyOf(large));
    expect(pointerEntry?.MessageAttributes?.["ExtendedPayloadSize"]).toEqual({
      DataType: "Number",
      StringValue: String(bodyOf(large).length),
    });
    expect(inlineEntry?.MessageBody).toBe(bodyOf(small));

    const failing = publisherOf({ offloadBucket: "big", offloadKeyPrefix: "fail/" }, {}, payloads);
    const error = await failureOf(failing.publisher.publish([message(new Uint8Array(300 * KiB)), small]));
    expect(error).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: true, messageIds: [expect.any(String)] });
    expect(error.message).toMatch(/S3 SlowDown/);
    expect(failing.api.sends[0]?.entries).toHaveLength(1);
  });

  it("deletes the S3 objects of offloaded messages SQS refused", async () => {
    const payloads = fakePayloads();
    const { publisher } = publisherOf(
      { offloadBucket: "big" },
      { answer: () => ({ code: "InvalidParameterValue", senderFault: true }) },
      payloads,
    );
    await failureOf(publisher.publish([message(new Uint8Array(300 * KiB))]));
    expect(payloads.objects.size).toBe(0);
  });

  it("refuses, before sending anything, payloads over the limit and messages too large for SQS", async () => {
    const { api, publisher } = publisherOf({ maxPayloadBytes: 1000 });
    const large = message(new Uint8Array(1001));
    const error = await failureOf(publisher.publish([message("fine"), large]));
    expect(error).toMatchObject({ code: "TRANSPORT_PAYLOAD_TOO_LARGE", messageIds: [large.id] });

    const inline = publisherOf({});
    const crowded = message(new Uint8Array(700 * KiB), { metadata: { "x-big": "v".repeat(100 * KiB) } });
    const tooBig = await failureOf(inline.publisher.publish([crowded]));
    expect(tooBig).toMatchObject({ code: "TRANSPORT_PAYLOAD_TOO_LARGE", messageIds: [crowded.id] });
    expect(tooBig.message).toMatch(/set offloadBucket/);
    expect([...api.sends, ...inline.api.sends]).toEqual([]);
  });

  it("splits inline messages into calls of at most 1 MiB", async () => {
    const { api, publisher } = publisherOf({});
    await publisher.publish(Array.from({ length: 10 }, () => message(new Uint8Array(200 * KiB))));
    const sizes = api.sends.map((call) =>
      call.entries.reduce((sum, entry) => sum + (entry.MessageBody ?? "").length, 0),
    );
    expect(api.sends.length).toBeGreaterThanOrEqual(4);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(1_048_576);
  });
});
