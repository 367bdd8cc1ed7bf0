/** The options and the result of {@link simulate} (src/scaler/simulation/simulator.ts). */
import type { PolicyInput, ScalingDecision, ScalingPolicy } from "../policy/scaling-policy.ts";
import type { TraceSpec } from "./trace-spec.ts";
import type { WaitSummary } from "./wait-statistics.ts";

/** A leader crash: the scaler leading at `atMs` dies; a standby takes over once the lease lapses. */
export interface LeaderCrash {
  /** When the leader dies, ms from the start of the trace. */
  readonly atMs: number;
  /** The leader lease length. @defaultValue 30 000 */
  readonly leaseTtlMs?: number;
  /** How often the leader renews its lease (the scaler's tick). @defaultValue 5 000 */
  readonly renewIntervalMs?: number;
  /**
   * `idle`: the leader dies at `atMs`, between evaluations (its last decision was applied; the standby's re-apply is
   * a no-op). `decision`: it dies at its first evaluation at or after `atMs`, after recording the decision and before
   * applying it (the standby applies it, once). @defaultValue "idle"
   */
  readonly during?: "idle" | "decision";
}

/** One policy evaluation, as handed to `onEvaluation`. */
export interface EvaluationRecord {
  /** Ms from the start of the trace. */
  readonly atMs: number;
  readonly input: PolicyInput;
  readonly decision: ScalingDecision;
}

/** Options of {@link simulate}. */
export interface SimulationOptions<Memory> {
  readonly trace: TraceSpec;
  readonly policy: ScalingPolicy<Memory>;
  /** The target wait W the results are measured against (the policy's limits carry its own copy). */
  readonly targetWaitMs: number;
  /** Launch → serving. */
  readonly bootDelayMs: number;
  /** Slots (jobs at once) per instance. */
  readonly concurrencyPerInstance: number;
  /** The fleet's maximum size (the policy's `limits.max`), used by the lower bound. */
  readonly maxInstances: number;
  /** Seed of the trace's jobs (victim choices use a stream derived from it). @defaultValue 1 */
  readonly seed?: number;
  /** Instances already running at time 0 (billed from 0, no boot). @defaultValue 0 */
  readonly initialInstances?: number;
  /** Unix ms of trace time 0, as the policy sees it (a Monday midnight UTC keeps daily cycles aligned). */
  readonly startTimeMs?: number;
  /** Once arrivals end, how long the run continues at most for the queue to empty. @defaultValue 2 days */
  readonly maxDrainMs?: number;
  readonly leaderCrash?: LeaderCrash;
  /** Called after every evaluation (for tuning and plots); must not mutate its argument. */
  readonly onEvaluation?: (record: EvaluationRecord) => void;
}

/** What the leader-crash model measured. */
export interface FailoverResult {
  /** When the leader died (for `during: "decision"`, the evaluation it died in). */
  readonly crashAtS: number;
  readonly takeoverAtS: number;
  /** Takeover − crash: the time without a leader. */
  readonly failoverS: number;
  /** Instances launched more than once for one decision id (the fleet is idempotent per id: should be 0). */
  readonly duplicateLaunches: number;
  /** The decision id the new leader re-applied from the last record. */
  readonly reappliedDecisionId: number;
}

/** The measurements of one run. */
export interface SimulationResult extends WaitSummary {
  readonly trace: string;
  readonly policy: string;
  readonly bootDelayS: number;
  readonly targetWaitS: number;
  /** Mean job time of the trace's distribution (before drift), s. */
  readonly jobTimeS: number;
  readonly concurrencyPerInstance: number;
  /** Billed instance-seconds. */
  readonly instanceSeconds: number;
  readonly lowerBoundInstanceSeconds: number;
  /** instanceSeconds / lowerBoundInstanceSeconds. */
  readonly costVsLowerBound: number;
  /** Decisions that changed the fleet. */
  readonly actions: number;
  /** Changes of direction (out ↔ in) within 10 min of the previous action. */
  readonly flaps: number;
  /** Flaps per hour of trace. */
  readonly flapsPerHour: number;
  /** Jobs a terminated instance was running (redelivered). */
  readonly killedByScaleIn: number;
  /** Instances launched. */
  readonly launches: number;
  /** Largest booting + running count. */
  readonly peakInstances: number;
  readonly evaluations: number;
  /** Jobs not finished when the run stopped (counted as late with their wait so far). */
  readonly unfinishedJobs: number;
  /** Simulated time, s (trace plus drain). */
  readonly simulatedS: number;
  readonly failover?: FailoverResult;
}
