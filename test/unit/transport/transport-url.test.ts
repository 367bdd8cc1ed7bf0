/** Transport URLs select the family and queue; bad URLs are ConfigErrors that never echo a password. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  MemoryTransport,
  openTransport,
  parseTransportUrl,
  redact,
  transportUrlFromEnvironment,
} from "thrift-queue";

describe("parseTransportUrl", () => {
  it.each([
    ["memory://jobs", "memory", "jobs"],
    ["sqlite:.data/queue.db?queue=thumbs", "sqlite", "thumbs"],
    ["sqlite:/var/lib/tq/queue.db", "sqlite", "default"],
    ["sqs://thumbs?region=eu-west-1&endpoint=http://127.0.0.1:4566", "sqs", "thumbs"],
    ["https://sqs.eu-west-1.amazonaws.com/123456789012/thumbs.fifo", "sqs", "thumbs.fifo"],
    ["http://127.0.0.1:4566/000000000000/thumbs", "sqs", "thumbs"],
    ["amqp://guest:guest@127.0.0.1:5672/%2F?queue=thumbs", "amqp", "thumbs"],
    ["amqps://user:pw@broker.example/vhost?queue=q", "amqp", "q"],
    ["http://127.0.0.1:8080/jobs", "http", "jobs"],
    ["https://worker.example/", "http", "default"],
  ])("%s → %s queue %s", (url, kind, queue) => {
    expect(parseTransportUrl(url)).toMatchObject({ kind, queue });
  });

  it("keeps options other than the queue as params", () => {
    const parsed = parseTransportUrl("amqp://localhost?queue=q&maxAttempts=3&type=quorum");
    expect(Object.fromEntries(parsed.params)).toEqual({ maxAttempts: "3", type: "quorum" });
  });

  it.each([
    ["not a url", /not a URL/],
    ["ftp://x/q", /unknown scheme/],
    ["memory://", /no queue name/],
    ["amqp://localhost", /no queue name/],
    ["sqlite:", /file path/],
  ])("rejects %s", (url, message) => {
    expect(() => parseTransportUrl(url)).toThrow(ConfigError);
    expect(() => parseTransportUrl(url)).toThrow(message);
  });

  it("never puts a password in an error or a redacted URL", () => {
    expect(redact("amqp://user:secret@host/?queue=q")).toBe("amqp://user:***@host/?queue=q");
    expect(() => parseTransportUrl("amqp://user:secret@host")).toThrow(/user:\*\*\*@host/);
  });

  it("lets the environment override the URL and its options", () => {
    const env = { THRIFT_QUEUE_TRANSPORT: "memory://other", THRIFT_QUEUE_MAX_ATTEMPTS: "7" };
    expect(transportUrlFromEnvironment("memory://jobs", env)).toBe("memory://other?maxAttempts=7");
    expect(transportUrlFromEnvironment("memory://jobs", {})).toBe("memory://jobs");
  });
});

describe("openTransport", () => {
  it("opens the memory transport with URL options", async () => {
    const transport = await openTransport("memory://open-test?maxAttempts=2&leaseMs=100", { useEnvironment: false });
    expect(transport).toBeInstanceOf(MemoryTransport);
    expect(transport.queue).toBe("open-test");
    await transport.close();
  });

  it("rejects invalid options with a ConfigError", async () => {
    await expect(openTransport("memory://q?maxAttempts=0", { useEnvironment: false })).rejects.toThrow(/maxAttempts/);
    await expect(openTransport("memory://q?leaseMs=soon", { useEnvironment: false })).rejects.toThrow(/leaseMs/);
  });
});

describe("openTransport for each family", () => {
  it("opens the sqlite transport from a sqlite: URL, creating its folder", async () => {
    const folder = await mkdtemp(join(tmpdir(), "tq-open-"));
    // The data folder does not exist yet: the transport creates it, as a fresh checkout needs.
    const transport = await openTransport(`sqlite:${join(folder, "data", "nested", "q.db")}?queue=jobs&maxAttempts=3`, {
      useEnvironment: false,
    });
    expect(transport).toMatchObject({ kind: "sqlite", queue: "jobs" });
    await transport.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("opens the amqp transport lazily (no connection until used)", async () => {
    const transport = await openTransport("amqp://guest:guest@127.0.0.1:5672/?queue=open-test", {
      useEnvironment: false,
    });
    expect(transport).toMatchObject({ kind: "amqp", queue: "open-test" });
    await transport.close({ drainTimeoutMs: 0 });
  });

  it("opens the sqs transport lazily (no AWS call until used)", async () => {
    const transport = await openTransport("sqs://open-test?region=eu-west-1", { useEnvironment: false });
    expect(transport).toMatchObject({ kind: "sqs", queue: "open-test" });
    await transport.close({ drainTimeoutMs: 0 });
  });
});
