/**
 * The DynamoDB store's pure parts (no DynamoDB needed): settings from URLs, the mapping of SDK errors, item
 * marshalling both ways, and which index answers a listing or a count.
 */
import { describe, expect, it } from "vitest";
import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { ConfigError, JOB_STATES, StatusStoreError, type JobRecord } from "thrift-queue";
import { isConditionFailed, toDynamoDbStoreError } from "../../../src/status/dynamodb/dynamodb-errors.ts";
import {
  checkKeys,
  jobFromItem,
  leaseFromItem,
  queuedJobItem,
  workerFromItem,
  workerItem,
} from "../../../src/status/dynamodb/dynamodb-items.ts";
import { countPlan, listPlan, startKeyAfter } from "../../../src/status/dynamodb/dynamodb-queries.ts";
import { dynamoDbSettingsFromUrl, parseUrl } from "../../../src/status/dynamodb/dynamodb-settings.ts";

describe("dynamoDbSettingsFromUrl", () => {
  it("applies the defaults", () => {
    expect(dynamoDbSettingsFromUrl(new URL("dynamodb://thrift-queue-status"))).toEqual({
      table: "thrift-queue-status",
      region: undefined,
      endpoint: undefined,
      create: false,
      maxAttempts: 3,
      timeoutMs: 5000,
    });
  });

  it("reads every option and keeps the table name's case", () => {
    const url =
      "dynamodb://My.Status_Table?region=eu-west-1&endpoint=http://localhost:8000&create=true&maxAttempts=5&timeoutMs=100";
    expect(dynamoDbSettingsFromUrl(new URL(url))).toEqual({
      table: "My.Status_Table",
      region: "eu-west-1",
      endpoint: "http://localhost:8000",
      create: true,
      maxAttempts: 5,
      timeoutMs: 100,
    });
    expect(dynamoDbSettingsFromUrl(new URL("dynamodb:///jobs-table")).table).toBe("jobs-table");
  });

  it("refuses text that is not a URL with ConfigError", () => {
    expect(() => parseUrl("not a url")).toThrow(ConfigError);
    expect(parseUrl("dynamodb://t-1").host).toBe("t-1");
  });

  it("reports every bad field at once", () => {
    let error: unknown;
    try {
      dynamoDbSettingsFromUrl(new URL("dynamodb://a?region=EU&endpoint=nope&create=1&maxAttempts=x&timeoutMs=0&x=1"));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const part of ["table name", "region", "endpoint", "create", "maxAttempts", "timeoutMs", '"x"']) {
      expect(message).toContain(part);
    }
  });
});

describe("toDynamoDbStoreError", () => {
  const metadata = { $metadata: {} };

  it("makes throttling, network failures and 5xx answers retryable STORE_UNAVAILABLE", () => {
    const throttled = new ProvisionedThroughputExceededException({ message: "slow down", ...metadata });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const server = Object.assign(new Error("oops"), { name: "SomethingNew", $metadata: { httpStatusCode: 503 } });
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });
    const both = new AggregateError([refused], "");
    for (const cause of [throttled, refused, server, timeout, both]) {
      const error = toDynamoDbStoreError(cause, "reading j");
      expect(error, String(cause)).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true, cause });
      expect(error.message).toMatch(/^DynamoDB status store: reading j: /);
    }
  });

  it("makes anything else STORE_FAILED, too-large items STORE_INVALID_RECORD, and passes store errors through", () => {
    const denied = Object.assign(new Error("not authorized"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(toDynamoDbStoreError(denied, "x")).toMatchObject({ code: "STORE_FAILED", retryable: false });
    const missing = Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" });
    expect(toDynamoDbStoreError(missing, "x").message).toContain("create=true");
    const large = Object.assign(new Error("Item size has exceeded the maximum allowed size"), {
      name: "ValidationException",
    });
    expect(toDynamoDbStoreError(large, "x")).toMatchObject({ code: "STORE_INVALID_RECORD" });
    expect(toDynamoDbStoreError("a string", "x")).toMatchObject({ code: "STORE_FAILED" });
    const own = new StatusStoreError("STORE_CLOSED", "closed");
    expect(toDynamoDbStoreError(own, "x")).toBe(own);
  });

  it("recognises refused conditions", () => {
    expect(isConditionFailed(new ConditionalCheckFailedException({ message: "no", ...metadata }))).toBe(true);
    expect(isConditionFailed(new Error("no"))).toBe(false);
  });
});

