/** The registry the bench uses: the four names, each building the policy of that name, driven by the simulator. */
import { describe, expect, it } from "vitest";
import { createPolicy, policyNames } from "../../../../src/scaler/policy/policy-registry.ts";
import { simulate } from "../../../../src/scaler/simulation/simulator.ts";

describe("policy registry", () => {
  it("builds every named policy, and each runs through the simulator without killing when it drains", () => {
    expect(policyNames).toEqual(["thrift-queue", "aws-target-tracking", "keda-hpa", "rule-2008"]);
    const limits = { min: 0, max: 50, maxStep: Infinity, targetWaitMs: 60_000 };
    for (const name of policyNames) {
      const policy = createPolicy(name, limits, { serviceTimeMs: 20_000 });
      expect(policy.name).toBe(name);
      const result = simulate({
        trace: {
          name: "poisson",
          durationMs: 3_600_000,
          arrivals: { kind: "poisson", ratePerSecond: 0.5 },
          serviceTime: { kind: "exponential", meanMs: 20_000 },
        },
        policy,
        targetWaitMs: 60_000,
        bootDelayMs: 60_000,
        concurrencyPerInstance: 2,
        maxInstances: 50,
      });
      expect(result.policy).toBe(name);
      expect(result.unfinishedJobs).toBe(0);
      if (policy.scaleIn === "drain-idle") expect(result.killedByScaleIn).toBe(0);
    }
  });
});
