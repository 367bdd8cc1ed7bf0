/** Settling SQS deliveries: lost leases, the 12-hour limit, last-attempt dead-lettering and batched deletes. */
import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { silentLogger, TransportError } from "thrift-queue";
import type { SqsApi } from "../../../../src/transport/sqs/sqs-api.ts";
import type { DeadLetters } from "../../../../src/transport/sqs/sqs-dead-letters.ts";
import { DeleteBatcher } from "../../../../src/transport/sqs/sqs-delete-batcher.ts";
import type { Received } from "../../../../src/transport/sqs/sqs-poller.ts";
import {
  forgetDeleted,
  GENERATION_SIZE,
  isLatestReceive,
  recordReceive,
} from "../../../../src/transport/sqs/sqs-receipts.ts";
import { visibilitySecondsOf } from "../../../../src/transport/sqs/sqs-receiver.ts";
import {
  attemptsExceededReason,
  remainingVisibilitySeconds,
  settleOperations,
  type SettlementContext,
} from "../../../../src/transport/sqs/sqs-settlement.ts";
import { fakeSqsApi } from "./fake-sqs-api.ts";

const HOUR = 3_600_000;

describe("lease arithmetic", () => {
  it("asks SQS for whole seconds, rounded up, from 1 s to 12 hours", () => {
    expect([1, 999, 1000, 1001, 30_000, 0, -5, 50 * HOUR].map(visibilitySecondsOf)).toEqual([
      1, 1, 1, 2, 30, 1, 1, 43_200,
    ]);
  });

  it("never extends past 12 hours from the receive (less a few seconds' margin)", () => {
    expect(remainingVisibilitySeconds(0, 0)).toBe(43_195);
    expect(remainingVisibilitySeconds(0, 11 * HOUR)).toBe(3595);
    expect(remainingVisibilitySeconds(0, 13 * HOUR)).toBe(0);
  });

  it("quotes the last error when the attempts are used up", () => {
    expect(attemptsExceededReason(3, "boom")).toBe("exceeded 3 attempts; last error: boom");
    expect(attemptsExceededReason(3, undefined)).toBe("exceeded 3 attempts");
  });
});

describe("receipt registry", () => {
  it("knows which receive of a message is the latest", () => {
    const first = recordReceive("https://q/registry", "m1");
    expect(isLatestReceive("https://q/registry", "m1", first)).toBe(true);
    const second = recordReceive("https://q/registry", "m1");
    expect(isLatestReceive("https://q/registry", "m1", first)).toBe(false);
    expect(isLatestReceive("https://q/registry", "m1", second)).toBe(true);
    expect(isLatestReceive("https://q/other", "m1", first)).toBe(true);
  });

  it("forgets a message deleted after its only receive, and keeps one received twice", () => {
    const queue = "https://q/forget";
    const only = recordReceive(queue, "once");
    forgetDeleted(queue, "once", only);
    // Unknown again: no generation is refused.
    expect(isLatestReceive(queue, "once", only - 1)).toBe(true);
    const stale = recordReceive(queue, "twice");
    const latest = recordReceive(queue, "twice");
    forgetDeleted(queue, "twice", latest);
    expect(isLatestReceive(queue, "twice", stale)).toBe(false);
    // A stale holder's delete forgets nothing either.
    forgetDeleted(queue, "twice", stale);
    expect(isLatestReceive(queue, "twice", stale)).toBe(false);
  });

  it("still knows a message after a generation of other receives, and forgets it after two", () => {
    const queue = "https://q/rotation";
    const first = recordReceive(queue, "kept");
    for (let index = 0; index < GENERATION_SIZE; index++) recordReceive(queue, `other-${index}`);
    const second = recordReceive(queue, "kept");
    expect(isLatestReceive(queue, "kept", first)).toBe(false);
    expect(isLatestReceive(queue, "kept", second)).toBe(true);
    const forgotten = recordReceive(queue, "forgotten");
    for (let index = 0; index < 2 * GENERATION_SIZE; index++) recordReceive(queue, `later-${index}`);
    // Forgotten receives are not checked: any generation counts as the latest.
    expect(isLatestReceive(queue, "forgotten", forgotten - 1)).toBe(true);
    expect(isLatestReceive(queue, "kept", first)).toBe(true);
  });
});