describe("items", () => {
  it("round-trip a queued job, unknown optional fields as NULL", () => {
    const item = queuedJobItem({ id: "j", service: "S", method: "m", enqueuedAt: 7 });
    expect(item["queue"]).toEqual({ NULL: true });
    expect(item["pk"]).toEqual({ S: "job#j" });
    expect(item["serviceKey"]).toEqual({ S: "s#S" });
    expect(jobFromItem(item)).toEqual({
      id: "j",
      service: "S",
      method: "m",
      state: "queued",
      attempt: 0,
      progress: undefined,
      progressMessage: undefined,
      workerId: undefined,
      queue: undefined,
      enqueuedAt: 7,
      startedAt: undefined,
      updatedAt: 7,
      finishedAt: undefined,
      error: undefined,
      result: undefined,
    } satisfies JobRecord);
  });

  it("round-trip workers and read leases", () => {
    const worker = {
      workerId: "w",
      instanceId: "i",
      host: "h",
      pid: 1,
      status: "draining",
      queues: ["a", "b"],
      startedAt: 1,
      lastSeenAt: 2,
      inFlight: 0,
      processed: 3,
      failed: 1,
    } as const;
    expect(workerFromItem(workerItem(worker))).toEqual(worker);
    const lease = { name: { S: "l" }, holder: { S: "h" }, token: { N: "3" }, expiresAt: { N: "9" } };
    expect(leaseFromItem(lease)).toEqual({ name: "l", holder: "h", token: 3, expiresAt: 9 });
  });

  it("refuse items of another shape with STORE_INVALID_RECORD", () => {
    const good = queuedJobItem({ id: "j", service: "S", method: "m", enqueuedAt: 7 });
    for (const bad of [
      { ...good, state: { S: "exploded" } },
      { ...good, attempt: { S: "1" } },
      { ...good, attempt: { N: "NaN" } },
      { ...good, result: { S: "bytes" } },
      { ...good, id: undefined as never },
    ]) {
      expect(() => jobFromItem(bad)).toThrow(expect.objectContaining({ code: "STORE_INVALID_RECORD" }));
    }
    expect(() => workerFromItem({ status: { S: "running" } })).toThrow(StatusStoreError);
    expect(() => leaseFromItem({})).toThrow(StatusStoreError);
  });

  it("refuse keys DynamoDB cannot take", () => {
    expect(() => checkKeys("job", { id: "" })).toThrow(expect.objectContaining({ code: "STORE_INVALID_RECORD" }));
    expect(() => checkKeys("job", { id: "a".repeat(1025) })).toThrow(StatusStoreError);
    expect(() => checkKeys("job", { id: "ü".repeat(513) })).toThrow(StatusStoreError);
    expect(() => checkKeys("job", { id: "a".repeat(1024), service: "", lease: "" })).not.toThrow();
  });
});

describe("query plans", () => {
  it("pick the most selective index and filter the rest", () => {
    expect(listPlan({}).query).toMatchObject({ IndexName: "jobs-by-id", ScanIndexForward: false });
    expect(listPlan({}).filtered).toBe(false);
    const byState = listPlan({ state: "running", service: "S", since: 5 });
    expect(byState.query).toMatchObject({
      IndexName: "jobs-by-state",
      KeyConditionExpression: "#state = :v2",
      FilterExpression: "#service = :v0 AND #updatedAt >= :v1",
    });
    const byService = listPlan({ service: "S", method: "m" });
    expect(byService).toMatchObject({ partition: "s#S", filtered: true });
    expect(byService.query.FilterExpression).toBe("#method = :v0");
  });

  it("rebuild the start key of a page from the cursor's id, and refuse ids that cannot be keys", () => {
    const plan = listPlan({ state: "queued" });
    expect(startKeyAfter(plan, "j-9")).toEqual({
      pk: { S: "job#j-9" },
      sk: { S: "job" },
      state: { S: "queued" },
      id: { S: "j-9" },
    });
    expect(() => startKeyAfter(plan, "")).toThrow(expect.objectContaining({ code: "STORE_INVALID_QUERY" }));
    expect(() => startKeyAfter(plan, "x".repeat(2000))).toThrow(
      expect.objectContaining({ code: "STORE_INVALID_QUERY" }),
    );
  });

  it("count per state on the state index, or tally one service's jobs", () => {
    const perState = countPlan({ method: "m" }, JOB_STATES);
    expect(perState.kind).toBe("per-state");
    if (perState.kind === "per-state") {
      expect([...perState.queries.keys()]).toEqual([...JOB_STATES]);
      expect(perState.queries.get("dead")).toMatchObject({ Select: "COUNT", FilterExpression: "#method = :v0" });
    }
    const tally = countPlan({ service: "S" }, JOB_STATES);
    expect(tally).toMatchObject({
      kind: "tally",
      query: { IndexName: "jobs-by-service", ProjectionExpression: "#state" },
    });
  });
});
