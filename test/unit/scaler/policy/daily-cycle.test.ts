/** The daily cycle: per time-of-day buckets learned across days, a ramp predicted ahead of time. */
import { describe, expect, it } from "vitest";
import {
  type DailyCycleMemory,
  initialDailyCycle,
  learnedRateAt,
  observeDailyCycle,
  predictedRampRatio,
} from "../../../../src/scaler/policy/daily-cycle.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const START = Date.UTC(2026, 0, 5);

/** 1/s at night, 6/s from 09:00 to 17:00, observed every 10 s for `days` days. */
function learn(days: number): DailyCycleMemory {
  let memory = initialDailyCycle();
  for (let now = START + 10_000; now <= START + days * DAY_MS; now += 10_000) {
    const hour = ((now - START) % DAY_MS) / HOUR_MS;
    memory = observeDailyCycle(memory, now, hour >= 9 && hour < 17 ? 60 : 10, 10_000);
  }
  return memory;
}

describe("daily cycle", () => {
  it("predicts nothing before it has seen the time of day on enough days", () => {
    const memory = learn(1);
    expect(learnedRateAt(memory, START + DAY_MS + 9 * HOUR_MS)).toBeNull();
    expect(predictedRampRatio(memory, START + DAY_MS + 9 * HOUR_MS - 60_000, 120_000)).toBe(1);
  });

  it("learns the rate of each time of day", () => {
    const memory = learn(3);
    expect(learnedRateAt(memory, START + 3 * DAY_MS + 10 * HOUR_MS)).toBeCloseTo(6, 5);
    expect(learnedRateAt(memory, START + 3 * DAY_MS + 3 * HOUR_MS)).toBeCloseTo(1, 5);
  });

  it("predicts the morning ramp a lead time ahead, and nothing on the plateau or before the evening drop", () => {
    const memory = learn(3);
    const day = START + 3 * DAY_MS;
    expect(predictedRampRatio(memory, day + 9 * HOUR_MS - 60_000, 120_000)).toBeCloseTo(6, 5);
    expect(predictedRampRatio(memory, day + 9 * HOUR_MS - 300_000, 120_000)).toBe(1);
    expect(predictedRampRatio(memory, day + 12 * HOUR_MS, 120_000)).toBe(1);
    expect(predictedRampRatio(memory, day + 17 * HOUR_MS - 60_000, 120_000)).toBe(1);
  });

  it("stays small and plain JSON", () => {
    const memory = learn(3);
    expect(JSON.parse(JSON.stringify(memory))).toEqual(memory);
    expect(JSON.stringify(memory).length).toBeLessThan(8 * 1024);
  });
});
