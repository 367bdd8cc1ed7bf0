/** SendMessageBatch sending: valid batches, concurrent or in order, and exactly the failed ids reported. */
import { describe, expect, it } from "vitest";
import { TransportError } from "thrift-queue";
import { failureError, sendEntries, type OutgoingEntry } from "../../../../src/transport/sqs/sqs-sender.ts";
import { fakeSqsApi } from "./fake-sqs-api.ts";

const KiB = 1024;

function entry(id: string, size = 100): OutgoingEntry {
  return { id, request: { MessageBody: id }, size };
}

function entries(count: number, size?: number): OutgoingEntry[] {
  return Array.from({ length: count }, (_, index) => entry(`e${index}`, size));
}

describe("sendEntries", () => {
  it("splits by count into calls of at most 10 entries, numbering entries within each call", async () => {
    const api = fakeSqsApi();
    expect(await sendEntries(api, "q", entries(23), { sequential: false })).toEqual([]);
    expect(api.sends.map((call) => call.entries.length).sort()).toEqual([10, 10, 3]);
    for (const call of api.sends)
      expect(call.entries.map((sent) => sent.Id)).toEqual(call.entries.map((_, i) => String(i)));
    const bodies = api.sends.flatMap((call) => call.entries.map((sent) => sent.MessageBody)).sort();
    expect(bodies).toEqual(
      entries(23)
        .map((sent) => sent.id)
        .sort(),
    );
  });

  it("splits by size so that no call carries more than 1 MiB", async () => {
    const api = fakeSqsApi();
    await sendEntries(api, "q", entries(8, 300 * KiB), { sequential: false });
    expect(api.sends.map((call) => call.entries.length)).toEqual([3, 3, 2]);
  });

  it("reports exactly the entries SQS refused, and tries again those it failed on its side", async () => {
    const api = fakeSqsApi({
      answer: (body, attempt) => {
        if (body === "e3") return { code: "InvalidMessageContents", senderFault: true };
        if (body === "e7" && attempt === 1) return { code: "InternalError", senderFault: false };
        return "ok";
      },
    });
    const failures = await sendEntries(api, "q", entries(12), { sequential: false, retryDelayMs: 1 });
    expect(failures).toEqual([{ id: "e3", code: "InvalidMessageContents", message: "no", retryable: false }]);
    expect(api.sends.filter((call) => call.entries.some((sent) => sent.MessageBody === "e7"))).toHaveLength(2);
  });

  it("gives up on entries SQS keeps failing on its side after the retries, as retryable", async () => {
    const api = fakeSqsApi({
      answer: (body) => (body === "e1" ? { code: "InternalError", senderFault: false } : "ok"),
    });
    const failures = await sendEntries(api, "q", entries(3), { sequential: false, retries: 2, retryDelayMs: 1 });
    expect(failures).toEqual([{ id: "e1", code: "InternalError", message: "no", retryable: true }]);
    expect(api.sends).toHaveLength(3);
  });

  it("fails every entry of a call that threw, and only those", async () => {
    const error = Object.assign(new Error("slow down"), { name: "RequestThrottled", $fault: "client" });
    const api = fakeSqsApi({ throwOnCall: { call: 2, error } });
    const failures = await sendEntries(api, "q", entries(25), { sequential: true });
    // In order: the first call went through; the second threw; the third was not sent.
    expect(failures.map((failure) => failure.id)).toEqual(
      entries(25)
        .slice(10)
        .map((sent) => sent.id),
    );
    expect(failures[0]).toMatchObject({ code: "RequestThrottled", retryable: true });
    expect(failures[10]).toMatchObject({ code: "NotSent", retryable: true });
    expect(api.sends).toHaveLength(2);
  });

  it("sends every batch when not sequential, even after one fails", async () => {
    const error = Object.assign(new Error("denied"), { name: "AccessDenied", $fault: "client" });
    const api = fakeSqsApi({ throwOnCall: { call: 1, error } });
    const failures = await sendEntries(api, "q", entries(25), { sequential: false, concurrency: 1 });
    expect(failures.map((failure) => failure.id)).toEqual(entries(10).map((sent) => sent.id));
    expect(failures.every((failure) => !failure.retryable)).toBe(true);
    expect(api.sends).toHaveLength(3);
  });
});

describe("failureError", () => {
  it("names every failed id; retryable only when every failure is", () => {
    const error = failureError(
      "2 of 5 messages were not sent",
      [
        { id: "a", code: "InternalError", message: "x", retryable: true },
        { id: "b", code: "InvalidParameterValue", message: "y", retryable: false },
      ],
      "jobs",
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: false, messageIds: ["a", "b"] });
    expect(error.message).toBe("2 of 5 messages were not sent: a: InternalError x; b: InvalidParameterValue y");
    const refused = failureError("f", [{ id: "c", code: "Bad", message: "", retryable: false }], "jobs");
    expect(refused).toMatchObject({ code: "TRANSPORT_REJECTED", queue: "jobs" });
  });
});
