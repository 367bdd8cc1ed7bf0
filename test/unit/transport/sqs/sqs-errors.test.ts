/** Mapping AWS SDK errors to TransportErrors. */
import { describe, expect, it } from "vitest";
import { TransportError } from "thrift-queue";
import {
  awsErrorCode,
  isLeaseLostError,
  isRetryableAwsError,
  toSqsTransportError,
} from "../../../../src/transport/sqs/sqs-errors.ts";

function sdkError(name: string, fault: "client" | "server", extra: object = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: {}, ...extra });
}

describe("toSqsTransportError", () => {
  it("maps stale receipt handles to TRANSPORT_LEASE_LOST", () => {
    for (const error of [
      sdkError("ReceiptHandleIsInvalid", "client"),
      sdkError("MessageNotInflight", "client"),
      Object.assign(new Error("Value x for parameter ReceiptHandle is invalid. Reason: …"), {
        name: "InvalidParameterValue",
        $fault: "client",
      }),
    ]) {
      expect(isLeaseLostError(error)).toBe(true);
      expect(toSqsTransportError(error, "nack failed", "jobs", ["id-1"])).toMatchObject({
        code: "TRANSPORT_LEASE_LOST",
        queue: "jobs",
        messageIds: ["id-1"],
        retryable: false,
      });
    }
  });

  it("says how to fix a missing queue or denied access, not retryable", () => {
    const missing = toSqsTransportError(sdkError("QueueDoesNotExist", "client"), "receive failed", "jobs");
    expect(missing).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: false });
    expect(missing.message).toMatch(/does not exist; create it \(option `create`/);
    const denied = toSqsTransportError(sdkError("InvalidClientTokenId", "client"), "send failed", "jobs");
    expect(denied).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: false });
    expect(denied.message).toMatch(/credentials/);
  });

  it("marks throttling, server faults and network failures retryable", () => {
    for (const error of [
      sdkError("RequestThrottled", "client"),
      sdkError("InternalError", "server"),
      sdkError("Whatever", "server"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("503"), { name: "Unknown", $metadata: { httpStatusCode: 503 } }),
    ]) {
      expect(isRetryableAwsError(error)).toBe(true);
      expect(toSqsTransportError(error, "x", "q")).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: true });
    }
  });

  it("maps other client faults to TRANSPORT_REJECTED, an abort to TRANSPORT_CLOSED, and passes TransportErrors", () => {
    expect(toSqsTransportError(sdkError("InvalidMessageContents", "client"), "x", "q").code).toBe("TRANSPORT_REJECTED");
    expect(toSqsTransportError(Object.assign(new Error("aborted"), { name: "AbortError" }), "x", "q").code).toBe(
      "TRANSPORT_CLOSED",
    );
    const own = new TransportError("TRANSPORT_CLOSED", "closed");
    expect(toSqsTransportError(own, "x", "q")).toBe(own);
    expect(toSqsTransportError("a string", "x", "q")).toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
      retryable: false,
    });
  });

  it("reads the service code from Code, name or a network code", () => {
    expect(awsErrorCode({ Code: "NoSuchKey", name: "Other" })).toBe("NoSuchKey");
    expect(awsErrorCode(new Error("plain"))).toBeUndefined();
    expect(awsErrorCode({ code: "ETIMEDOUT" })).toBe("ETIMEDOUT");
    expect(awsErrorCode(null)).toBeUndefined();
  });
});