describe("DeleteBatcher", () => {
  it("sends deletes of one turn together, 10 per call, and fails only the entries SQS failed", async () => {
    const api = fakeSqsApi({
      deleteAnswer: (handle) => (handle === "h7" ? { code: "ReceiptHandleIsInvalid", senderFault: true } : "ok"),
    });
    const batcher = new DeleteBatcher(api, "jobs");
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, index) => batcher.delete("https://q/jobs", `h${index}`, `id${index}`)),
    );
    expect(api.deletes.map((call) => call.length)).toEqual([10, 10, 5]);
    const rejected = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ code: "TRANSPORT_LEASE_LOST", messageIds: ["id7"], queue: "jobs" });
  });
});

interface Calls {
  visibility: number[];
  deadLetters: string[];
  deletes: number;
}

function settlementFixture(attempt: number, receivedAt = Date.now()) {
  const calls: Calls = { visibility: [], deadLetters: [], deletes: 0 };
  const api: SqsApi = {
    ...fakeSqsApi(),
    changeMessageVisibility: (_url, _handle, seconds) => {
      calls.visibility.push(seconds);
      return Promise.resolve();
    },
  };
  const deleter = { delete: () => Promise.resolve(void calls.deletes++) } as unknown as DeleteBatcher;
  const deadLetters = {
    copy: (_message: Message, reason: string) => Promise.resolve(void calls.deadLetters.push(reason)),
  } as unknown as DeadLetters;
  const context: SettlementContext = {
    api,
    deleter,
    deadLetters,
    payloads: { put: unused, get: unused, delete: unused, destroy: () => undefined },
    queue: "jobs",
    maxAttempts: 3,
    keepOffloadedPayloads: false,
    logger: silentLogger,
  };
  const queueUrl = `https://q/settle-${Math.random()}`;
  const message: Message = { MessageId: "m", ReceiptHandle: "h" };
  const received: Received<unknown> = {
    message,
    queueUrl,
    receivedAt,
    visibilitySeconds: 30,
    generation: recordReceive(queueUrl, "m"),
    prepared: Promise.resolve(undefined),
  };
  let settled = 0;
  const operations = settleOperations(
    context,
    { received, id: "job-1", attempt, pointer: undefined, fromDeadLetters: false },
    () => settled++,
  );
  return { calls, operations, received, settled: () => settled };
}

function unused(): Promise<never> {
  return Promise.reject(new Error("not used"));
}

describe("settleOperations", () => {
  it("nacks by changing the visibility (seconds, rounded up), and dead-letters on the last attempt", async () => {
    const early = settlementFixture(2);
    await early.operations.nack(1500, "boom");
    expect(early.calls).toEqual({ visibility: [2], deadLetters: [], deletes: 0 });
    expect(early.settled()).toBe(1);

    const last = settlementFixture(3);
    await last.operations.nack(0, "boom 3");
    expect(last.calls).toEqual({
      visibility: [],
      deadLetters: ["exceeded 3 attempts; last error: boom 3"],
      deletes: 1,
    });
  });

  it("clamps lease extensions to what is left of SQS's 12 hours", async () => {
    const fixture = settlementFixture(1, Date.now() - 11 * HOUR);
    await fixture.operations.extendLease(2 * HOUR);
    expect(fixture.calls.visibility[0]).toBeGreaterThan(3590);
    expect(fixture.calls.visibility[0]).toBeLessThanOrEqual(3595);
  });

  it("refuses to settle once the message was received again, without asking SQS", async () => {
    const fixture = settlementFixture(1);
    recordReceive(fixture.received.queueUrl, "m");
    const error = await fixture.operations.ack().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: "TRANSPORT_LEASE_LOST", messageIds: ["job-1"] });
    await expect(fixture.operations.extendLease(1000)).rejects.toMatchObject({ code: "TRANSPORT_LEASE_LOST" });
    expect(fixture.calls).toEqual({ visibility: [], deadLetters: [], deletes: 0 });
  });
});
