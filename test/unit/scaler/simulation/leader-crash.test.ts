/** The leader-crash model: no evaluation while the lease lapses, takeover within the TTL, no duplicate launch. */
import { describe, expect, it } from "vitest";
import { simulate } from "../../../../src/scaler/simulation/simulator.ts";
import type { TraceSpec } from "../../../../src/scaler/simulation/trace-spec.ts";
import { kedaHpaPolicy } from "../../../../src/scaler/policy/keda-hpa-policy.ts";
import { scheduledPolicy } from "./fixed-policy.ts";

const trace: TraceSpec = {
  name: "steady",
  durationMs: 3_600_000,
  arrivals: { kind: "poisson", ratePerSecond: 1 },
  serviceTime: { kind: "exponential", meanMs: 10_000 },
};

describe("leader crash", () => {
  it("stops evaluating until last renewal + TTL, then the standby takes over and evaluates on", () => {
    const evaluations: number[] = [];
    const crashAt = 1_800_000 + 2_700;
    const result = simulate({
      trace,
      policy: scheduledPolicy((at) => (at < 1_830_000 ? 4 : 6)),
      targetWaitMs: 30_000,
      bootDelayMs: 60_000,
      concurrencyPerInstance: 4,
      maxInstances: 20,
      leaderCrash: { atMs: crashAt },
      onEvaluation: (record) => evaluations.push(record.atMs),
    });
    // Renewals every 5 s: the last one at 1,800 s, so the lease lapses at 1,830 s.
    expect(result.failover).toEqual({
      crashAtS: 1_802.7,
      takeoverAtS: 1_830,
      failoverS: 27.3,
      duplicateLaunches: 0,
      reappliedDecisionId: 180,
    });
    expect(evaluations.filter((at) => at > crashAt && at < 1_830_000)).toEqual([]);
    expect(evaluations).toContain(1_830_000);
    // 4 launched at first, 2 more after the takeover: nothing launched twice.
    expect(result.launches).toBe(6);
  });

  it("a leader dying between recording and applying a decision: the standby applies it, once", () => {
    const wantedMoreAt: number[] = [];
    const result = simulate({
      trace,
      policy: scheduledPolicy((at) => (at < 1_805_000 ? 4 : 6)),
      targetWaitMs: 30_000,
      bootDelayMs: 60_000,
      concurrencyPerInstance: 4,
      maxInstances: 20,
      leaderCrash: { atMs: 1_802_700, during: "decision" },
      onEvaluation: (record) => {
        if (record.decision.desired > record.input.fleet.booting + record.input.fleet.running)
          wantedMoreAt.push(record.atMs);
      },
    });
    // It dies in the evaluation at 1,810 s (decision 181: 4 → 6, recorded, not applied); the lease renewed then
    // lapses at 1,840 s, when the standby applies decision 181 and launches the 2 instances.
    expect(result.failover).toEqual({
      crashAtS: 1_810,
      takeoverAtS: 1_840,
      failoverS: 30,
      duplicateLaunches: 0,
      reappliedDecisionId: 181,
    });
    expect(wantedMoreAt).toEqual([0, 1_810_000]);
    expect(result.launches).toBe(6);
  });

  it("a baseline continues with its recorded memory after the takeover", () => {
    const limits = { min: 0, max: 50, maxStep: Infinity, targetWaitMs: 30_000 };
    const options = { trace, targetWaitMs: 30_000, bootDelayMs: 60_000, concurrencyPerInstance: 4, maxInstances: 50 };
    const crashed = simulate({ ...options, policy: kedaHpaPolicy(limits), leaderCrash: { atMs: 1_200_000 } });
    expect(crashed.failover?.failoverS).toBeLessThanOrEqual(30);
    expect(crashed.failover?.duplicateLaunches).toBe(0);
    expect(crashed.jobs).toBeGreaterThan(3_000);
  });
});
