/** How envelopes map to SQS bodies and attributes, and back; the Extended Client pointer format. */
import type { Message } from "@aws-sdk/client-sqs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ContentType, MetadataKey } from "thrift-queue";
import {
  EXTENDED_PAYLOAD_SIZE_ATTRIBUTE,
  formatPointer,
  isOffloaded,
  parsePointer,
} from "../../../../src/transport/sqs/sqs-pointer.ts";
import {
  deadLetterAttributes,
  decodeBody,
  encodeBody,
  envelopeAttributes,
  isValidAttributeName,
  messageSize,
  readMessage,
  redriveAttributes,
  sendProblem,
  stringAttribute,
  type SqsAttributes,
} from "../../../../src/transport/sqs/sqs-wire.ts";

const ID = "0190c5a4-0000-7000-8000-000000000001";

describe("bodies", () => {
  it("are standard padded base64, and = for an empty payload", () => {
    expect(encodeBody(new Uint8Array([0xfb, 0xff]))).toBe("+/8=");
    expect(encodeBody(new Uint8Array(0))).toBe("=");
    expect(decodeBody("=")).toEqual(new Uint8Array(0));
    expect(decodeBody("+/8=")).toEqual(new Uint8Array([0xfb, 0xff]));
  });

  it("refuse what is not padded base64", () => {
    for (const bad of ["", "abc", "ab==x", "-_8=", "YQ", "not base64!", "YQ==YQ=="])
      expect(decodeBody(bad)).toBeUndefined();
  });

  it("round-trip any payload, including views into larger buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, offset) => {
        const backing = new Uint8Array(bytes.length + offset + 3);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.length);
        expect(decodeBody(encodeBody(view))).toEqual(bytes);
      }),
    );
  });
});

describe("attributes", () => {
  const envelope = {
    id: ID,
    payload: new Uint8Array([1]),
    metadata: { [MetadataKey.contentType]: ContentType.binary, [MetadataKey.jobId]: "stale", "x-tenant": "acme" },
  };

  it("carry metadata as String attributes, job-id being the envelope id", () => {
    expect(envelopeAttributes(envelope)).toEqual({
      "content-type": { DataType: "String", StringValue: ContentType.binary },
      "job-id": { DataType: "String", StringValue: ID },
      "x-tenant": { DataType: "String", StringValue: "acme" },
    });
  });

  it("count toward the size as SQS counts: body, then name, data type and value of each", () => {
    expect(messageSize("AAAA")).toBe(4);
    expect(messageSize("AAAA", { "x-a": stringAttribute("bc") })).toBe(4 + 3 + 6 + 2);
    expect(messageSize("é", { n: { DataType: "Binary", BinaryValue: new Uint8Array(5) } })).toBe(2 + 1 + 6 + 5);
  });

  it("names follow SQS's rules", () => {
    for (const good of ["job-id", "x-tenant", "x-a.b", "ExtendedPayloadSize"])
      expect(isValidAttributeName(good)).toBe(true);
    for (const bad of ["", ".x", "x.", "x..y", "aws.x", "Amazon.y", "x y", "a".repeat(257)]) {
      expect(isValidAttributeName(bad)).toBe(false);
    }
  });
});

describe("sendProblem", () => {
  const limits = { maxDelayMs: 900_000, maxMetadataEntries: 9 };
  const base = { id: ID, payload: new Uint8Array(0), metadata: {} };

  it("accepts a plain message", () => {
    expect(sendProblem(base, limits)).toBeUndefined();
  });

  it("names what SQS cannot carry", () => {
    expect(sendProblem({ ...base, delayMs: 900_001 }, limits)).toMatch(/delay must be from 0 to 900000/);
    expect(sendProblem({ ...base, delayMs: 1 }, { ...limits, maxDelayMs: 0 })).toMatch(/FIFO/);
    expect(sendProblem({ ...base, metadata: { "x-a": "" } }, limits)).toMatch(/empty/);
    expect(sendProblem({ ...base, metadata: { "x-a": "\u0000" } }, limits)).toMatch(/characters/);
    expect(sendProblem({ ...base, metadata: { "x-a..b": "v" } }, limits)).toMatch(/attribute name/);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`x-${index}`, "v"]));
    expect(sendProblem({ ...base, metadata: many }, limits)).toMatch(/10 metadata entries.*at most 9/);
    expect(sendProblem({ ...base, id: "" }, limits)).toMatch(/id/);
  });
});

function received(body: string, attributes: SqsAttributes, system: Record<string, string> = {}): Message {
  return { MessageId: "sqs-1", ReceiptHandle: "h", Body: body, MessageAttributes: attributes, Attributes: system };
}

