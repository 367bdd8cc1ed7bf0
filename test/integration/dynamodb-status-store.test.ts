/**
 * The DynamoDB status store passes the status store conformance suite against dynalite (a fresh table per open,
 * a second client of the same table for the races), and behaves as documented where DynamoDB is concerned: URL
 * forms, table creation and checks, an unreachable endpoint, injected clients, key limits, listing through the
 * indexes past filtered-out items, concurrent producers.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type GetItemInput,
} from "@aws-sdk/client-dynamodb";
import { ConfigError, StatusStoreError, openStatusStore, type StatusStore } from "thrift-queue";
import { DynamoDbStatusStore } from "../../src/status/dynamodb/dynamodb-status-store.ts";
import { ensureDynamoDbStatusTable } from "../../src/status/dynamodb/dynamodb-schema.ts";
import { runStatusStoreConformance } from "../conformance/status-store-conformance.ts";
import { startDynalite, type Dynalite } from "./dynalite-server.ts";

const emulator: Dynalite = await startDynalite();
afterAll(() => emulator.close());

const T0 = 1_767_225_600_000;

function urlOf(table: string, params: Record<string, string> = {}): string {
  const search = new URLSearchParams({ region: "us-east-1", endpoint: emulator.endpoint, ...params });
  return `dynamodb://${table}?${search.toString()}`;
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected a rejection"),
    (error: unknown) => error,
  );
}

runStatusStoreConformance("dynamodb", {
  async open() {
    const table = emulator.freshTable();
    const store = await DynamoDbStatusStore.open(urlOf(table, { create: "true" }));
    return { store, another: () => DynamoDbStatusStore.open(urlOf(table)) };
  },
});

describe("DynamoDB specifics", () => {
  const opened: StatusStore[] = [];
  afterAll(() => Promise.all(opened.map((store) => store.close())));
  const open = async (url: string): Promise<StatusStore> => {
    const store = await openStatusStore(url);
    opened.push(store);
    return store;
  };

  it("opens dynamodb:// URLs through openStatusStore, creating the table only when asked", async () => {
    const table = emulator.freshTable();
    const missing = await rejection(openStatusStore(urlOf(table)));
    expect(missing).toBeInstanceOf(StatusStoreError);
    expect(missing).toMatchObject({ code: "STORE_FAILED", retryable: false });
    expect(String((missing as Error).message)).toContain("create=true");

    const store = await open(urlOf(table, { create: "true" }));
    expect(store.kind).toBe("dynamodb");
    expect(await store.enqueued([{ id: "j", service: "S", method: "m", enqueuedAt: T0 }])).toBe(1);
    // A second open finds the table as it is and shares its records.
    const again = await open(urlOf(table));
    expect((await again.get("j"))?.state).toBe("queued");
  });

  it("creates the table with its three indexes, and ensureTable is idempotent", async () => {
    const table = emulator.freshTable();
    const client = emulator.client();
    try {
      await Promise.all([ensureDynamoDbStatusTable(client, table), ensureDynamoDbStatusTable(client, table)]);
      await ensureDynamoDbStatusTable(client, table);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      expect(Table?.BillingModeSummary?.BillingMode ?? "PAY_PER_REQUEST").toBe("PAY_PER_REQUEST");
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
        "jobs-by-id",
        "jobs-by-service",
        "jobs-by-state",
      ]);
    } finally {
      client.destroy();
    }
  });

  it("refuses a table of another layout with STORE_FAILED naming what is wrong", async () => {
    const table = emulator.freshTable();
    const client = emulator.client();
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        }),
      );
      for (const params of [{}, { create: "true" }] as Array<Record<string, string>>) {
        const error = await rejection(DynamoDbStatusStore.open(urlOf(table, params)));
        expect(error).toMatchObject({ code: "STORE_FAILED" });
        expect((error as Error).message).toMatch(/key must be pk \+ sk.*index jobs-by-id is missing/);
      }
    } finally {
      client.destroy();
    }
  });

  it("rejects bad URLs with one ConfigError naming every problem", async () => {
    const error = await rejection(
      openStatusStore("dynamodb://x?region=Not_A_Region&endpoint=ftp://h&create=yes&maxAttempts=0&colour=red"),
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const part of ["table name", "region", "endpoint", "create", "maxAttempts", "colour"]) {
      expect(message).toContain(part);
    }
  });

  it("gives STORE_UNAVAILABLE (retryable) when the endpoint cannot be reached", async () => {
    const port = await closedPort();
    const url = `dynamodb://unreachable?region=us-east-1&endpoint=http://127.0.0.1:${port}&maxAttempts=1&timeoutMs=2000`;
    const error = await rejection(DynamoDbStatusStore.open(url));
    expect(error).toBeInstanceOf(StatusStoreError);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    expect((error as Error).message).toContain("ECONNREFUSED");

    // A store whose endpoint goes away later fails its calls the same way.
    const doomed = await startDynalite();
    const table = doomed.freshTable();
    const store = await DynamoDbStatusStore.open(
      `dynamodb://${table}?region=us-east-1&endpoint=${doomed.endpoint}&create=true&maxAttempts=1&timeoutMs=2000`,
    );
    try {
      await store.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: T0 }]);
      await doomed.close();
      for (const call of [
        () => store.get("a"),
        () => store.transition({ id: "a", to: "running", attempt: 1, at: T0 }),
      ]) {
        const late = await rejection(call());
        expect(late).toBeInstanceOf(StatusStoreError);
        expect(late).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
      }
    } finally {
      await store.close();
    }
  });

  it("uses an injected client and leaves it usable after close", async () => {
    const table = emulator.freshTable();
    const client = emulator.client();
    try {
      const store = await DynamoDbStatusStore.open(urlOf(table, { create: "true" }), { client });
      await store.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: T0 }]);
      await store.close();
      await expect(store.get("a")).rejects.toMatchObject({ code: "STORE_CLOSED" });
      const { Item } = await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: "job#a" }, sk: { S: "job" } } }),
      );
      expect(Item?.["state"]).toEqual({ S: "queued" });
    } finally {
      client.destroy();
    }
  });

  it("refuses ids and names DynamoDB cannot key on with STORE_INVALID_RECORD, and finds nothing for them", async () => {
    const store = await open(urlOf(emulator.freshTable(), { create: "true" }));
    const long = "x".repeat(1025);
    for (const call of [
      () => store.enqueued([{ id: long, service: "S", method: "m", enqueuedAt: T0 }]),
      () => store.enqueued([{ id: "", service: "S", method: "m", enqueuedAt: T0 }]),
      () => store.transition({ id: long, to: "running", attempt: 1, at: T0, create: { service: "S", method: "m" } }),
      () => store.acquireLease({ name: long, holder: "h", ttlMs: 1, now: T0 }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "STORE_INVALID_RECORD" });
    }
    expect(await store.get(long)).toBeUndefined();
    expect(await store.get("")).toBeUndefined();
    expect(await store.lease(long)).toBeUndefined();
    // Multi-byte characters count by their UTF-8 bytes: 400 × 3 bytes is over the limit.
    await expect(
      store.enqueued([{ id: "€".repeat(400), service: "S", method: "m", enqueuedAt: T0 }]),
    ).rejects.toMatchObject({
      code: "STORE_INVALID_RECORD",
    });
  });

  it("refuses a result over DynamoDB's item size limit with STORE_INVALID_RECORD and keeps the record", async () => {
    const store = await open(urlOf(emulator.freshTable(), { create: "true" }));
    await store.transition({ id: "big", to: "running", attempt: 1, at: T0, create: { service: "S", method: "m" } });
    const huge = new Uint8Array(500 * 1024);
    const error = await rejection(
      store.transition({ id: "big", to: "succeeded", attempt: 1, at: T0 + 1, result: huge }),
    );
    expect(error).toBeInstanceOf(StatusStoreError);
    expect(error).toMatchObject({ code: "STORE_INVALID_RECORD", retryable: false });
    expect(await store.get("big")).toMatchObject({ state: "running", result: undefined });
  });

  it("refuses cursors that name no possible key with STORE_INVALID_QUERY", async () => {
    const store = await open(urlOf(emulator.freshTable(), { create: "true" }));
    const cursorOf = (id: string) => Buffer.from(`id:${id}`, "utf8").toString("base64url");
    for (const cursor of [cursorOf(""), cursorOf("y".repeat(1200))]) {
      await expect(store.list({ cursor })).rejects.toMatchObject({ code: "STORE_INVALID_QUERY" });
    }
  });

  it("pages a filtered listing through many jobs the filter drops, and counts past one page of the index", async () => {
    const store = await open(urlOf(emulator.freshTable(), { create: "true" }));
    const jobs = Array.from({ length: 450 }, (_, i) => ({
      id: `job-${String(i).padStart(4, "0")}`,
      service: i % 150 === 0 ? "Rare" : "Common",
      method: i % 150 === 0 ? "rare" : "common",
      enqueuedAt: T0 + i,
    }));
    expect(await store.enqueued(jobs)).toBe(450);
    // The method filter drops all but 3 of 450 on the index of every job: several Query pages, one result page.
    const rare = await store.list({ method: "rare", limit: 2 });
    expect(rare.jobs.map((job) => job.id)).toEqual(["job-0300", "job-0150"]);
    const rest = await store.list({ method: "rare", limit: 2, cursor: rare.nextCursor! });
    expect(rest.jobs.map((job) => job.id)).toEqual(["job-0000"]);
    expect(rest.nextCursor).toBeUndefined();
    expect((await store.list({ state: "queued", service: "Rare" })).jobs).toHaveLength(3);
    expect(await store.counts()).toMatchObject({ queued: 450, running: 0 });
    expect(await store.counts({ service: "Common" })).toMatchObject({ queued: 447 });
    expect(await store.counts({ method: "rare" })).toMatchObject({ queued: 3 });
  });

  it("never overwrites a record when producers race with workers over the same ids", async () => {
    const table = emulator.freshTable();
    const store = await open(urlOf(table, { create: "true" }));
    const other = await open(urlOf(table));
    const ids = Array.from({ length: 40 }, (_, i) => `r-${i}`);
    const queued = ids.map((id) => ({ id, service: "S", method: "m", enqueuedAt: T0 }));
    const [first, second, ...moves] = await Promise.all([
      store.enqueued(queued),
      other.enqueued(queued),
      ...ids.map((id) =>
        other.transition({ id, to: "running", attempt: 1, at: T0 + 1, create: { service: "S", method: "m" } }),
      ),
    ]);
    // Each start applies: it creates the record or moves the producer's queued one; a queued write never lands
    // over a running record, and of the two producers at most one creates each record.
    expect(moves.every((move) => typeof move === "object" && move.applied)).toBe(true);
    const records = await Promise.all(ids.map((id) => store.get(id)));
    expect(records.map((record) => record?.state)).toEqual(ids.map(() => "running"));
    // Records a producer created carry its enqueuedAt; those a worker created have none (its create gave none).
    const byProducers = records.filter((record) => record?.enqueuedAt === T0).length;
    expect(first + second).toBe(byProducers);
    expect(await store.counts()).toMatchObject({ queued: 0, running: ids.length });
  });

  it("answers a refused transition from the item DynamoDB returns with the refusal, without reading again", async () => {
    // dynalite ignores ReturnValuesOnConditionCheckFailure; a middleware adds the item as DynamoDB would.
    const table = emulator.freshTable();
    const client = emulator.client();
    const reader = emulator.client();
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? "?");
        try {
          return await next(args);
        } catch (error) {
          const input = args.input as { ReturnValuesOnConditionCheckFailure?: string; Key?: GetItemInput["Key"] };
          if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
            if (input.ReturnValuesOnConditionCheckFailure === "ALL_OLD") {
              const { Item } = await reader.send(new GetItemCommand({ TableName: table, Key: input.Key }));
              Object.assign(error, { Item });
            }
          }
          throw error;
        }
      },
      { step: "initialize", name: "returnItemOnRefusal" },
    );
    try {
      const store = await DynamoDbStatusStore.open(urlOf(table, { create: "true" }), { client });
      opened.push(store);
      await store.transition({ id: "j", to: "running", attempt: 1, at: T0, create: { service: "S", method: "m" } });
      commands.length = 0;
      const refused = await store.transition({ id: "j", to: "running", attempt: 1, at: T0 + 1 });
      expect(refused.applied).toBe(false);
      expect(refused.record).toMatchObject({ id: "j", state: "running", attempt: 1, updatedAt: T0 });
      expect(commands).toEqual(["UpdateItemCommand"]);
      // No record: DynamoDB returns no item, so the store reads once to tell "absent" from "raced".
      commands.length = 0;
      expect(await store.transition({ id: "none", to: "running", attempt: 1, at: T0 })).toEqual({
        applied: false,
        record: undefined,
      });
      expect(commands).toEqual(["UpdateItemCommand", "GetItemCommand"]);
    } finally {
      client.destroy();
      reader.destroy();
    }
  });

  it("treats a stored item of another shape as STORE_INVALID_RECORD, not a crash", async () => {
    const table = emulator.freshTable();
    const client = emulator.client();
    try {
      const store = await DynamoDbStatusStore.open(urlOf(table, { create: "true" }), { client });
      opened.push(store);
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: "job#bad" }, sk: { S: "job" }, id: { S: "bad" }, state: { S: "exploded" } },
        }),
      );
      await expect(store.get("bad")).rejects.toMatchObject({ code: "STORE_INVALID_RECORD" });
    } finally {
      client.destroy();
    }
  });

  it("keeps a scaler event whose writer stopped after the fenced step: read by lease, copied by the next record", async () => {
    const table = emulator.freshTable();
    const client = emulator.client();
    try {
      const store = await DynamoDbStatusStore.open(urlOf(table, { create: "true" }), { client });
      opened.push(store);
      const lease = "scaler:fleet";
      await store.acquireLease({ name: lease, holder: "a", ttlMs: 1000, now: T0 });
      const base = { lease, scalerId: "a", fencingToken: 1, kind: "decision" as const, reason: "r" };
      const stranded = { ...base, id: "ev-1", at: T0, desired: 3, memory: '{"n":1}' };
      // What the first step of recordScalerEvent leaves in the lease item, the copy out never done.
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: `lease#${lease}` }, sk: { S: "lease" } },
          UpdateExpression: "SET #pending = :event",
          ExpressionAttributeNames: { "#pending": "scalerEvent:ev-1" },
          ExpressionAttributeValues: {
            ":event": {
              M: {
                id: { S: "ev-1" },
                eventLease: { S: lease },
                scalerId: { S: "a" },
                fencingToken: { N: "1" },
                eventKind: { S: "decision" },
                at: { N: String(T0) },
                reason: { S: "r" },
                desired: { N: "3" },
                memory: { S: '{"n":1}' },
              },
            },
          },
        }),
      );
      expect(await store.scalerEvents({ lease })).toEqual([stranded]);
      expect(await store.scalerEvents({ lease, kinds: ["launch"] })).toEqual([]);
      expect(await store.lease(lease)).toMatchObject({ holder: "a", token: 1 });

      const next = { ...base, id: "ev-2", at: T0 + 1 };
      expect(await store.recordScalerEvent(next)).toBe(true);
      expect(await store.scalerEvents()).toEqual([next, stranded]);
      const { Item } = await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: `lease#${lease}` }, sk: { S: "lease" } } }),
      );
      expect(Object.keys(Item ?? {}).filter((name) => name.startsWith("scalerEvent:"))).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});
