/** KEDA + HPA defaults: the HPA formula, tolerance, max(+4, ×2) scale-up, 300 s scale-down stabilization. */
import { describe, expect, it } from "vitest";
import {
  type KedaHpaMemory,
  hpaRecommendation,
  hpaScaleUpLimit,
  kedaHpaPolicy,
} from "../../../../src/scaler/policy/keda-hpa-policy.ts";
import type { PolicyInput } from "../../../../src/scaler/policy/scaling-policy.ts";

const limits = { min: 0, max: 1000, maxStep: Infinity, targetWaitMs: 30_000 };
const policy = kedaHpaPolicy(limits);

function input(now: number, visible: number, inFlight: number, replicas: number): PolicyInput {
  return {
    now,
    queue: { visible, inFlight, delayed: 0, oldestAgeMs: undefined },
    fleet: { booting: 0, running: replicas, draining: 0 },
    completedSinceLast: 0,
    serviceTimesMs: [],
    concurrencyPerInstance: 1,
    bootDelayMs: 30_000,
  };
}

describe("keda-hpa", () => {
  it("syncs every 15 s and removes an arbitrary pod", () => {
    expect(policy.evaluationIntervalMs).toBe(15_000);
    expect(policy.scaleIn).toBe("terminate-arbitrary");
  });

  it("desired = ceil(current × metric / target), metric = (visible + in-flight) / current, target 5", () => {
    expect(hpaRecommendation(4, 60, 5, 0.1)).toBe(12);
    expect(hpaRecommendation(10, 31, 5, 0.1)).toBe(7);
    // Inside the 0.1 tolerance nothing changes: 54 / 10 = 5.4 → ratio 1.08.
    expect(hpaRecommendation(10, 54, 5, 0.1)).toBe(10);
    expect(hpaRecommendation(10, 56, 5, 0.1)).toBe(12);
    // KEDA activates 0 → 1 on the first message.
    expect(hpaRecommendation(0, 40, 5, 0.1)).toBe(1);
    expect(hpaRecommendation(0, 0, 5, 0.1)).toBe(0);
  });

  it("limits scale-up to max(+4, ×2) per sync", () => {
    expect(hpaScaleUpLimit(3)).toBe(7);
    expect(hpaScaleUpLimit(10)).toBe(20);
    let memory: KedaHpaMemory = policy.initialMemory();
    const replicas: number[] = [];
    let current = 1;
    for (let sync = 0; sync < 4; sync += 1) {
      const step = policy.decide(input(sync * 15_000, 500, current, current), memory);
      memory = step.memory;
      current = step.decision.desired;
      replicas.push(current);
    }
    // 1 → 5 (+4) → 10 (×2) → 20 → 40, while the raw recommendation is ~100.
    expect(replicas).toEqual([5, 10, 20, 40]);
  });

  it("scale-down holds the largest recommendation of the last 300 s", () => {
    let memory: KedaHpaMemory = policy.initialMemory();
    const decide = (now: number, total: number, replicas: number): number => {
      const step = policy.decide(input(now, total, 0, replicas), memory);
      memory = step.memory;
      return step.decision.desired;
    };
    expect(decide(0, 100, 20)).toBe(20);
    // The load falls to 10 messages (raw 2), but a recommendation of 20 is inside the window.
    expect(decide(15_000, 10, 20)).toBe(20);
    expect(decide(285_000, 10, 20)).toBe(20);
    // At 300 s the 20 left the window: down to the largest recent raw value.
    expect(decide(300_000, 10, 20)).toBe(2);
  });
});
