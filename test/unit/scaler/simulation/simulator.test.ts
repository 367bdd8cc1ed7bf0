/** The simulator on traces whose answer is known by hand: waits, boot delay, billing, scale-in, determinism. */
import { describe, expect, it } from "vitest";
import { simulate } from "../../../../src/scaler/simulation/simulator.ts";
import { billedSeconds } from "../../../../src/scaler/simulation/simulated-fleet.ts";
import type { SimulationOptions } from "../../../../src/scaler/simulation/simulation-types.ts";
import type { TraceSpec } from "../../../../src/scaler/simulation/trace-spec.ts";
import { ScalerError } from "../../../../src/errors.ts";
import { awsTargetTrackingPolicy } from "../../../../src/scaler/policy/aws-target-tracking-policy.ts";
import { fixedPolicy, scheduledPolicy } from "./fixed-policy.ts";

function evenTrace(ratePerSecond: number, serviceMs: number, durationMs: number): TraceSpec {
  return {
    name: "even",
    durationMs,
    arrivals: { kind: "even", ratePerSecond },
    serviceTime: { kind: "fixed", meanMs: serviceMs },
  };
}

function run<M>(options: Partial<SimulationOptions<M>> & Pick<SimulationOptions<M>, "trace" | "policy">) {
  return simulate({
    targetWaitMs: 4_500,
    bootDelayMs: 0,
    concurrencyPerInstance: 1,
    maxInstances: 100,
    ...options,
  });
}

describe("simulate: deterministic waits", () => {
  it("one instance for jobs of 2 s arriving every second: job k waits k s", () => {
    const result = run({ trace: evenTrace(1, 2_000, 10_000), policy: fixedPolicy(1), initialInstances: 1 });
    // Arrivals at 0..9 s, starts at 0, 2, …, 18 s: waits 0..9 s.
    expect(result.jobs).toBe(10);
    expect(result.maxWaitS).toBe(9);
    expect(result.p50WaitS).toBe(4);
    expect(result.lateJobs).toBe(5);
    expect(result.sloAttainment).toBe(0.5);
    expect(result.simulatedS).toBe(20);
    // One instance alive 20 s pays the 60 s minimum.
    expect(result.instanceSeconds).toBe(60);
    expect(result.actions).toBe(0);
  });

  it("two instances keep up: nobody waits", () => {
    const result = run({ trace: evenTrace(1, 2_000, 100_000), policy: fixedPolicy(2), initialInstances: 2 });
    expect(result.maxWaitS).toBe(0);
    expect(result.sloAttainment).toBe(1);
    // Both live until the last job (arrived at 99 s) ends at 101 s.
    expect(result.instanceSeconds).toBe(2 * 101);
  });

  it("scale from zero pays the boot delay: jobs before the instance is up wait for it", () => {
    const result = run({
      trace: evenTrace(0.1, 1_000, 100_000),
      policy: fixedPolicy(1),
      bootDelayMs: 30_000,
      targetWaitMs: 15_000,
    });
    // Launched at 0, serving at 30 s: jobs at 0, 10, 20 s wait 30, 20, 10 s; the rest 0.
    expect(result.jobs).toBe(10);
    expect(result.maxWaitS).toBe(30);
    expect(result.lateJobs).toBe(2);
    expect(result.launches).toBe(1);
    expect(result.actions).toBe(1);
    // Billed from launch (boot included) to the end of the last job: 90 s + 1 s.
    expect(result.instanceSeconds).toBe(91);
  });

  it("an instance runs concurrencyPerInstance jobs at once", () => {
    const one = run({
      trace: evenTrace(1, 2_000, 10_000),
      policy: fixedPolicy(1),
      initialInstances: 1,
      concurrencyPerInstance: 2,
    });
    expect(one.maxWaitS).toBe(0);
    // 3 s jobs every second on two slots: the queue grows by one job every three seconds.
    const tight = run({
      trace: evenTrace(1, 3_000, 9_000),
      policy: fixedPolicy(1),
      initialInstances: 1,
      concurrencyPerInstance: 2,
    });
    // Starts: 0, 1, 3, 4, 6, 7, 9, 10, 12 s for arrivals 0..8 s: waits 0, 0, 1, 1, 2, 2, 3, 3, 4 s.
    expect(tight.maxWaitS).toBe(4);
    expect(tight.p50WaitS).toBe(2);
  });

  it("a draining instance finishes its job and is billed until then", () => {
    // Two instances, one 100 s job each at 0 s and 1 s; at 10 s the policy wants 1: one drains until its job ends.
    const trace: TraceSpec = {
      name: "two",
      durationMs: 2_000,
      arrivals: { kind: "even", ratePerSecond: 1 },
      serviceTime: { kind: "fixed", meanMs: 100_000 },
    };
    const result = run({
      trace,
      policy: scheduledPolicy((at) => (at < 10_000 ? 2 : 1)),
      initialInstances: 2,
    });
    expect(result.killedByScaleIn).toBe(0);
    expect(result.jobs).toBe(2);
    // The drained one (newest on a tie) ends with its job at 100 s; the other lives to the end of the run, 101 s.
    expect(result.instanceSeconds).toBe(100 + 101);
    expect(result.actions).toBe(1);
  });

  it("bills per second with a 60 s minimum, boot included", () => {
    expect(billedSeconds(10_000)).toBe(60);
    expect(billedSeconds(60_000)).toBe(60);
    expect(billedSeconds(60_001)).toBe(61);
    expect(billedSeconds(90_400)).toBe(91);
  });
});

