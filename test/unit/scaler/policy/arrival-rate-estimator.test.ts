/** The arrival-rate estimator: arrivals from the change in queued jobs plus completions, noise vs spikes. */
import { describe, expect, it } from "vitest";
import {
  type ArrivalRateMemory,
  initialArrivalRate,
  observeArrivals,
  plannedArrivalRate,
  slowRateStandardError,
} from "../../../../src/scaler/policy/arrival-rate-estimator.ts";

/** Observes `perInterval` arrivals, all completed, every 10 s for `intervals` intervals. */
function feed(
  memory: ArrivalRateMemory,
  from: number,
  intervals: number,
  perInterval: (i: number) => number,
): ArrivalRateMemory {
  let next = memory;
  for (let i = 1; i <= intervals; i += 1) next = observeArrivals(next, from + i * 10_000, 0, perInterval(i));
  return next;
}

describe("arrival-rate estimator", () => {
  it("gives no rate from the first observation, then counts Δqueued + completed", () => {
    const first = observeArrivals(initialArrivalRate(), 0, 50, 0);
    expect(first.slowPerSecond).toBe(0);
    expect(first.lastAt).toBe(0);
    // 50 → 70 queued while 30 finished: 50 arrivals in 10 s.
    const second = observeArrivals(first, 10_000, 70, 30);
    expect(second.lastArrivals).toBe(50);
    expect(second.fastPerSecond).toBeCloseTo(5, 5);
    expect(second.slowPerSecond).toBeCloseTo(5, 5);
  });

  it("converges on a steady rate and plans for it", () => {
    const memory = feed(initialArrivalRate(), 0, 360, (i) => (i % 2 === 0 ? 18 : 22));
    expect(memory.slowPerSecond).toBeCloseTo(2, 1);
    expect(plannedArrivalRate(memory)).toBeCloseTo(memory.slowPerSecond, 5);
  });

  it("follows a spike seen in two intervals at once instead of waiting for the slow average", () => {
    const steady = feed(initialArrivalRate(), 0, 360, () => 20);
    const once = observeArrivals(steady, 3_610_000, 0, 200);
    // One interval alone may be noise: only the fast average (a fraction of the jump) is followed.
    expect(plannedArrivalRate(once)).toBeLessThan(10);
    const twice = observeArrivals(once, 3_620_000, 0, 200);
    expect(plannedArrivalRate(twice)).toBeCloseTo(20, 5);
  });

  it("restarts the slow average when a burst ends instead of trailing for minutes", () => {
    const burst = feed(initialArrivalRate(), 0, 360, () => 200);
    const after = feed(burst, 3_600_000, 12, () => 20);
    // Two minutes after the rate fell from 20/s to 2/s: an 8-minute average alone would still read about 15/s.
    expect(after.slowPerSecond).toBeLessThan(8);
    expect(plannedArrivalRate(after)).toBeLessThan(8);
  });

  it("sees arrivals stop within two minutes at a low rate (a drop needs no floor for small counts)", () => {
    // 1 job/s, then nothing. The first restart leaves the slow average near a third of the old rate; from there the
    // 45 s window expects ~15 jobs and sees none, which 3 standard deviations (12) already call a drop, so the slow
    // average restarts again instead of decaying over its 8 minutes (it would still read ~0.35/s here).
    const steady = feed(initialArrivalRate(), 0, 360, () => 10);
    const stopped = feed(steady, 3_600_000, 12, () => 0);
    expect(plannedArrivalRate(stopped)).toBeLessThan(0.1);
    expect(stopped.slowPerSecond).toBeLessThan(0.1);
  });

  it("does not read a one-off dump of jobs as a rate (it is backlog, not arrivals to come)", () => {
    const steady = feed(initialArrivalRate(), 0, 360, () => 20);
    const dumped = observeArrivals(steady, 3_610_000, 0, 5_020);
    const after = observeArrivals(dumped, 3_620_000, 0, 20);
    expect(after.slowPerSecond).toBeLessThan(2.5);
    expect(after.fastPerSecond).toBeLessThan(4);
    expect(plannedArrivalRate(after)).toBeLessThan(4);
  });

  it("never counts negative arrivals and ignores a clock that did not move", () => {
    const first = observeArrivals(initialArrivalRate(), 0, 100, 0);
    const drained = observeArrivals(first, 10_000, 0, 0);
    expect(drained.lastArrivals).toBe(0);
    expect(observeArrivals(drained, 10_000, 500, 0).slowPerSecond).toBe(drained.slowPerSecond);
  });

  it("has a standard error that shrinks relative to the rate as the rate grows", () => {
    const low = feed(initialArrivalRate(), 0, 360, () => 10);
    const high = feed(initialArrivalRate(), 0, 360, () => 1000);
    expect(slowRateStandardError(low) / low.slowPerSecond).toBeGreaterThan(
      5 * (slowRateStandardError(high) / high.slowPerSecond),
    );
  });

  it("restarts both averages from the new rate once two intervals in a row are beyond noise (a burst ended)", () => {
    const burst = feed(initialArrivalRate(), 0, 360, () => 32);
    // One quiet interval may be noise: no change yet.
    const once = observeArrivals(burst, 3_610_000, 0, 6);
    expect(once.change ?? null).toBeNull();
    expect(once.slowPerSecond).toBeGreaterThan(3);
    const twice = observeArrivals(once, 3_620_000, 0, 7);
    expect(twice.change).toEqual({ direction: "drop", at: 3_620_000 });
    // From the higher of the two intervals (the first may straddle the end), then plain means of what follows.
    expect(twice.slowPerSecond).toBeCloseTo(0.7, 5);
    expect(twice.fastPerSecond).toBeCloseTo(0.7, 5);
    expect(plannedArrivalRate(twice)).toBeCloseTo(0.7, 5);
    const settled = feed(twice, 3_620_000, 6, () => 6);
    expect(settled.slowPerSecond).toBeGreaterThan(0.6);
    expect(settled.slowPerSecond).toBeLessThan(0.63);
    expect(settled.change).toEqual({ direction: "drop", at: 3_620_000 });
  });

  it("restarts from the lower of two intervals far above the rate (a burst began), not from a dump", () => {
    const steady = feed(initialArrivalRate(), 0, 360, () => 6);
    const risen = feed(steady, 3_600_000, 2, (i) => (i === 1 ? 20 : 33));
    expect(risen.change?.direction).toBe("rise");
    expect(risen.slowPerSecond).toBeCloseTo(2, 5);
    // A dump shows in one interval only and confirms nothing.
    const dumped = feed(steady, 3_600_000, 2, (i) => (i === 1 ? 5_000 : 6));
    expect(dumped.change ?? null).toBeNull();
  });

  it("does not see a change in a steady Poisson-like load", () => {
    // Counts within ±3 deviations of 20: never two in a row beyond them.
    const memory = feed(initialArrivalRate(), 0, 2_000, (i) => [20, 27, 13, 24, 16][i % 5]!);
    expect(memory.change ?? null).toBeNull();
  });
});
