/**
 * Baseline: the 2008 rule, "given Q queued jobs of T minutes each and a maximum wait W, add machines until the
 * average wait is under W" (with 4 instances, 35 queued, T = 3 min and W = 10 min it answered +3). Read exactly:
 * N machines serve the queue FIFO one job at a time, job i (0-based) finishes at (floor(i/N) + 1)·T, and the rule
 * picks the smallest N whose mean of those over the Q queued jobs is ≤ W. T is a fixed, configured value (what the
 * rule lacked was learning it).
 *
 * Scale-in, as chosen here: it only removes machines while the smaller fleet still meets W for every job in the
 * system (queued + in flight), i.e. desired = min(current, N(visible + inFlight)), and machines leave by draining
 * idle ones (the 2008 workers pulled from SQS and were shut down when idle).
 */
import { ScalerError } from "../../errors.ts";
import { formatDuration, sanitizeInput } from "./policy-input.ts";
import {
  type PolicyInput,
  type PolicyStep,
  type ScalingLimits,
  type ScalingPolicy,
  clampCapacity,
} from "./scaling-policy.ts";

/** Options of {@link rule2008Policy}. */
export interface Rule2008Options {
  /** The configured job time T (the benchmark gives the trace's true mean). */
  readonly serviceTimeMs: number;
  /** How often the rule runs. @defaultValue 60 000 */
  readonly evaluationIntervalMs?: number;
}

/** The rule keeps nothing between runs. */
export type Rule2008Memory = Record<string, never>;

/** The 2008-rule baseline. Throws `ScalerError` `SCALER_CONFIG` for a non-positive T or W. */
export function rule2008Policy(limits: ScalingLimits, options: Rule2008Options): ScalingPolicy<Rule2008Memory> {
  if (!(options.serviceTimeMs > 0) || !(limits.targetWaitMs > 0))
    throw new ScalerError("SCALER_CONFIG", "rule-2008: serviceTimeMs and limits.targetWaitMs must be > 0");
  return {
    name: "rule-2008",
    evaluationIntervalMs: options.evaluationIntervalMs ?? 60_000,
    scaleIn: "drain-idle",
    countsBooting: true,
    initialMemory: () => ({}),
    decide: (input, memory) => decide(limits, options.serviceTimeMs, input, memory),
  };
}

/** The mean over Q FIFO jobs of (floor(i/N) + 1)·T, the finish times with N machines. */
export function averageWaitWithMachines(queued: number, machines: number, serviceTime: number): number {
  if (queued <= 0) return 0;
  const rounds = Math.floor(queued / machines);
  const rest = queued - rounds * machines;
  // N machines finish N jobs at each of T, 2T, … roundsT, then the rest at (rounds + 1)T.
  const sum = (machines * rounds * (rounds + 1)) / 2 + rest * (rounds + 1);
  return (sum / queued) * serviceTime;
}

/**
 * The fewest machines for which the average wait of Q queued jobs is ≤ W; Q when even one machine per job waits
 * T > W (no fleet meets W then, and more machines than jobs change nothing).
 */
export function machinesForAverageWait(queued: number, serviceTime: number, targetWait: number): number {
  if (queued <= 0) return 0;
  if (serviceTime > targetWait) return queued;
  let low = 1;
  let high = queued;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (averageWaitWithMachines(queued, middle, serviceTime) <= targetWait + 1e-9) high = middle;
    else low = middle + 1;
  }
  return low;
}

function decide(
  limits: ScalingLimits,
  serviceTimeMs: number,
  rawInput: PolicyInput,
  memory: Rule2008Memory,
): PolicyStep<Rule2008Memory> {
  const input = sanitizeInput(rawInput);
  const { visible, inFlight } = input.queue;
  const current = input.fleet.running + input.fleet.booting;
  const forQueued = machinesForAverageWait(visible, serviceTimeMs, limits.targetWaitMs);
  const wanted =
    forQueued > current
      ? forQueued
      : Math.min(current, machinesForAverageWait(visible + inFlight, serviceTimeMs, limits.targetWaitMs));
  const desired = clampCapacity(wanted, current, limits);
  const wait = averageWaitWithMachines(visible, Math.max(1, current), serviceTimeMs) / 1000;
  const change = desired >= current ? `+${desired - current}` : `${desired - current}`;
  return {
    decision: {
      desired,
      reason: `backlog ${visible} × ${formatDuration(serviceTimeMs / 1000)} / ${current} instances → average wait ${formatDuration(wait)} vs W ${formatDuration(limits.targetWaitMs / 1000)}: ${change}`,
    },
    memory,
  };
}