describe("readMessage", () => {
  it("reads an envelope: metadata from reserved and x- String attributes, attempt from the receive count", () => {
    const read = readMessage(
      received(
        "AQI=",
        {
          "job-id": stringAttribute(ID),
          "x-tenant": stringAttribute("acme"),
          foreign: stringAttribute("ignored"),
          "x-number": { DataType: "Number", StringValue: "3" },
        },
        { ApproximateReceiveCount: "3", SentTimestamp: "1700000000000" },
      ),
    );
    expect(read).toEqual({
      ok: true,
      id: ID,
      metadata: { "job-id": ID, "x-tenant": "acme", "enqueued-at": "2023-11-14T22:13:20.000Z" },
      body: { payload: new Uint8Array([1, 2]) },
      attempt: 3,
    });
  });

  it("reads a pointer when the message is marked as offloaded", () => {
    const pointer = formatPointer({ bucket: "b1", key: "k/1" });
    const read = readMessage(
      received(pointer, {
        "job-id": stringAttribute(ID),
        [EXTENDED_PAYLOAD_SIZE_ATTRIBUTE]: { DataType: "Number", StringValue: "8" },
      }),
    );
    expect(read).toMatchObject({ ok: true, id: ID, body: { pointer: { bucket: "b1", key: "k/1" } }, attempt: 1 });
  });

  it("reports what is not an envelope", () => {
    expect(readMessage(received("AQI=", {}))).toEqual({
      ok: false,
      reason: "TRANSPORT_INVALID_MESSAGE: no job-id attribute",
    });
    expect(readMessage(received("not base64!", { "job-id": stringAttribute(ID) }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not padded base64/) as unknown,
    });
    const offloaded = { "job-id": stringAttribute(ID), SQSLargePayloadSize: stringAttribute("3") };
    expect(readMessage(received("AQI=", offloaded))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/pointer/) as unknown,
    });
  });
});

describe("dead-letter attributes", () => {
  it("add the reason, replacing an earlier one", () => {
    const attributes = { "job-id": stringAttribute(ID), "dead-letter-reason": stringAttribute("old") };
    expect(deadLetterAttributes(attributes, "new", "AAAA", 1_048_576)).toEqual({
      "job-id": stringAttribute(ID),
      "dead-letter-reason": stringAttribute("new"),
    });
    expect(redriveAttributes(attributes)).toEqual({ "job-id": stringAttribute(ID) });
  });

  it("keep within 10 attributes: foreign ones go first, then user keys, last first", () => {
    const attributes: SqsAttributes = { "job-id": stringAttribute(ID), ExtendedPayloadSize: stringAttribute("9") };
    for (let index = 0; index < 7; index++) attributes[`x-${index}`] = stringAttribute("v");
    attributes["foreign-1"] = stringAttribute("v");
    attributes["foreign-2"] = stringAttribute("v");
    attributes["x-last"] = stringAttribute("v");
    const copy = deadLetterAttributes(attributes, "why", "AAAA", 1_048_576);
    expect(Object.keys(copy)).toHaveLength(10);
    expect(Object.keys(copy)).not.toContain("foreign-1");
    expect(Object.keys(copy)).not.toContain("foreign-2");
    expect(Object.keys(copy)).not.toContain("x-last");
    expect(copy["x-6"]).toBeDefined();
    expect(copy["ExtendedPayloadSize"]).toBeDefined();
    expect(copy["dead-letter-reason"]).toEqual(stringAttribute("why"));
  });

  it("cut a long reason to what fits", () => {
    const copy = deadLetterAttributes({}, "r".repeat(5000), "AAAA", 1_048_576);
    expect(copy["dead-letter-reason"]?.StringValue).toMatch(/^r{1021}\.\.\.$/);
    const tight = deadLetterAttributes({}, "r".repeat(500), "A".repeat(1000), 1100);
    expect(messageSize("A".repeat(1000), tight)).toBeLessThanOrEqual(1100);
  });
});

describe("Extended Client pointers", () => {
  it("are written byte for byte as the AWS libraries write them", () => {
    expect(formatPointer({ bucket: "my-bucket", key: "0f8e-1" })).toBe(
      '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"my-bucket","s3Key":"0f8e-1"}]',
    );
  });

  it("are read in the current and the legacy class names, and nothing else", () => {
    const legacy = '["com.amazon.sqs.javamessaging.MessageS3Pointer",{"s3BucketName":"b","s3Key":"k"}]';
    expect(parsePointer(legacy)).toEqual({ bucket: "b", key: "k" });
    expect(parsePointer(formatPointer({ bucket: "b", key: "k" }))).toEqual({ bucket: "b", key: "k" });
    for (const bad of [
      "",
      "[]",
      "{}",
      '["other",{"s3BucketName":"b","s3Key":"k"}]',
      '["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b"}]',
    ]) {
      expect(parsePointer(bad)).toBeUndefined();
    }
  });

  it("are marked by ExtendedPayloadSize or the legacy SQSLargePayloadSize", () => {
    const text = { DataType: "String", StringValue: "x" };
    expect(isOffloaded({ "job-id": text, ExtendedPayloadSize: text })).toBe(true);
    expect(isOffloaded({ SQSLargePayloadSize: text })).toBe(true);
    expect(isOffloaded({ "job-id": text })).toBe(false);
  });
});
