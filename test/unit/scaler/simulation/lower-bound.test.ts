/** The clairvoyant lower bound: its parts by hand, and never above what a policy that meets W pays. */
import { describe, expect, it } from "vitest";
import { LowerBoundAccumulator } from "../../../../src/scaler/simulation/lower-bound.ts";
import { simulate } from "../../../../src/scaler/simulation/simulator.ts";
import type { TraceSpec } from "../../../../src/scaler/simulation/trace-spec.ts";
import { fixedPolicy, scheduledPolicy } from "./fixed-policy.ts";

const settings = {
  targetWaitMs: 10_000,
  bootDelayMs: 30_000,
  concurrencyPerInstance: 1,
  maxInstances: 100,
  initialInstances: 0,
};

describe("lower bound", () => {
  it("is the work plus one boot per instance needed to meet W", () => {
    const bound = new LowerBoundAccumulator(settings);
    // One job of 2 s every second for 100 s: 200 s of work, and about 2 slots busy at once.
    for (let i = 0; i < 100; i += 1) bound.add(i * 1000, 2_000);
    const result = bound.result();
    expect(result.workInstanceSeconds).toBe(200);
    expect(result.instancesNeeded).toBe(2);
    expect(result.instanceSeconds).toBe(200 + 2 * 30);
  });

  it("a dump needs the slots that start every job within W", () => {
    const bound = new LowerBoundAccumulator({ ...settings, concurrencyPerInstance: 4 });
    // 1,000 jobs of 1 s at once, W = 10 s: a slot starts at most ~11 of them in time, so ≥ 1000 / (2.5 + 10 + 1) slots.
    for (let i = 0; i < 1_000; i += 1) bound.add(0, 1_000);
    const result = bound.result();
    expect(result.instancesNeeded).toBe(Math.ceil(1_000 / 13.5 / 4));
    // 19 instances: the 60 s minimum each (1,140) exceeds work + boots (250 + 19 × 30).
    expect(result.instanceSeconds).toBe(Math.max(250 + result.instancesNeeded * 30, 60 * result.instancesNeeded));
    expect(result.instanceSeconds).toBe(1_140);
  });

  it("counts instances already running as booted, and the 60 s minimum", () => {
    // Five instances already up: no boot to pay, but each of them is billed at least 60 s.
    const bound = new LowerBoundAccumulator({ ...settings, initialInstances: 5 });
    for (let i = 0; i < 1_000; i += 1) bound.add(i * 1_000, 100);
    expect(bound.result().instanceSeconds).toBe(300);
    const busy = new LowerBoundAccumulator({ ...settings, initialInstances: 1 });
    for (let i = 0; i < 1_000; i += 1) busy.add(i * 1_000, 500);
    expect(busy.result().instanceSeconds).toBe(500);
    const cold = new LowerBoundAccumulator({ ...settings, bootDelayMs: 0 });
    cold.add(0, 1_000);
    expect(cold.result().instanceSeconds).toBe(60);
  });

  it("stays at or below what a clairvoyant fixed schedule meeting W pays", () => {
    const trace: TraceSpec = {
      name: "poisson",
      durationMs: 6 * 3_600_000,
      arrivals: { kind: "poisson", ratePerSecond: 1 },
      serviceTime: { kind: "lognormal", meanMs: 20_000, sigma: 1 },
    };
    const common = { trace, targetWaitMs: 60_000, bootDelayMs: 90_000, concurrencyPerInstance: 4, maxInstances: 100 };
    // Generous fixed fleets (started warm, and one cold) that meet W for every job.
    for (const [instances, warm] of [
      [10, true],
      [8, true],
      [12, false],
    ] as const) {
      const result = simulate({ ...common, policy: fixedPolicy(instances), initialInstances: warm ? instances : 0 });
      if (warm) expect(result.sloAttainment).toBe(1);
      expect(result.lowerBoundInstanceSeconds).toBeLessThanOrEqual(result.instanceSeconds);
      expect(result.costVsLowerBound).toBeGreaterThanOrEqual(1);
    }
    // A schedule that follows a known ramp (more at the start, fewer later) also pays at least the bound.
    const ramp = simulate({
      ...common,
      policy: scheduledPolicy((at) => (at < 3_600_000 ? 9 : 7)),
      initialInstances: 9,
    });
    expect(ramp.lowerBoundInstanceSeconds).toBeLessThanOrEqual(ramp.instanceSeconds);
  });
});
