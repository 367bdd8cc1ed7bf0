/** Delay buckets and queue arguments of the AMQP topology. */
import { describe, expect, it } from "vitest";
import { delayBucketMs, MAX_DELAY_MS, QueueTopology } from "../../../../src/transport/amqp/amqp-topology.ts";

describe("delayBucketMs", () => {
  it("is 0 for no delay", () => {
    expect(delayBucketMs(0)).toBe(0);
    expect(delayBucketMs(-5)).toBe(0);
    expect(delayBucketMs(Number.NaN)).toBe(0);
  });

  it("rounds up to 100 ms below a second and to two significant digits above", () => {
    expect(delayBucketMs(1)).toBe(100);
    expect(delayBucketMs(100)).toBe(100);
    expect(delayBucketMs(101)).toBe(200);
    expect(delayBucketMs(999)).toBe(1000);
    expect(delayBucketMs(1000)).toBe(1000);
    expect(delayBucketMs(1001)).toBe(1100);
    expect(delayBucketMs(45_678)).toBe(46_000);
    expect(delayBucketMs(60_000)).toBe(60_000);
  });

  it("is never early and at most 10% late from one second up", () => {
    for (let delay = 1000; delay < 5_000_000; delay = Math.ceil(delay * 1.37) + 7) {
      const bucket = delayBucketMs(delay);
      expect(bucket).toBeGreaterThanOrEqual(delay);
      expect(bucket).toBeLessThanOrEqual(delay * 1.1);
    }
  });

  it("caps at the longest delay", () => {
    expect(delayBucketMs(MAX_DELAY_MS)).toBe(MAX_DELAY_MS);
    expect(delayBucketMs(Number.MAX_SAFE_INTEGER)).toBe(MAX_DELAY_MS);
  });
});

describe("QueueTopology", () => {
  it("declares a dead-letter queue and a work queue that dead-letters to it", () => {
    const [dead, main] = new QueueTopology("jobs", "classic", 5).declarations();
    expect(dead).toEqual({ name: "jobs.dead", arguments: { "x-queue-type": "classic", "x-queue-version": 2 } });
    expect(main).toEqual({
      name: "jobs",
      arguments: {
        "x-queue-type": "classic",
        "x-queue-version": 2,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "jobs.dead",
      },
    });
  });

  it("declares classic queues with the version asked for, quorum queues without one", () => {
    const [dead, main] = new QueueTopology("jobs", "classic", 5, 1).declarations();
    expect(dead?.arguments["x-queue-version"]).toBe(1);
    expect(main?.arguments["x-queue-version"]).toBe(1);
    expect(new QueueTopology("jobs", "classic", 5, 1).delayQueue(100).arguments["x-queue-version"]).toBe(1);
    for (const declaration of new QueueTopology("jobs", "quorum", 5).declarations()) {
      expect(declaration.arguments).not.toHaveProperty("x-queue-version");
    }
    expect(new QueueTopology("jobs", "quorum", 5).delayQueue(100).arguments["x-queue-version"]).toBe(2);
  });

  it("limits deliveries on quorum queues to the maximum attempts", () => {
    const topology = new QueueTopology("jobs", "quorum", 3);
    expect(topology.quorum).toBe(true);
    expect(topology.declarations()[1]?.arguments).toMatchObject({ "x-queue-type": "quorum", "x-delivery-limit": 3 });
  });

  it("names delay queues by bucket, expiring back into the work queue and outliving their messages", () => {
    const delay = new QueueTopology("jobs", "quorum", 3).delayQueue(1500);
    expect(delay.name).toBe("jobs.delay.1500");
    expect(delay.arguments).toMatchObject({
      "x-queue-type": "classic",
      "x-message-ttl": 1500,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "jobs",
    });
    expect(delay.arguments["x-expires"]).toBeGreaterThan(1500);
  });
});
