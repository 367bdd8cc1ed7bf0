/**
 * What the conformance suite does not cover for the SQLite transport: options and URLs, the schema version,
 * prefetch given back (when an iteration ends, or while a slow consumer works), same-process wakeups, attempts
 * used up by expired leases, the injected clock, and `node:sqlite` errors translated into TransportErrors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  MetadataKey,
  SqliteTransport,
  parseTransportUrl,
  type Delivery,
  type SqliteTransportOptions,
} from "thrift-queue";
import { message } from "../../conformance/transport-conformance.ts";
import { receiveOne, receiveUpTo } from "../../conformance/receive-helpers.ts";
import { openSqliteTransport, sqliteOptionsFromUrl } from "../../../src/transport/sqlite/sqlite-opener.ts";
import { toSqliteTransportError } from "../../../src/transport/sqlite/sqlite-errors.ts";

const directory = mkdtempSync(join(tmpdir(), "tq-sqlite-unit-"));
const opened: SqliteTransport[] = [];
let fileCount = 0;

function freshFile(): string {
  return join(directory, `unit-${++fileCount}.db`);
}

function open(options: Partial<SqliteTransportOptions> & { path: string }): SqliteTransport {
  const transport = new SqliteTransport({ queue: "jobs", ...options });
  opened.push(transport);
  return transport;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("SqliteTransport options", () => {
  it("reports every bad option at once", () => {
    const bad = { path: "", queue: "", maxAttempts: 0, leaseMs: -1, pollIntervalMs: 1.5, synchronous: "off" };
    expect(() => new SqliteTransport(bad as unknown as SqliteTransportOptions)).toThrow(ConfigError);
    expect(() => new SqliteTransport(bad as unknown as SqliteTransportOptions)).toThrow(
      /path.*queue.*maxAttempts.*leaseMs.*pollIntervalMs.*synchronous/,
    );
  });

  it("declares a durable transport with delays, lease extension, depth and dead letters", () => {
    const transport = open({ path: freshFile(), maxPayloadBytes: 1024 });
    expect(transport.capabilities).toMatchObject({
      durable: true,
      leaseExtension: true,
      depth: true,
      deadLetter: true,
      maxPayloadBytes: 1024,
    });
    expect(transport.capabilities.maxDelayMs).toBeGreaterThan(365 * 24 * 3600 * 1000);
  });

  it("refuses a file written by a newer schema", () => {
    const path = freshFile();
    open({ path });
    const database = new DatabaseSync(path);
    database.exec("UPDATE thrift_queue_schema SET version = 99 WHERE component = 'sqlite-transport'");
    database.close();
    expect(() => open({ path })).toThrow(expect.objectContaining({ code: "TRANSPORT_UNSUPPORTED" }));
  });

  it("refuses messages it could not store, naming them, and sends none of the batch", async () => {
    const transport = open({ path: freshFile() });
    const good = message("good");
    const late = message("never", { delayMs: Number.POSITIVE_INFINITY });
    await expect(transport.send([good, late])).rejects.toMatchObject({
      code: "TRANSPORT_INVALID_MESSAGE",
      messageIds: [late.id],
    });
    expect((await transport.stats()).visible).toBe(0);
  });
});

describe("sqlite: URLs", () => {
  const settings = { maxAttempts: 3, leaseMs: 1000 };

  it.each([
    ["sqlite:.data/queue.db?queue=thumbs", ".data/queue.db", "thumbs"],
    ["sqlite:/var/lib/tq/queue.db", "/var/lib/tq/queue.db", "default"],
    ["sqlite:///var/lib/tq/queue.db?queue=q", "/var/lib/tq/queue.db", "q"],
    ["sqlite:my%20queues.db?queue=q", "my queues.db", "q"],
  ])("%s is the file %s, queue %s", (url, path, queue) => {
    expect(sqliteOptionsFromUrl(parseTransportUrl(url), settings)).toMatchObject({ path, queue, ...settings });
  });

  it("reads its own parameters and rejects unknown ones", () => {
    const url = "sqlite:q.db?pollIntervalMs=20&busyTimeoutMs=100&synchronous=full&checkpoints=inline&maxAttempts=3";
    expect(sqliteOptionsFromUrl(parseTransportUrl(url), settings)).toMatchObject({
      pollIntervalMs: 20,
      busyTimeoutMs: 100,
      synchronous: "full",
      checkpoints: "inline",
    });
    const bad = "sqlite:q.db?pollIntervalMs=soon&synchronous=off&checkpoints=later&leaseMS=5";
    expect(() => sqliteOptionsFromUrl(parseTransportUrl(bad), settings)).toThrow(
      /pollIntervalMs.*synchronous.*checkpoints.*"leaseMS"/,
    );
  });

  it("opens a working transport", async () => {
    const path = freshFile();
    const transport = await openSqliteTransport(parseTransportUrl(`sqlite:${path}?queue=thumbs`), settings);
    opened.push(transport as SqliteTransport);
    expect(transport).toMatchObject({ kind: "sqlite", queue: "thumbs" });
    await transport.send([message("via url")]);
    await (await receiveOne(transport, { timeoutMs: 1000 })).ack();
  });
});

describe("SqliteTransport behaviour", () => {
  it("gives back prefetched messages when an iteration ends", async () => {
    const path = freshFile();
    const first = open({ path });
    await first.send(Array.from({ length: 5 }, (_, index) => message(`p${index}`)));
    const [only] = await receiveUpTo(first, 1, { timeoutMs: 1000, maxInFlight: 10 });
    expect(await first.stats()).toMatchObject({ visible: 4, inFlight: 1 });
    const second = open({ path });
    const rest = await receiveUpTo(second, 4, { timeoutMs: 1000 });
    expect(rest.map((delivery) => delivery.attempt)).toEqual([1, 1, 1, 1]); // never handed out: no attempt used
    await only?.ack();
  });

  it("does not sit on prefetched messages while a slow consumer works, nor deliver one twice", async () => {
    const path = freshFile();
    const slow = open({ path, leaseMs: 300 });
    const other = open({ path, leaseMs: 300 });
    const sent = Array.from({ length: 4 }, (_, index) => message(`s${index}`));
    await slow.send(sent);
    const slowlyDone: Delivery[] = [];
    const stop = new AbortController();
    const slowWork = (async () => {
      for await (const delivery of slow.receive({ signal: stop.signal, maxInFlight: 5 })) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await delivery.ack();
        slowlyDone.push(delivery);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const quicklyDone = await receiveUpTo(other, 3, { timeoutMs: 2_000 });
    await Promise.all(quicklyDone.map((delivery) => delivery.ack()));
    await new Promise((resolve) => setTimeout(resolve, 250));
    stop.abort();
    await slowWork;
    const all = [...slowlyDone, ...quicklyDone];
    expect(all.map((delivery) => delivery.id).sort()).toEqual(sent.map((one) => one.id).sort());
    expect(all.map((delivery) => delivery.attempt)).toEqual([1, 1, 1, 1]);
    expect(quicklyDone.length).toBeGreaterThanOrEqual(2);
  });

  it("wakes a waiting consumer of the same process at once, without waiting for a poll", async () => {
    const path = freshFile();
    const consumer = open({ path, pollIntervalMs: 60_000 });
    const producer = open({ path });
    const receiving = receiveOne(consumer, { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sentAt = Date.now();
    await producer.send([message("wake up")]);
    await (await receiving).ack();
    expect(Date.now() - sentAt).toBeLessThan(1_000);
  });

  it("lets timers run while a consumer nacks every delivery at once", async () => {
    const transport = open({ path: freshFile(), maxAttempts: 1_000_000 });
    await transport.send([message("always fails")]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    let attempts = 0;
    for await (const delivery of transport.receive({ signal: stop.signal })) {
      attempts = delivery.attempt;
      await delivery.nack();
    }
    expect(attempts).toBeGreaterThan(32);
  });

  it("dead-letters a message whose leases kept running out, with the reason", async () => {
    const transport = open({ path: freshFile(), maxAttempts: 2, leaseMs: 30 });
    const sent = message("crashes its consumers");
    await transport.send([sent]);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect((await receiveOne(transport, { timeoutMs: 1000 })).attempt).toBe(attempt);
    }
    expect(await receiveUpTo(transport, 1, { timeoutMs: 200 })).toEqual([]);
    const dead = await receiveOne(transport, { timeoutMs: 1000, deadLetters: true });
    expect(dead.id).toBe(sent.id);
    expect(dead.metadata[MetadataKey.deadLetterReason]).toBe("exceeded 2 attempts");
    await dead.nack();
    expect(await transport.stats()).toMatchObject({ deadLettered: 1 });
  });

  it("reads time from the injected clock", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const transport = open({ path: freshFile(), now: () => now });
    await transport.send([message("tomorrow", { delayMs: 24 * 3600 * 1000 })]);
    expect(await transport.stats()).toMatchObject({ visible: 0, delayed: 1 });
    now += 24 * 3600 * 1000;
    expect(await transport.stats()).toMatchObject({ visible: 1, delayed: 0, oldestAgeMs: 24 * 3600 * 1000 });
    await (await receiveOne(transport, { timeoutMs: 1000 })).ack();
  });

  it("hands out a batch taken at once oldest-visible first, not in the order sent", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const transport = open({ path: freshFile(), now: () => now });
    await transport.send([message("late", { delayMs: 2000 }), message("middle", { delayMs: 1000 })]);
    await transport.send([message("first")]);
    now += 5000;
    const batch = await receiveUpTo(transport, 3, { timeoutMs: 1000, maxInFlight: 10 });
    const payloads = batch.map((delivery) => new TextDecoder().decode(delivery.payload));
    expect(payloads).toEqual(["first", "middle", "late"]);
    await Promise.all(batch.map((delivery) => delivery.ack()));
  });

  it("rejects use after close, and translates node:sqlite errors", async () => {
    const transport = open({ path: freshFile() });
    await transport.close();
    await expect(transport.stats()).rejects.toMatchObject({ code: "TRANSPORT_CLOSED" });
    const busy = Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR", errcode: 5 });
    expect(toSqliteTransportError(busy, "send failed", "jobs")).toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
      retryable: true,
      queue: "jobs",
    });
    const full = Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR", errcode: 13 });
    expect(toSqliteTransportError(full, "send failed", "jobs")).toMatchObject({ retryable: false });
  });
});

describe("SqliteTransport settlements", () => {
  it("keeps the last nack reason when a later delivery is released by close", async () => {
    const path = freshFile();
    const first = open({ path, maxAttempts: 2 });
    await first.send([message("flaky")]);
    await (await receiveOne(first, { timeoutMs: 1000 })).nack({ reason: "boom" });
    await receiveOne(first, { timeoutMs: 1000 });
    await first.close({ drainTimeoutMs: 0 }); // releases attempt 2
    const second = open({ path, maxAttempts: 2 });
    expect(await receiveUpTo(second, 1, { timeoutMs: 200 })).toEqual([]);
    const dead = await receiveOne(second, { timeoutMs: 1000, deadLetters: true });
    expect(dead.metadata[MetadataKey.deadLetterReason]).toBe("exceeded 2 attempts; last error: boom");
  });
});
