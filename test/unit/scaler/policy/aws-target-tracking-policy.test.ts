/** AWS target tracking: target W/T, 3-point scale-out and 15-point scale-in alarms, booting not counted. */
import { describe, expect, it } from "vitest";
import {
  type AwsTargetTrackingMemory,
  awsTargetTrackingPolicy,
  backlogPerInstanceTarget,
} from "../../../../src/scaler/policy/aws-target-tracking-policy.ts";
import type { PolicyInput } from "../../../../src/scaler/policy/scaling-policy.ts";

const limits = { min: 0, max: 100, maxStep: Infinity, targetWaitMs: 60_000 };
// W = 60 s, T = 10 s, one job per instance: an acceptable backlog of 6 per instance.
const policy = awsTargetTrackingPolicy(limits, { serviceTimeMs: 10_000 });

function input(visible: number, running: number, booting = 0): PolicyInput {
  return {
    now: 0,
    queue: { visible, inFlight: running, delayed: 0, oldestAgeMs: undefined },
    fleet: { booting, running, draining: 0 },
    completedSinceLast: 0,
    serviceTimesMs: [],
    concurrencyPerInstance: 1,
    bootDelayMs: 90_000,
  };
}

function feed(points: readonly PolicyInput[], memory: AwsTargetTrackingMemory = policy.initialMemory()) {
  const desired: number[] = [];
  for (const point of points) {
    const step = policy.decide(point, memory);
    desired.push(step.decision.desired);
    memory = step.memory;
  }
  return { desired, memory };
}

describe("aws-target-tracking", () => {
  it("targets concurrency × W / T backlog per instance, on one-minute points, terminating random instances", () => {
    expect(backlogPerInstanceTarget(60_000, 10_000, 1)).toBe(6);
    expect(backlogPerInstanceTarget(300_000, 60_000, 4)).toBe(20);
    expect(policy.evaluationIntervalMs).toBe(60_000);
    expect(policy.scaleIn).toBe("terminate-random");
    expect(policy.countsBooting).toBe(false);
  });

  it("scales out on the third consecutive point above target, to ceil(in-service × metric / target)", () => {
    // 10 in service, 120 visible: metric 12 vs target 6 → 20 instances, but only at the third point.
    const { desired } = feed([input(120, 10), input(120, 10), input(120, 10)]);
    expect(desired).toEqual([10, 10, 20]);
  });

  it("a point at or below target resets the scale-out streak", () => {
    const { desired } = feed([input(120, 10), input(120, 10), input(60, 10), input(120, 10), input(120, 10)]);
    expect(desired).toEqual([10, 10, 10, 10, 10]);
  });

  it("does not count booting instances in the metric", () => {
    // 5 in service + 5 booting, 60 visible: the metric is 12 per in-service instance (not 6 per instance).
    const { desired } = feed([input(60, 5, 5), input(60, 5, 5), input(60, 5, 5)]);
    expect(desired).toEqual([10, 10, 10]);
    const more = feed([input(90, 5, 5), input(90, 5, 5), input(90, 5, 5)]);
    expect(more.desired[2]).toBe(15);
  });

  it("scales in only after 15 consecutive points below 0.9 × target", () => {
    // 10 in service, 30 visible: metric 3 < 5.4 → 5 instances at the 15th point.
    const points = Array.from({ length: 15 }, () => input(30, 10));
    const { desired } = feed(points);
    expect(desired.slice(0, 14).every((d) => d === 10)).toBe(true);
    expect(desired[14]).toBe(5);
    // A point between 0.9 × target and the target (metric 5.5) breaks the streak.
    const broken = feed([...points.slice(0, 10), input(55, 10), ...points.slice(0, 10)]);
    expect(broken.desired.every((d) => d === 10)).toBe(true);
  });

  it("scales out from zero in service when a backlog waits", () => {
    const { desired } = feed([input(13, 0), input(13, 0), input(13, 0)]);
    expect(desired).toEqual([0, 0, 3]);
  });
});
