/** The service-time estimator: T and its variability learned from finished jobs, following drift. */
import { describe, expect, it } from "vitest";
import {
  type ServiceTimeMemory,
  initialServiceTime,
  observeServiceTimes,
  squaredVariation,
} from "../../../../src/scaler/policy/service-time-estimator.ts";

function feed(
  memory: ServiceTimeMemory,
  from: number,
  batches: number,
  batch: (i: number) => number[],
): ServiceTimeMemory {
  let next = memory;
  for (let i = 1; i <= batches; i += 1) next = observeServiceTimes(next, from + i * 10_000, batch(i));
  return next;
}

describe("service-time estimator", () => {
  it("learns the mean from samples and ignores values that are not durations", () => {
    const memory = observeServiceTimes(initialServiceTime(), 0, [
      10_000,
      30_000,
      Number.NaN,
      -5,
      Number.POSITIVE_INFINITY,
    ]);
    expect(memory.samples).toBe(2);
    expect(memory.meanSeconds).toBeCloseTo(20, 5);
  });

  it("keeps its memory when no job finished", () => {
    const memory = observeServiceTimes(initialServiceTime(), 0, [5_000]);
    expect(observeServiceTimes(memory, 10_000, [])).toBe(memory);
  });

  it("follows T when it doubles", () => {
    const before = feed(initialServiceTime(), 0, 200, () => [20_000, 20_000, 20_000]);
    expect(before.meanSeconds).toBeCloseTo(20, 5);
    const after = feed(before, 2_000_000, 800, () => [40_000, 40_000, 40_000]);
    expect(after.meanSeconds).toBeGreaterThan(39);
  });

  it("follows a drift even when few jobs finish", () => {
    const before = feed(initialServiceTime(), 0, 20, () => [600_000]);
    // One job every 5 minutes at 20 minutes each for two hours.
    let memory = before;
    for (let i = 1; i <= 24; i += 1) memory = observeServiceTimes(memory, 200_000 + i * 300_000, [1_200_000]);
    expect(memory.meanSeconds).toBeGreaterThan(1000);
  });

  it("measures the variability: 0 for constant times, about 1 for exponential ones, capped for heavy tails", () => {
    expect(squaredVariation(feed(initialServiceTime(), 0, 50, () => [7_000, 7_000]))).toBeCloseTo(0, 5);
    // Quantiles of an exponential distribution with mean 10 s.
    const exponential = Array.from({ length: 400 }, (_, i) => -10_000 * Math.log(1 - (i + 0.5) / 400));
    expect(squaredVariation(observeServiceTimes(initialServiceTime(), 0, exponential))).toBeGreaterThan(0.8);
    expect(squaredVariation(observeServiceTimes(initialServiceTime(), 0, exponential))).toBeLessThan(1.2);
    const heavy = [...new Array<number>(999).fill(1_000), 1e9];
    expect(squaredVariation(observeServiceTimes(initialServiceTime(), 0, heavy))).toBe(16);
  });
});
