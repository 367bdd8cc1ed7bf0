/** Test helpers: policies whose decisions are known in advance, to check the simulator's arithmetic by hand. */
import type { PolicyInput, ScaleInMethod, ScalingPolicy } from "../../../../src/scaler/policy/scaling-policy.ts";

/** A policy that always wants `capacity(atMs)` instances (atMs from the trace start), evaluated every `everyMs`. */
export function scheduledPolicy(
  capacity: (atMs: number) => number,
  options: { everyMs?: number; scaleIn?: ScaleInMethod; startTimeMs?: number } = {},
): ScalingPolicy<{ evaluations: number }> {
  const start = options.startTimeMs ?? Date.UTC(2026, 0, 5);
  return {
    name: "scheduled",
    evaluationIntervalMs: options.everyMs ?? 10_000,
    scaleIn: options.scaleIn ?? "drain-idle",
    countsBooting: true,
    initialMemory: () => ({ evaluations: 0 }),
    decide: (input: PolicyInput, memory) => ({
      decision: { desired: capacity(input.now - start), reason: "scheduled" },
      memory: { evaluations: memory.evaluations + 1 },
    }),
  };
}

/** A policy that always wants `instances`. */
export function fixedPolicy(
  instances: number,
  scaleIn: ScaleInMethod = "drain-idle",
): ScalingPolicy<{ evaluations: number }> {
  return scheduledPolicy(() => instances, { scaleIn });
}
