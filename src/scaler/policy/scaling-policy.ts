/**
 * The contract of a scaling policy: a pure, deterministic step from what the scaler observed to the capacity it
 * wants. The scaler runtime (src/scaler/scaler.ts) and the simulator (src/scaler/simulation/) both drive policies
 * through this interface only, so a policy measured in `npm run bench:scaler` is exactly the one that runs.
 *
 * Pure means: no clock, no randomness, no I/O. Everything a policy remembers between evaluations (estimators,
 * stabilization windows, the learned daily cycle) lives in its `memory`, a JSON-serializable value the caller
 * keeps and passes back; the runtime stores it with the leader lease so a new leader continues where the old one
 * stopped.
 */

/** The queue, as the transport reports it at one evaluation. */
export interface QueueObservation {
  /** Messages ready to be delivered. */
  readonly visible: number;
  /** Messages delivered and not yet settled (running on some worker). */
  readonly inFlight: number;
  /** Messages waiting for a delay (retries with backoff, delayed sends). */
  readonly delayed: number;
  /** Age of the oldest visible message in ms; undefined when none or unknown. */
  readonly oldestAgeMs: number | undefined;
}

/** How many fleet instances are in each phase at one evaluation. */
export interface FleetCounts {
  /** Launched and not yet serving (the worker has not sent its first heartbeat). */
  readonly booting: number;
  /** Serving work. */
  readonly running: number;
  /** Told to drain: finishing in-flight work, taking no more; they will be terminated. */
  readonly draining: number;
}

/** Everything a policy may look at. All times are Unix ms; durations are ms. */
export interface PolicyInput {
  /** The time of this evaluation. */
  readonly now: number;
  readonly queue: QueueObservation;
  readonly fleet: FleetCounts;
  /**
   * Jobs that finished (any outcome) since the previous evaluation, from the status store. With the change in
   * backlog it gives the arrival rate: arrivals = Δ(visible + inFlight + delayed) + completed.
   */
  readonly completedSinceLast: number;
  /**
   * Service times (started → finished, ms) of jobs that finished since the previous evaluation, from the status
   * store; a policy learns the per-job time T from these instead of being told it.
   */
  readonly serviceTimesMs: readonly number[];
  /** Jobs one instance runs at once (worker concurrency × workers per instance). */
  readonly concurrencyPerInstance: number;
  /** How long a launched instance takes to start serving, as configured or learned by the runtime. */
  readonly bootDelayMs: number;
}

/** The caps every policy honours. */
export interface ScalingLimits {
  /** Never fewer instances than this. @defaultValue 0 */
  readonly min: number;
  /** Never more instances than this. */
  readonly max: number;
  /** At most this many instances added or removed by one decision. @defaultValue Infinity */
  readonly maxStep: number;
  /** The target wait W: how long a job may wait in the queue before a worker starts it. */
  readonly targetWaitMs: number;
}

/** What a policy wants. */
export interface ScalingDecision {
  /**
   * Desired capacity: instances booting + running after this decision (draining ones are not counted). Already
   * clamped to the limits.
   */
  readonly desired: number;
  /** Why, for people: `backlog 35 × 3 min / 4 instances → wait 26 min > W 10 min: +3`. */
  readonly reason: string;
}

/** One evaluation's result: the decision and the memory to pass to the next evaluation. */
export interface PolicyStep<Memory> {
  readonly decision: ScalingDecision;
  readonly memory: Memory;
}

/**
 * How instances are removed when a policy scales in. `drain-idle`: idle instances first, told to drain, terminated
 * once their in-flight work is done (never kills work). `terminate-random` / `terminate-arbitrary`: what AWS target
 * tracking and KEDA do, terminating a running instance with whatever it was running (the work is redelivered).
 */
export type ScaleInMethod = "drain-idle" | "terminate-random" | "terminate-arbitrary";

/** A scaling policy. Implementations are deterministic functions of (input, memory). */
export interface ScalingPolicy<Memory = unknown> {
  /** The name in benchmark rows and scaler records: `thrift-queue`, `aws-target-tracking`, `keda-hpa`, `rule-2008`. */
  readonly name: string;
  /** How often the policy wants to be evaluated (KEDA syncs every 15 s, CloudWatch alarms see 1-minute points). */
  readonly evaluationIntervalMs: number;
  /** How instances leave on scale-in. */
  readonly scaleIn: ScaleInMethod;
  /**
   * Whether booting instances count toward current capacity in the policy's own arithmetic (AWS target tracking
   * does not count them). Informational: the policy already accounts for it in `decide`.
   */
  readonly countsBooting: boolean;
  /** The memory before the first evaluation. */
  initialMemory(): Memory;
  /** One evaluation. Must not throw for any finite input; must not mutate `memory`. */
  decide(input: PolicyInput, memory: Memory): PolicyStep<Memory>;
}

/** Clamps a wanted capacity to the limits and to the step cap around the current capacity. */
export function clampCapacity(wanted: number, current: number, limits: ScalingLimits): number {
  const stepped = Math.max(current - limits.maxStep, Math.min(current + limits.maxStep, Math.round(wanted)));
  return Math.max(limits.min, Math.min(limits.max, stepped));
}
