/** The AMQP wire mapping: envelope to publish options and back. */
import type { Message, MessageProperties } from "amqplib";
import { describe, expect, it } from "vitest";
import { ContentType, MetadataKey } from "thrift-queue";
import { enqueuedAtMs, publishOptions, readMessage } from "../../../../src/transport/amqp/amqp-wire.ts";

const envelope = {
  id: "01890a5d-ac96-774b-bcce-b302099a8057",
  payload: new Uint8Array([1, 2, 3]),
  metadata: {
    [MetadataKey.contentType]: ContentType.compact,
    [MetadataKey.jobId]: "01890a5d-ac96-774b-bcce-b302099a8057",
    [MetadataKey.enqueuedAt]: "2024-05-01T12:00:00.123Z",
    "x-tenant": "acme",
  },
};

function delivered(properties: Partial<MessageProperties>, content = Buffer.from([1, 2, 3])): Message {
  const fields = { deliveryTag: 1, redelivered: false, exchange: "", routingKey: "jobs" };
  return { content, fields, properties: properties as MessageProperties };
}

const asQueue = { countBrokerRedeliveries: false, fromDeadLetters: false };

describe("publishOptions", () => {
  it("maps the envelope to properties and headers", () => {
    const options = publishOptions(envelope, 1);
    expect(options).toMatchObject({
      messageId: envelope.id,
      contentType: ContentType.compact,
      timestamp: Math.floor(Date.parse("2024-05-01T12:00:00.123Z") / 1000),
      persistent: true,
      mandatory: true,
    });
    expect(options.headers).toEqual({ [MetadataKey.enqueuedAt]: "2024-05-01T12:00:00.123Z", "x-tenant": "acme" });
  });

  it("writes the attempt of the next delivery from the second on, and extra metadata", () => {
    const options = publishOptions(envelope, 3, { [MetadataKey.deadLetterReason]: "boom" });
    expect(options.headers).toMatchObject({ attempt: 3, [MetadataKey.deadLetterReason]: "boom" });
  });
});

describe("readMessage", () => {
  it("round-trips an envelope", () => {
    const options = publishOptions(envelope, 1);
    const read = readMessage(delivered(options), asQueue);
    expect(read).toEqual({ ok: true, envelope: { ...envelope, payload: new Uint8Array([1, 2, 3]) }, attempt: 1 });
  });

  it("counts the attempt header, and the quorum delivery count where asked", () => {
    const headers = { attempt: 2, "x-delivery-count": 2 };
    expect(readMessage(delivered({ messageId: "a", headers }), asQueue)).toMatchObject({ attempt: 2 });
    const quorum = { countBrokerRedeliveries: true, fromDeadLetters: false };
    expect(readMessage(delivered({ messageId: "a", headers }), quorum)).toMatchObject({ attempt: 4 });
  });

  it("keeps reserved and x- string headers only, never the broker's", () => {
    const headers: Record<string, unknown> = {
      "x-tenant": "acme",
      traceparent: "00-abc-def-01",
      foreign: "dropped",
      "x-first-death-reason": "expired",
      "x-death": [{ count: 1 }],
      "x-number": 5,
    };
    const read = readMessage(delivered({ messageId: "a", headers }), asQueue);
    expect(read.ok && read.envelope.metadata).toEqual({
      "x-tenant": "acme",
      traceparent: "00-abc-def-01",
      [MetadataKey.jobId]: "a",
    });
  });

  it("takes enqueued-at from the timestamp when the header is missing", () => {
    const read = readMessage(delivered({ messageId: "a", timestamp: 1_700_000_000 }), asQueue);
    expect(read.ok && read.envelope.metadata[MetadataKey.enqueuedAt]).toBe("2023-11-14T22:13:20.000Z");
  });

  it("refuses a message without a message_id", () => {
    const read = readMessage(delivered({}), asQueue);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toMatch(/message_id/);
  });

  it("hands out a dead letter without a message_id under a new id, with a reason", () => {
    const read = readMessage(delivered({}), { countBrokerRedeliveries: false, fromDeadLetters: true });
    expect(read.ok && read.envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(read.ok && read.envelope.metadata[MetadataKey.deadLetterReason]).toMatch(/message_id/);
  });

  it("names the broker's reason for a dead letter the broker made", () => {
    const headers = { "x-first-death-reason": "delivery_limit", "x-first-death-queue": "jobs" };
    const read = readMessage(delivered({ messageId: "a", headers }), {
      countBrokerRedeliveries: false,
      fromDeadLetters: true,
    });
    expect(read.ok && read.envelope.metadata[MetadataKey.deadLetterReason]).toBe(
      "dead-lettered by the broker: delivery_limit in jobs",
    );
    expect(read.ok && read.attempt).toBe(1);
  });
});

describe("enqueuedAtMs", () => {
  it("prefers the header, falls back to the timestamp", () => {
    const header = { [MetadataKey.enqueuedAt]: "2024-05-01T12:00:00.123Z" };
    expect(enqueuedAtMs(delivered({ headers: header, timestamp: 1 }))).toBe(Date.parse("2024-05-01T12:00:00.123Z"));
    expect(enqueuedAtMs(delivered({ timestamp: 2 }))).toBe(2000);
    expect(enqueuedAtMs(delivered({}))).toBeUndefined();
  });
});
