/** Options of the AMQP transport: defaults, URL parameters and validation. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "thrift-queue";
import { resolveAmqpOptions } from "../../../../src/transport/amqp/amqp-options.ts";
import { reconnectDelayMs } from "../../../../src/transport/amqp/reconnect-backoff.ts";

describe("resolveAmqpOptions", () => {
  it("reads queue and type from the URL and hands amqplib the rest, credentials redacted for display", () => {
    const resolved = resolveAmqpOptions({ url: "amqps://u:secret@broker:5671/vh?queue=jobs&type=quorum&heartbeat=10" });
    expect(resolved).toMatchObject({ queue: "jobs", queueType: "quorum", maxAttempts: 5, leaseMs: 30_000 });
    expect(resolved.brokerUrl).toBe("amqps://u:secret@broker:5671/vh?heartbeat=10");
    expect(resolved.displayUrl).toBe("amqps://u:***@broker:5671/vh?heartbeat=10");
    expect(resolved.connectionName).toBe("thrift-queue jobs");
  });

  it("lets options override the URL", () => {
    const resolved = resolveAmqpOptions({ url: "amqp://h?queue=a&type=quorum", queue: "b", queueType: "classic" });
    expect(resolved).toMatchObject({ queue: "b", queueType: "classic" });
  });

  it("declares classic queues as version 2 unless the options or the URL say 1", () => {
    expect(resolveAmqpOptions({ url: "amqp://h?queue=a" }).classicQueueVersion).toBe(2);
    const fromUrl = resolveAmqpOptions({ url: "amqp://h?queue=a&queueVersion=1" });
    expect(fromUrl.classicQueueVersion).toBe(1);
    expect(fromUrl.brokerUrl).toBe("amqp://h");
    expect(resolveAmqpOptions({ url: "amqp://h?queue=a", classicQueueVersion: 1 }).classicQueueVersion).toBe(1);
    expect(() => resolveAmqpOptions({ url: "amqp://h?queue=a&queueVersion=3" })).toThrow(/version 3 must be 1 or 2/);
  });

  it("reports every bad field at once", () => {
    const attempt = (): unknown =>
      resolveAmqpOptions({ url: "amqp://h?type=stream", maxAttempts: 0, leaseMs: 1.5, reconnectMaxDelayMs: -1 });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/queue is missing.*stream.*maxAttempts.*leaseMs.*reconnectMaxDelayMs/);
  });

  it("refuses other schemes and reserved queue names", () => {
    expect(() => resolveAmqpOptions({ url: "http://h?queue=a" })).toThrow(/amqp: or amqps:/);
    expect(() => resolveAmqpOptions({ url: "amqp://h?queue=amq.gen" })).toThrow(/amq\./);
  });
});

describe("reconnectDelayMs", () => {
  const options = { initialDelayMs: 100, maxDelayMs: 2000 };

  it("doubles from the initial delay up to the cap", () => {
    const noJitter = (): number => 0;
    expect([1, 2, 3, 4, 5, 6, 10].map((attempt) => reconnectDelayMs(attempt, options, noJitter))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000,
    ]);
  });

  it("takes up to a fifth off at random, never exceeding the cap", () => {
    expect(reconnectDelayMs(3, options, () => 1)).toBe(320);
    for (let attempt = 1; attempt < 20; attempt++) {
      const delay = reconnectDelayMs(attempt, options);
      expect(delay).toBeLessThanOrEqual(2000);
      expect(delay).toBeGreaterThanOrEqual(80);
    }
  });
});
