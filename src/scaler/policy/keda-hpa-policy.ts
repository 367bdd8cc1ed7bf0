/**
 * Baseline: KEDA's SQS scaler driving a Kubernetes HPA with its defaults, reimplemented for the benchmark. Every
 * 15 s sync the metric is (visible + in-flight) per replica against queueLength 5; the HPA formula
 * desired = ceil(current × metric / target) is skipped inside the 0.1 tolerance; scale-up is limited to
 * max(+4, ×2) per sync; scale-down takes the largest recommendation of the last 300 s (stabilization window).
 * KEDA activates 0 → 1 on the first message and back to 0 once the window holds only zeros. Scale-in removes an
 * arbitrary pod (not-ready ones first), killing what it was running.
 */
import { ScalerError } from "../../errors.ts";
import { formatNumber, sanitizeInput } from "./policy-input.ts";
import {
  type PolicyInput,
  type PolicyStep,
  type ScalingLimits,
  type ScalingPolicy,
  clampCapacity,
} from "./scaling-policy.ts";

/** Options of {@link kedaHpaPolicy}; the defaults are KEDA's and the HPA's. */
export interface KedaHpaOptions {
  /** Target messages per replica. @defaultValue 5 */
  readonly queueLength?: number;
  /** HPA sync period. @defaultValue 15 000 */
  readonly evaluationIntervalMs?: number;
  /** Scale-down stabilization window. @defaultValue 300 000 */
  readonly stabilizationWindowMs?: number;
  /** No change while |metric/target − 1| is within this. @defaultValue 0.1 */
  readonly tolerance?: number;
}

/** Recent recommendations, for the scale-down stabilization window (plain JSON). */
export interface KedaHpaMemory {
  readonly recommendations: readonly { readonly atMs: number; readonly replicas: number }[];
}

interface KedaSettings {
  readonly queueLength: number;
  readonly windowMs: number;
  readonly tolerance: number;
}

/** The KEDA + HPA baseline. Throws `ScalerError` `SCALER_CONFIG` for a non-positive queue length. */
export function kedaHpaPolicy(limits: ScalingLimits, options: KedaHpaOptions = {}): ScalingPolicy<KedaHpaMemory> {
  const settings: KedaSettings = {
    queueLength: options.queueLength ?? 5,
    windowMs: options.stabilizationWindowMs ?? 300_000,
    tolerance: options.tolerance ?? 0.1,
  };
  if (!(settings.queueLength > 0)) throw new ScalerError("SCALER_CONFIG", "keda-hpa: queueLength must be > 0");
  return {
    name: "keda-hpa",
    evaluationIntervalMs: options.evaluationIntervalMs ?? 15_000,
    scaleIn: "terminate-arbitrary",
    countsBooting: true,
    initialMemory: () => ({ recommendations: [] }),
    decide: (input, memory) => decide(limits, settings, input, memory),
  };
}

/** The HPA's raw recommendation: ceil(current × metric / target), unchanged within the tolerance. */
export function hpaRecommendation(current: number, total: number, queueLength: number, tolerance: number): number {
  if (current === 0) return total > 0 ? 1 : 0;
  const ratio = total / current / queueLength;
  if (Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(current * ratio - 1e-9);
}

/** The HPA's default scale-up limit per sync: max(+4 pods, +100 %). */
export function hpaScaleUpLimit(current: number): number {
  return Math.max(current + 4, 2 * current);
}

function decide(
  limits: ScalingLimits,
  settings: KedaSettings,
  rawInput: PolicyInput,
  memory: KedaHpaMemory,
): PolicyStep<KedaHpaMemory> {
  const input = sanitizeInput(rawInput);
  const current = input.fleet.running + input.fleet.booting;
  const total = input.queue.visible + input.queue.inFlight;
  const raw = hpaRecommendation(current, total, settings.queueLength, settings.tolerance);
  const recommendations = [
    ...memory.recommendations.filter((entry) => entry.atMs > input.now - settings.windowMs),
    { atMs: input.now, replicas: raw },
  ];
  let wanted: number;
  let how: string;
  if (raw > current) {
    wanted = Math.min(raw, hpaScaleUpLimit(current));
    how = wanted < raw ? `up, limited to max(+4, ×2)` : "up";
  } else {
    const stabilized = Math.max(...recommendations.map((entry) => entry.replicas));
    wanted = Math.min(current, stabilized);
    how = stabilized > raw ? `down held by the ${settings.windowMs / 1000} s window at ${stabilized}` : "down";
  }
  const desired = clampCapacity(wanted, current, limits);
  const perReplica = current > 0 ? formatNumber(total / current) : String(total);
  return {
    decision: {
      desired,
      reason: `${perReplica} messages/replica vs ${settings.queueLength}: raw ${raw} (${raw === current ? "steady" : how}) → ${desired}`,
    },
    memory: { recommendations },
  };
}