describe("simulate: scale-in", () => {
  // 4 instances busy with 20 s jobs, then the policy wants 1: three must go while running work.
  const trace = evenTrace(0.2, 20_000, 120_000);
  const shrinkAt60 = (atMs: number): number => (atMs < 60_000 ? 4 : 1);

  it("terminate-random kills the victims' jobs and redelivers them; every job still finishes", () => {
    const result = run({
      trace,
      policy: scheduledPolicy(shrinkAt60, { scaleIn: "terminate-random" }),
      initialInstances: 4,
      targetWaitMs: 60_000,
    });
    expect(result.killedByScaleIn).toBeGreaterThan(0);
    expect(result.jobs).toBe(24);
    expect(result.unfinishedJobs).toBe(0);
  });

  it("drain-idle never kills: busy instances finish their jobs first", () => {
    const result = run({
      trace,
      policy: scheduledPolicy(shrinkAt60, { scaleIn: "drain-idle" }),
      initialInstances: 4,
      targetWaitMs: 60_000,
    });
    expect(result.killedByScaleIn).toBe(0);
    expect(result.jobs).toBe(24);
  });

  it("counts actions and a flap: out then in within 10 min", () => {
    const result = run({
      trace: evenTrace(0.2, 1_000, 1_800_000),
      policy: scheduledPolicy((at) => (at < 60_000 ? 1 : at < 120_000 ? 3 : at < 900_000 ? 1 : 2)),
    });
    // 0 → 1 (out), 1 → 3 (out), 3 → 1 at 120 s (in: a flap), 1 → 2 at 900 s (out, 13 min later: no flap).
    expect(result.actions).toBe(4);
    expect(result.flaps).toBe(1);
  });
});

describe("simulate: determinism", () => {
  const poisson: TraceSpec = {
    name: "poisson",
    durationMs: 3_600_000,
    arrivals: { kind: "poisson", ratePerSecond: 2 },
    serviceTime: { kind: "exponential", meanMs: 10_000 },
  };
  const options = {
    trace: poisson,
    targetWaitMs: 30_000,
    bootDelayMs: 60_000,
    concurrencyPerInstance: 2,
    maxInstances: 100,
  };
  const policy = () =>
    awsTargetTrackingPolicy({ min: 0, max: 100, maxStep: Infinity, targetWaitMs: 30_000 }, { serviceTimeMs: 10_000 });

  it("the same seed gives the same result, another seed another one", () => {
    const first = simulate({ ...options, policy: policy(), seed: 7 });
    const second = simulate({ ...options, policy: policy(), seed: 7 });
    const other = simulate({ ...options, policy: policy(), seed: 8 });
    expect(second).toEqual(first);
    expect(other.jobs).not.toBe(first.jobs);
  });
});

describe("simulate: options", () => {
  it("reports every invalid option at once", () => {
    const call = () =>
      simulate({
        trace: evenTrace(1, 1_000, 10_000),
        policy: { ...fixedPolicy(1), evaluationIntervalMs: 0 },
        targetWaitMs: 1_000,
        bootDelayMs: -1,
        concurrencyPerInstance: 0,
        maxInstances: 10,
      });
    expect(call).toThrow(ScalerError);
    expect(call).toThrow(/evaluationIntervalMs.*concurrencyPerInstance.*bootDelayMs/);
  });
});
