import { describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from "thrift-queue";

const schedule = { baseDelayMs: 1_000, maxDelayMs: 300_000 };

describe("backoffDelayMs", () => {
  it("doubles from the base without jitter and stops at the cap", () => {
    const delays = [1, 2, 3, 4, 10, 20, 2_000].map((failure) =>
      backoffDelayMs(failure, { ...schedule, jitter: "none" }),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 300_000, 300_000, 300_000]);
  });

  it("draws full jitter from [0, backoff]", () => {
    expect(backoffDelayMs(3, { ...schedule, jitter: "full" }, () => 0)).toBe(0);
    expect(backoffDelayMs(3, { ...schedule, jitter: "full" }, () => 0.5)).toBe(2_000);
    expect(backoffDelayMs(3, { ...schedule, jitter: "full" }, () => 0.999_999)).toBe(4_000);
  });

  it("draws equal jitter from [backoff/2, backoff]", () => {
    expect(backoffDelayMs(2, { ...schedule, jitter: "equal" }, () => 0)).toBe(1_000);
    expect(backoffDelayMs(2, { ...schedule, jitter: "equal" }, () => 0.5)).toBe(1_500);
    expect(backoffDelayMs(2, { ...schedule, jitter: "equal" }, () => 1)).toBe(2_000);
  });

  it("defaults to full jitter and treats failure numbers below 1 as the first", () => {
    expect(backoffDelayMs(0, schedule, () => 0.25)).toBe(250);
    expect(backoffDelayMs(1, schedule, () => 0.25)).toBe(250);
  });

  it("never exceeds the cap, whatever the random source", () => {
    for (let failure = 1; failure < 40; failure++) {
      const delay = backoffDelayMs(failure, { baseDelayMs: 7, maxDelayMs: 1_000 }, () => 0.999);
      expect(delay).toBeLessThanOrEqual(1_000);
      expect(delay).toBeGreaterThanOrEqual(0);
    }
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 300_000, jitter: "full" });
  });
});
