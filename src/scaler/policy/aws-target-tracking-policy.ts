/**
 * Baseline: AWS target tracking on "backlog per instance", as AWS documents for SQS-driven fleets, reimplemented
 * for the benchmark. The metric is visible messages / in-service instances (booting instances are not counted);
 * the target is the acceptable backlog per instance, concurrency × W / T. CloudWatch alarms see one-minute
 * datapoints: the scale-out alarm fires after 3 consecutive points above the target, the scale-in alarm after 15
 * consecutive points below 0.9 × target; while an alarm is in ALARM the capacity is set proportionally,
 * ceil(in-service × metric / target). Scale-in terminates a random unprotected instance (its work is redelivered).
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

/** Options of {@link awsTargetTrackingPolicy}. */
export interface AwsTargetTrackingOptions {
  /** The job time T used in the target W/T (the benchmark gives the true mean: a generous baseline). */
  readonly serviceTimeMs: number;
  /** CloudWatch datapoint period. @defaultValue 60 000 */
  readonly evaluationIntervalMs?: number;
  /** Consecutive datapoints above target before scaling out. @defaultValue 3 */
  readonly scaleOutDatapoints?: number;
  /** Consecutive datapoints below `scaleInRatio` × target before scaling in. @defaultValue 15 */
  readonly scaleInDatapoints?: number;
  /** The scale-in alarm's threshold as a fraction of the target. @defaultValue 0.9 */
  readonly scaleInRatio?: number;
}

/** The alarm streaks (plain JSON). */
export interface AwsTargetTrackingMemory {
  /** Consecutive datapoints above the target. */
  readonly above: number;
  /** Consecutive datapoints below scaleInRatio × target. */
  readonly below: number;
}

/** The target-tracking baseline. Throws `ScalerError` `SCALER_CONFIG` for a non-positive T or W. */
export function awsTargetTrackingPolicy(
  limits: ScalingLimits,
  options: AwsTargetTrackingOptions,
): ScalingPolicy<AwsTargetTrackingMemory> {
  if (!(options.serviceTimeMs > 0) || !(limits.targetWaitMs > 0))
    throw new ScalerError("SCALER_CONFIG", "aws-target-tracking: serviceTimeMs and limits.targetWaitMs must be > 0");
  const settings = {
    outPoints: options.scaleOutDatapoints ?? 3,
    inPoints: options.scaleInDatapoints ?? 15,
    inRatio: options.scaleInRatio ?? 0.9,
  };
  return {
    name: "aws-target-tracking",
    evaluationIntervalMs: options.evaluationIntervalMs ?? 60_000,
    scaleIn: "terminate-random",
    countsBooting: false,
    initialMemory: () => ({ above: 0, below: 0 }),
    decide: (input, memory) => decide(limits, options.serviceTimeMs, settings, input, memory),
  };
}

/** Acceptable backlog per instance: concurrency × W / T. */
export function backlogPerInstanceTarget(targetWaitMs: number, serviceTimeMs: number, concurrency: number): number {
  return (Math.max(1, concurrency) * targetWaitMs) / serviceTimeMs;
}

function decide(
  limits: ScalingLimits,
  serviceTimeMs: number,
  settings: { outPoints: number; inPoints: number; inRatio: number },
  rawInput: PolicyInput,
  memory: AwsTargetTrackingMemory,
): PolicyStep<AwsTargetTrackingMemory> {
  const input = sanitizeInput(rawInput);
  const { visible } = input.queue;
  const inService = input.fleet.running;
  const current = input.fleet.running + input.fleet.booting;
  const target = backlogPerInstanceTarget(limits.targetWaitMs, serviceTimeMs, input.concurrencyPerInstance);
  // With no instance in service the metric has no denominator: a backlog reads as above any target.
  const metric = inService > 0 ? visible / inService : visible > 0 ? Infinity : 0;
  const above = metric > target ? memory.above + 1 : 0;
  const below = metric < settings.inRatio * target ? memory.below + 1 : 0;
  const proportional = inService > 0 ? Math.ceil((inService * metric) / target - 1e-9) : Math.ceil(visible / target);
  let wanted = current;
  let alarm = "no alarm";
  if (above >= settings.outPoints) {
    wanted = Math.max(current, proportional);
    alarm = `${above} points above target`;
  } else if (below >= settings.inPoints) {
    wanted = Math.min(current, proportional);
    alarm = `${below} points below ${settings.inRatio} × target`;
  }
  const desired = clampCapacity(wanted, current, limits);
  const shown = Number.isFinite(metric) ? formatNumber(metric) : "∞";
  return {
    decision: {
      desired,
      reason: `backlog/instance ${shown} vs target ${formatNumber(target)} (${alarm}) → ${desired}`,
    },
    memory: { above, below },
  };
}
