/** The 2008 rule: its worked example (+3), the average-wait formula, T > W, scale-in only while W still holds. */
import { describe, expect, it } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import {
  averageWaitWithMachines,
  machinesForAverageWait,
  rule2008Policy,
} from "../../../../src/scaler/policy/rule-2008-policy.ts";
import type { PolicyInput } from "../../../../src/scaler/policy/scaling-policy.ts";

const MINUTE = 60_000;
const limits = { min: 0, max: 100, maxStep: Infinity, targetWaitMs: 10 * MINUTE };

function input(visible: number, inFlight: number, running: number, booting = 0): PolicyInput {
  return {
    now: 0,
    queue: { visible, inFlight, delayed: 0, oldestAgeMs: undefined },
    fleet: { booting, running, draining: 0 },
    completedSinceLast: 0,
    serviceTimesMs: [],
    concurrencyPerInstance: 1,
    bootDelayMs: 90_000,
  };
}

describe("rule-2008", () => {
  it("the worked example: 4 instances, 35 queued, T = 3 min, W = 10 min → +3", () => {
    const policy = rule2008Policy(limits, { serviceTimeMs: 3 * MINUTE });
    const step = policy.decide(input(35, 0, 4), policy.initialMemory());
    expect(step.decision.desired).toBe(7);
    expect(step.decision.reason).toContain("+3");
  });

  it("averages (floor(i/N) + 1)·T over the queue: N = 6 → 10.29 min, N = 7 → 9 min", () => {
    expect(averageWaitWithMachines(35, 6, 3)).toBeCloseTo(10.2857, 4);
    expect(averageWaitWithMachines(35, 7, 3)).toBe(9);
    expect(averageWaitWithMachines(35, 35, 3)).toBe(3);
    // A brute-force sum agrees with the closed form.
    for (const [q, n] of [
      [1, 1],
      [17, 4],
      [100, 7],
    ] as const) {
      let sum = 0;
      for (let i = 0; i < q; i += 1) sum += Math.floor(i / n) + 1;
      expect(averageWaitWithMachines(q, n, 2)).toBeCloseTo((sum / q) * 2, 10);
    }
    expect(machinesForAverageWait(35, 3, 10)).toBe(7);
    expect(machinesForAverageWait(0, 3, 10)).toBe(0);
  });

  it("when one job alone takes longer than W it asks one machine per queued job (capped)", () => {
    expect(machinesForAverageWait(12, 11, 10)).toBe(12);
    const policy = rule2008Policy({ ...limits, max: 20 }, { serviceTimeMs: 11 * MINUTE });
    expect(policy.decide(input(50, 0, 3), {}).decision.desired).toBe(20);
  });

  it("scales in only to the fleet that still meets W for queued + in-flight jobs, draining idle instances", () => {
    const policy = rule2008Policy(limits, { serviceTimeMs: 3 * MINUTE });
    expect(policy.scaleIn).toBe("drain-idle");
    // 10 instances, 8 jobs in flight, none queued: 2 machines give an average of 7.5 min ≤ 10.
    expect(policy.decide(input(0, 8, 10), {}).decision.desired).toBe(2);
    // A queue the fleet already covers keeps the fleet.
    expect(policy.decide(input(35, 10, 7), {}).decision.desired).toBe(7);
  });

  it("rejects a non-positive T", () => {
    expect(() => rule2008Policy(limits, { serviceTimeMs: 0 })).toThrow(ScalerError);
  });
});
