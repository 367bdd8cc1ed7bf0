/** A policy for scaler tests: answers the desired capacity a test sets, counts its evaluations in its memory. */
import type { PolicyInput, ScalingPolicy } from "../../../../src/scaler/policy/scaling-policy.ts";

/** The memory of {@link scriptedPolicy}. */
export interface ScriptedMemory {
  readonly evaluations: number;
}

/** A policy whose desired capacity is `desired()`; `inputs` collects what it was shown. */
export function scriptedPolicy(desired: () => number, inputs: PolicyInput[] = []): ScalingPolicy<ScriptedMemory> {
  return {
    name: "scripted",
    evaluationIntervalMs: 10_000,
    scaleIn: "drain-idle",
    countsBooting: true,
    initialMemory: () => ({ evaluations: 0 }),
    decide(input, memory) {
      inputs.push(input);
      const wanted = desired();
      return {
        decision: { desired: wanted, reason: `scripted ${wanted}` },
        memory: { evaluations: memory.evaluations + 1 },
      };
    },
  };
}
